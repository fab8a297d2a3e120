"""The sources file: validation with line numbers, the bundled files."""

from pathlib import Path

import pytest

from newswire.scraper.errors import SourcesError
from newswire.scraper.sample_site import sources_for
from newswire.scraper.settings import DEFAULT_SOURCES
from newswire.scraper.sources import load_sources, parse_sources

BAD = """sources:
  - id: good
    name: Good
    feeds: [https://news.example/feed]
  - id: Bad Id
    name: Bad
    feeds:
      - notaurl
    poll_interval: 10x
"""


def test_errors_name_file_line_and_field() -> None:
    with pytest.raises(SourcesError) as caught:
        parse_sources(BAD, name="sources.yaml")
    message = str(caught.value)
    assert "sources.yaml:5: sources.1.id" in message
    assert "sources.yaml:8: sources.1.feeds.0" in message and "notaurl" in message
    assert "sources.yaml:9: sources.1.poll_interval" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources:\n  - id: [\n", "<s>:3: not valid YAML"),
        ("- just a list\n", "<s>:1: expected a mapping"),
        ("sources:\n  - id: a\n    name: A\n", "<s>:2: sources.0: Value error, a source needs at least one of feeds"),
        (
            "sources:\n  - id: a\n    name: A\n    pages: [https://x.example/]\n    colour: red\n",
            "<s>:5: sources.0.colour",
        ),
        (
            "sources:\n  - {id: a, name: A, pages: ['https://x.example/']}\n  - {id: a, name: B, pages: ['https://y.example/']}\n",
            "duplicate source id 'a'",
        ),
    ],
)
def test_more_errors(text: str, expected: str) -> None:
    with pytest.raises(SourcesError, match=expected.replace("[", r"\[").replace("(", r"\(")):
        parse_sources(text, name="<s>")


def test_durations() -> None:
    parsed = parse_sources(
        "sources:\n  - {id: a, name: A, pages: ['https://x.example/'], poll_interval: 15m, max_age: 2d}\n"
    )
    assert parsed.sources[0].poll_interval == 900 and parsed.sources[0].max_age == 2 * 86400


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read sources file"):
        load_sources(tmp_path / "nope.yaml")


def test_bundled_sources_are_valid_real_feeds() -> None:
    sources = load_sources(DEFAULT_SOURCES)
    ids = {s.id for s in sources.sources}
    assert {"tdi", "dawn", "astana-times", "bbc-world"} <= ids
    assert all(not s.allow_private for s in sources.sources)
    assert all(s.feeds or s.sitemaps for s in sources.sources)


def test_sample_sources_file_matches_the_generator() -> None:
    bundled = load_sources(DEFAULT_SOURCES.with_name("sample_sources.yaml"))
    assert bundled == sources_for("http://127.0.0.1:8800")
    assert bundled.sources[0].allow_private
