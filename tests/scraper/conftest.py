"""Fixtures of the scraper tests: the bundled sample site on 127.0.0.1 and fast, polite settings."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from newswire.scraper.sample_site import SampleSite
from newswire.scraper.settings import Settings
from newswire.settings import CommonSettings


@pytest.fixture
def sample_site() -> Iterator[SampleSite]:
    # The slow page stalls longer than the tests' read timeout, and no longer than needed.
    with SampleSite(port=0, slow_seconds=5.0) as site:
        yield site


def scraper_settings(data_dir: Path, base: CommonSettings | None = None, **overrides: object) -> Settings:
    """Settings for tests: short timeouts, no retries' worth of waiting, no /metrics port."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "metrics_port": 0,
        # Far below the slow page's stall, and far above what a busy 2-core machine needs to serve
        # an ordinary page.
        "read_timeout": 2.5,
        "connect_timeout": 2.0,
        "total_timeout": 5.0,
        "retries": 1,
        "backoff_base": 0.05,
        "backoff_max": 0.2,
        "per_host_delay": 0.0,
        "per_host_concurrency": 4,
        "revisit_after": 0.0,
    }
    if base is not None:
        values.update(
            base.model_dump(
                include={"kafka_bootstrap_servers", "kafka_idempotence", "topic_prefix", "topic_partitions"}
            )
        )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
