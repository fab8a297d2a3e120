"""`newswire demo --sources FILE` runs the same demo on the sources of FILE instead of the sample
site: it says so, starts no sample site, and articles of those sources reach the API. The
"real" source here is the live test site on loopback (tests stay off the internet)."""

from pathlib import Path

import httpx
import pytest
import yaml

from bench.live_site import LiveSite

from .test_demo import processes_of
from .test_demo_supervision import demo_env, start_demo, stop_demo, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def test_demo_on_a_sources_file_crawls_those_sources_and_no_sample_site(tmp_path: Path) -> None:
    with LiveSite() as site:
        site.schedule(rate=2.0, count=6)
        sources = tmp_path / "my-feeds.yaml"
        sources.write_text(yaml.safe_dump({"sources": [site.source(poll_interval=2.0)]}))
        data = tmp_path / "demo"
        env = demo_env(data)
        api = f"http://127.0.0.1:{env['NEWSWIRE_API_PORT']}"
        demo, output = start_demo(env, "--sources", str(sources))
        try:
            assert f"mode: real feeds: 1 source(s) from {sources}" in output.text
            assert "sample site" not in output.text and not (data / "sample-site").exists()
            items = wait_until(
                lambda: httpx.get(f"{api}/v1/articles", timeout=10).json()["items"],
                what="an article of the sources file in the API",
                timeout=300,
            )
            assert all(item["source"] == "live-desk" for item in items)
            assert all(item["url"].startswith(site.base_url) for item in items)
        finally:
            stop_demo(demo, output)
    assert demo.returncode == 0, output.text
    assert processes_of(data) == []
