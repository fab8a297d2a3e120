"""Run by test_wheel.py inside a clean virtual environment that has only the built wheel (and the
locked dependencies): loads the enricher, the API and the sample site from the installed package
and prints what it found as JSON. Not a test module itself (pytest does not collect it)."""

import json
import sys
import tempfile
from pathlib import Path

import newswire


def main(seed_path: str) -> None:
    found: dict[str, object] = {"package": str(Path(newswire.__file__).parent)}

    from newswire.enricher.annotate import read_article
    from newswire.enricher.pipeline import shared_enricher

    seed = Path(seed_path).read_text(encoding="utf-8")
    article = shared_enricher().enrich(read_article(seed_path, seed))
    found["entities"] = sorted(e.id for e in article.entities)
    found["topics"] = [t.id for t in article.topics[:3]]

    from newswire.scraper.sample_site.content import load_articles
    from newswire.scraper.settings import DEFAULT_SOURCES

    found["sample_articles"] = len(load_articles())
    found["default_sources"] = DEFAULT_SOURCES.is_file()

    from fastapi.testclient import TestClient

    from newswire.api import Settings, create_app
    from newswire.api.store import current_revision, head_revision

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), kafka_bootstrap_servers="127.0.0.1:9", api_rate_limit=0)
        app = create_app(settings, consume=False)
        with TestClient(app) as client:
            found["routes"] = {
                path: client.get(path).status_code
                for path in ("/", "/static/app.js", "/docs", "/openapi.json", "/v1/articles", "/v1/topics")
            }
            found["taxonomy_topics"] = len(client.get("/v1/topics").json()["topics"])
            found["store_revision"] = [current_revision(app.state.newswire.store.engine), head_revision()]
    print(json.dumps(found))


if __name__ == "__main__":
    main(sys.argv[1])
