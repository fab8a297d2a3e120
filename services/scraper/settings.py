"""The scraper's settings; every field is also an environment variable (`NEWSWIRE_<FIELD>`)."""

from pathlib import Path

from pydantic import Field

from newswire.settings import CommonSettings

__all__ = ["DEFAULT_SOURCES", "Settings"]

#: The bundled list of real public news sources.
DEFAULT_SOURCES = Path(__file__).with_name("sources.yaml")


class Settings(CommonSettings):
    sources_file: Path = Field(default=DEFAULT_SOURCES, description="YAML file listing the sources to crawl")
    metrics_port: int = Field(default=9101, ge=0, le=65535, description="port of the scraper's /metrics; 0 disables")
    metrics_host: str = "127.0.0.1"
    user_agent: str = Field(
        default="newswire/0.1 (+https://github.com/newswire/newswire; news event streaming crawler)",
        description="names newswire and a contact URL, so site owners know who is crawling",
    )
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0, description="longest wait for the next bytes of a response")
    total_timeout: float = Field(default=60.0, gt=0, description="longest time one request may take, start to end")
    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0, description="responses larger than this are refused")
    max_redirects: int = Field(default=5, ge=0)
    retries: int = Field(default=3, ge=0, description="retries on timeouts, 429 and 5xx")
    backoff_base: float = Field(default=1.0, ge=0, description="first retry delay in seconds, doubled each retry")
    backoff_max: float = Field(default=60.0, ge=0)
    max_retry_after: float = Field(default=300.0, ge=0, description="a longer Retry-After gives up on the URL for now")
    per_host_concurrency: int = Field(default=2, ge=1)
    per_host_delay: float = Field(
        default=1.0, ge=0, description="seconds between requests to one host (robots Crawl-delay wins when longer)"
    )
    robots_ttl: float = Field(default=24 * 3600.0, gt=0, description="seconds a robots.txt is cached")
    min_article_words: int = Field(default=50, ge=1, description="fewer words and the page is not an article")
    max_urls_per_poll: int = Field(
        default=500, ge=1, description="URLs taken from one source's feeds and sitemaps per poll"
    )
    max_attempts: int = Field(default=5, ge=1, description="rounds a failing URL is retried before it is given up")
    retry_round_after: float = Field(
        default=120.0,
        ge=0,
        description="seconds before a URL whose round failed is tried in a later poll, doubled per failed round "
        "(one slow page must not hold up every poll of its source)",
    )
    revisit_after: float = Field(
        default=1800.0, ge=0, description="seconds before a finished page is checked again for updates"
    )
    revisit_window: float = Field(
        default=2 * 86400.0, ge=0, description="pages first seen longer ago are not checked for updates"
    )
    max_sitemap_depth: int = Field(default=2, ge=0, description="levels of sitemap indexes followed")
    extraction_eval_dir: Path = Field(
        default=Path(".newswire/extraction-eval/trafilatura"),
        description="trafilatura's tests/ folder (evaldata.json, cache/, eval/) for `make eval-extraction`; "
        "its pages are third-party and not shipped",
    )
    fundus_eval_dir: Path = Field(
        default=Path(".newswire/extraction-eval/fundus"),
        description="fundus's tests/resources/parser/test_data/ folder (a folder of pages and expected articles "
        "per country) for `make eval-extraction`; its pages are third-party and not shipped",
    )
    sample_site_port: int = Field(default=8800, ge=0, le=65535, description="port of `newswire sample-site`")
    sample_site_pace: float = Field(
        default=15.0,
        ge=0,
        description="seconds between the sample site's newsroom releases on average (each gap 2/3 to 4/3 of it); "
        "0 turns the live newsroom off",
    )

    @property
    def state_db(self) -> Path:
        return self.data_dir / "scraper" / "state.sqlite3"
