"""`newswire demo --sources FILE`: the shipped example of real feeds is a valid sources file, and a
file the scraper could not use is refused at once with the reason, before anything starts."""

import os
import subprocess
import sys
from pathlib import Path

from newswire.ports import free_port
from newswire.scraper.sources import load_sources

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "deploy" / "demo-sources.yaml"


def test_the_example_sources_are_valid_public_https_feeds() -> None:
    sources = load_sources(EXAMPLE).sources
    assert len(sources) >= 5
    assert len({s.id for s in sources}) == len(sources)
    for source in sources:
        assert source.feeds and all(str(feed).startswith("https://") for feed in source.feeds), source.id
        assert not source.allow_private, source.id


def run_demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")},
        "NEWSWIRE_DATA_DIR": str(tmp_path / "demo"),
        "NEWSWIRE_API_PORT": str(free_port()),
        "NEWSWIRE_BROKER_PORT": str(free_port()),
        "NEWSWIRE_SCRAPER_METRICS_PORT": str(free_port()),
        "NEWSWIRE_ENRICHER_METRICS_PORT": str(free_port()),
    }
    return subprocess.run(
        [sys.executable, "-m", "newswire.cli", "demo", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_an_unusable_sources_file_is_refused_with_its_reason(tmp_path: Path) -> None:
    broken = tmp_path / "mine.yaml"
    broken.write_text("sources:\n  - id: Not An Id\n    name: x\n    feeds: [https://example.org/rss]\n")
    result = run_demo(tmp_path, "--sources", str(broken))
    assert result.returncode == 1
    assert f"cannot use the sources file {broken}" in result.stderr and "mine.yaml:2" in result.stderr
    assert not (tmp_path / "demo").exists()  # nothing was started or created

    missing = run_demo(tmp_path, "--sources", str(tmp_path / "nowhere.yaml"))
    assert missing.returncode == 1 and "nowhere.yaml" in missing.stderr
