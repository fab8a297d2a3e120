"""The command line: `newswire extract`, `newswire sample-site`, `newswire scrape` on a bad file; /metrics."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from newswire.cli import main
from newswire.ports import free_port
from newswire.scraper.metrics import FETCHES, serve_metrics
from newswire.scraper.sample_site import SEED_PATH, SampleSite

NEWSWIRE = [sys.executable, "-m", "newswire.cli"]


def test_extract_seed_page(
    sample_site: SampleSite, seed_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "seed.html"
    resource = sample_site.resource(SEED_PATH)
    assert resource is not None
    page.write_bytes(resource.body)

    assert main(["extract", str(page)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    article = orjson.loads(lines[0])
    assert article["title"] == "PM Shehbaz Sharif Receives Kazakhstan President Tokayev in Islamabad"
    assert article["canonical_url"] == sample_site.url(SEED_PATH)
    assert "Read More" not in article["text"]
    assert article["text"].splitlines() == [
        line for line in seed_text.splitlines() if line.strip() and not line.startswith("Read More")
    ]
    assert len(article["id"]) == 32 and len(article["content_hash"]) == 64


def test_extract_with_url_and_several_files_keeps_order_and_reports_non_articles(
    sample_site: SampleSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [SEED_PATH, "/section/world.html", "/2025/kenya-central-bank-cuts-rate-inflation-eases.html"]
    files = []
    for index, path in enumerate(paths):
        file = tmp_path / f"{index}.html"
        file.write_bytes(sample_site.resource(path).body)  # type: ignore[union-attr]
        files.append(str(file))
    assert main(["extract", *files, "--url", "https://mirror.example/page?utm_source=x"]) == 1
    captured = capsys.readouterr()
    articles = [orjson.loads(line) for line in captured.out.splitlines()]
    assert [a["title"][:5] for a in articles] == ["PM Sh", "Kenya"]
    assert all(a["url"] == "https://mirror.example/page" for a in articles)
    assert "1.html" in captured.err and "index_page" in captured.err


def test_sample_site_command_serves_on_the_given_port(tmp_path: Path) -> None:
    port = free_port()
    sources = tmp_path / "sources.yaml"
    process = subprocess.Popen(
        [*NEWSWIRE, "sample-site", "--port", str(port), "--write-sources", str(sources)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NEWSWIRE_DATA_DIR": str(tmp_path), "NEWSWIRE_SAMPLE_SITE_PACE": "12"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        assert "live newsroom releases 262 more stories, one every ~12 s" in process.stdout.readline()
        robots = httpx.get(f"http://127.0.0.1:{port}/robots.txt")
        assert "Disallow: /private/" in robots.text
        seed = httpx.get(f"http://127.0.0.1:{port}{SEED_PATH}")
        assert f'<link rel="canonical" href="http://127.0.0.1:{port}{SEED_PATH}">' in seed.text
        assert f"http://127.0.0.1:{port}/feeds/rss.xml" in sources.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_scrape_with_a_bad_sources_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - id: x\n    name: X\n    feeds: [nope]\n")
    result = subprocess.run(
        [*NEWSWIRE, "scrape", "--sources", str(bad), "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NEWSWIRE_METRICS_PORT": "0", "NEWSWIRE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert f"{bad}:4: sources.0.feeds.0" in result.stderr


def test_metrics_endpoint_serves_scraper_metrics() -> None:
    port = free_port()
    FETCHES.labels("metrics-test", "ok").inc()
    serve_metrics(port)
    deadline = time.monotonic() + 10
    while True:
        try:
            body = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            break
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    assert 'newswire_scraper_fetches_total{outcome="ok",source="metrics-test"} 1.0' in body
    for name in (
        "newswire_scraper_fetch_seconds_bucket",
        "newswire_scraper_bytes_total",
        "newswire_articles_published_total",
        "newswire_scraper_duplicates_total",
        "newswire_scraper_robots_refusals_total",
        "newswire_scraper_extraction_failures_total",
    ):
        assert f"# TYPE {name.removesuffix('_bucket')}" in body or name in body, name


def test_extract_page_without_any_address_is_named_by_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "saved.html"
    paragraphs = "".join(
        f"<p>Paragraph {i} of a saved article about the new rail link between the two capitals and its cost.</p>"
        for i in range(8)
    )
    page.write_text(f"<html><head><title>Saved story</title></head><body><article>{paragraphs}</article></body></html>")
    assert main(["extract", str(page)]) == 0
    article = orjson.loads(capsys.readouterr().out)
    assert article["url"] == article["canonical_url"] == page.resolve().as_uri()
    assert article["title"] == "Saved story"


def test_extract_page_with_an_out_of_range_date_prints_the_article_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "dated.html"
    paragraphs = "".join(
        f"<p>Paragraph {i} of an article whose CMS wrote a placeholder date for the new rail link.</p>"
        for i in range(8)
    )
    jsonld = '{"@type": "NewsArticle", "headline": "Rail link", "datePublished": "0001-01-01T00:00:00+01:00"}'
    page.write_text(
        f'<html><head><script type="application/ld+json">{jsonld}</script></head>'
        f"<body><article>{paragraphs}</article></body></html>"
    )
    assert main(["extract", str(page), "--url", "https://news.example/2025/rail-link"]) == 0
    captured = capsys.readouterr()
    article = orjson.loads(captured.out)
    assert article["title"] == "Rail link" and article["published_at"] is None
    assert "Traceback" not in captured.err


def test_extract_reports_an_extractor_crash_as_that_page_s_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from newswire.scraper import extract_command

    def crash(*args: object, **kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(extract_command, "extract_article", crash)
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>text</p></body></html>")
    assert main(["extract", str(page), str(page)]) == 1
    err = capsys.readouterr().err
    assert err.count("internal error: OverflowError: date value out of range") == 2
    assert "Traceback" not in err
