"""`newswire broker`: a local broker alone, until Ctrl-C or SIGTERM."""

import argparse
import logging
import signal
import sys
import threading

from newswire.logs import configure_logging

from . import BrokerError, make_broker, resolve_engine
from .settings import BrokerSettings

__all__ = ["add_arguments", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["auto", "kafka", "tansu"], help="default: NEWSWIRE_BROKER_ENGINE or auto")
    parser.add_argument("--port", type=int, help="default: NEWSWIRE_BROKER_PORT or 9092")


def run(args: argparse.Namespace) -> int:
    settings = BrokerSettings()
    configure_logging(service="broker", level=settings.log_level, fmt="text")
    engine = resolve_engine(args.engine or settings.broker_engine)
    port = args.port or settings.broker_port
    broker = make_broker(
        engine=engine,
        port=port,
        data_dir=settings.data_dir / "broker",
        kafka_version=settings.kafka_version,
        cache_dir=settings.kafka_cache_dir,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        waited = broker.start()
    except BrokerError as exc:
        print(f"newswire broker: {exc}", file=sys.stderr)
        return 1
    print(
        f"newswire broker: {engine} {broker.version} ready on {broker.bootstrap_servers} in {waited:.1f} s "
        f"(engine {'chosen by auto' if (args.engine or settings.broker_engine) == 'auto' else 'as asked'})",
        flush=True,
    )
    try:
        while not stop.wait(1.0):
            if not broker.running():
                print("newswire broker: the broker process exited unexpectedly", file=sys.stderr)
                return 1
    finally:
        broker.stop()
    print("newswire broker: stopped", flush=True)
    return 0
