"""`newswire api`: serve the API with uvicorn."""

import argparse
import asyncio
import logging
from collections.abc import Callable
from types import FrameType

import uvicorn

from newswire.logs import configure_logging

from .main import create_app
from .redact import install_redaction
from .server import server_config
from .settings import Settings

__all__ = ["add_arguments", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (NEWSWIRE_API_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (NEWSWIRE_API_PORT, default 8000)")


class _Server(uvicorn.Server):
    """Ends open streams as soon as shutdown starts: uvicorn otherwise waits for them to close."""

    def __init__(self, config: uvicorn.Config, *, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Signal handlers run on the event loop's thread (uvicorn installs them with the loop).
        if not self.should_exit:
            asyncio.get_event_loop().call_soon(self._on_exit)
        super().handle_exit(sig, frame)


def run(args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in (("api_host", args.host), ("api_port", args.port)) if v is not None}
    settings = Settings(**overrides)
    configure_logging(service="api", level=settings.log_level, fmt=settings.log_format)
    # Every record from every library passes this filter: no key, token or cookie in a log line.
    install_redaction()
    app = create_app(settings)
    config = server_config(app, host=settings.api_host, port=settings.api_port)
    logger.info("API on http://%s:%s (dashboard at /, docs at /docs)", settings.api_host, settings.api_port)
    _Server(config, on_exit=app.state.newswire.hub.shutdown).run()
    return 0
