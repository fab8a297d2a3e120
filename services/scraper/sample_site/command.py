"""`newswire sample-site [--port P] [--pace SECONDS] [--fixed-dates] [--write-sources FILE]`."""

import argparse
import logging
import signal
import threading
from pathlib import Path
from types import FrameType

import yaml

from newswire.logs import configure_logging

from ..settings import Settings
from ..sources import SourcesFile
from .server import SampleSite

__all__ = ["add_arguments", "run", "sources_for"]

logger = logging.getLogger(__name__)


def sources_for(base_url: str, *, poll_interval: float = 30.0) -> SourcesFile:
    """The sources file that crawls a sample site at `base_url` (private addresses allowed)."""
    return SourcesFile.model_validate(
        {
            "sources": [
                {
                    "id": "sample-gazette",
                    "name": "The Sample Gazette (bundled sample site)",
                    "homepage": f"{base_url}/",
                    "feeds": [f"{base_url}/feeds/rss.xml", f"{base_url}/feeds/atom.xml"],
                    "sitemaps": [f"{base_url}/sitemap.xml"],
                    "language": "en",
                    "poll_interval": poll_interval,
                    "concurrency": 4,
                    "request_delay": 0.05,
                    "allow_private": True,
                }
            ]
        }
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    settings = Settings()
    parser.add_argument(
        "--port", type=int, default=settings.sample_site_port, help="port on 127.0.0.1 (default %(default)s)"
    )
    parser.add_argument(
        "--fixed-dates", action="store_true", help="keep the articles' own 2025 dates instead of 'just now'"
    )
    parser.add_argument(
        "--drip",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="hold back the 8 newest articles and publish one every SECONDS (a live demo keeps getting news)",
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=settings.sample_site_pace,
        metavar="SECONDS",
        help="the live newsroom releases a corpus story every SECONDS on average (default %(default)s, "
        "setting NEWSWIRE_SAMPLE_SITE_PACE); 0 serves the fixed articles only",
    )
    parser.add_argument("--crawl-delay", type=float, default=0.0, help="Crawl-delay announced in robots.txt")
    parser.add_argument("--slow-seconds", type=float, default=30.0, help="how long the slow page stalls")
    parser.add_argument(
        "--write-sources", type=Path, metavar="FILE", help="write a sources file for this site and go on serving"
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    configure_logging(service="sample-site", level=settings.log_level, fmt=settings.log_format)
    site = SampleSite(
        port=args.port,
        drip=args.drip,
        fresh=not args.fixed_dates,
        crawl_delay=args.crawl_delay,
        slow_seconds=args.slow_seconds,
        newsroom=args.pace,
        # What the newsroom released survives a restart (the demo keeps its data dir between runs).
        newsroom_state=settings.data_dir / "newsroom.json",
    )
    if args.write_sources:
        # With a live newsroom the scraper polls often enough to see each story within seconds.
        poll = min(30.0, max(5.0, args.pace)) if args.pace > 0 else 30.0
        data = sources_for(site.base_url, poll_interval=poll).model_dump(mode="json", exclude_defaults=True)
        args.write_sources.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with site:
        print(
            f"sample site: {site.base_url}/  (RSS {site.base_url}/feeds/rss.xml, sitemap {site.base_url}/sitemap.xml)",
            flush=True,
        )
        if site.newsroom is not None:
            remaining = sum(1 for t in site.newsroom.release_at.values() if t > site.now())
            print(
                f"sample site: live newsroom releases {remaining} more stories, one every ~{args.pace:g} s",
                flush=True,
            )
        stop.wait()
    return 0
