"""`newswire enrich`: run the Faust enricher worker until SIGTERM or SIGINT.

On either signal the worker stops taking batches, finishes and acks the ones in flight, commits
and leaves the consumer group, so the partitions move to the other workers at once.
"""

import argparse
import asyncio
import logging
import os

import faust

from newswire.kafka import ensure_topics
from newswire.logs import configure_logging

from .app import create_app
from .metrics import serve_metrics
from .settings import Settings

__all__ = ["add_arguments", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, help="NLP processes (default: the number of cores)")
    parser.add_argument("--metrics-port", type=int, help="Prometheus port (default 9102; 0 disables)")


def run(args: argparse.Namespace) -> int:
    overrides = {
        name: value
        for name, value in (("workers", args.workers), ("metrics_port", args.metrics_port))
        if value is not None
    }
    settings = Settings(**overrides)
    configure_logging(service="enricher", level=settings.log_level, fmt=settings.log_format)
    # Faust and mode narrate every service start and stop at INFO; keep their warnings and errors.
    for chatty in ("faust", "mode"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    (settings.data_dir / "enricher").mkdir(parents=True, exist_ok=True)
    # Faust's worker runs on the thread's current loop; create it here so that the topics are
    # ensured on the same loop before the app exists.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(ensure_topics(settings))
    serve_metrics(settings.metrics_port)
    app = create_app(settings)
    worker = faust.Worker(
        app,
        loop=loop,
        loglevel=settings.log_level,
        override_logging=False,
        redirect_stdouts=False,
        quiet=True,
    )
    # The startup spinner writes terminal escape codes into the log stream.
    worker.spinner = None
    logger.info(
        "enricher consuming %s as group %s with %s NLP processes",
        app.enricher_topics.raw,
        settings.group_id,
        settings.workers,
    )
    try:
        worker.execute_from_commandline()
    except SystemExit as exit_:
        if exit_.code not in (0, None) and app.crash_reason is None:
            raise
    except Exception:
        if app.crash_reason is None:
            raise
    if app.crash_reason is not None:
        logger.critical("enricher stopped after a crash: %r", app.crash_reason)
        logging.shutdown()
        # After a crash during start-up, Faust's consumer thread can be left mid-join and never
        # stop; a normal interpreter exit would wait for that thread forever.
        os._exit(1)
    return 0
