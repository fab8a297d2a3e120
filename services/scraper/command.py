"""`newswire scrape [--sources FILE] [--once]`: the scraper service."""

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from newswire.kafka import ensure_topics
from newswire.logs import configure_logging

from .errors import SourcesError
from .metrics import serve_metrics
from .service import Scraper
from .settings import Settings
from .sources import load_sources

__all__ = ["add_arguments", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="FILE",
        help="sources YAML file (default: setting sources_file, the bundled list)",
    )
    parser.add_argument("--once", action="store_true", help="poll every source once, then exit")


async def _main(settings: Settings, args: argparse.Namespace) -> int:
    sources = load_sources(args.sources or settings.sources_file)
    try:
        await ensure_topics(settings)
    except Exception as exc:  # the publisher retries the connection; topics may be auto-created
        logger.warning("could not ensure topics exist (%s); continuing", exc)
    scraper = Scraper(settings, sources)
    scraper.install_signal_handlers()
    reports = await scraper.run(once=args.once)
    if args.once:
        for report in reports:
            print(report.summary(), flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    configure_logging(service="scraper", level=settings.log_level, fmt=settings.log_format)
    try:
        serve_metrics(settings.metrics_port, host=settings.metrics_host)
        return asyncio.run(_main(settings, args))
    except SourcesError as exc:
        print(f"newswire scrape: {exc}", file=sys.stderr, flush=True)
        return 2
    except OSError as exc:
        print(f"newswire scrape: {exc}", file=sys.stderr, flush=True)
        return 1
