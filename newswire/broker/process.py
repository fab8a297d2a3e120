"""A broker child process: prepare, start, wait until it answers; stopping is ChildProcess's."""

import logging
import threading
from pathlib import Path
from typing import Literal

from newswire.children import ChildProcess

from .errors import BrokerError
from .probe import wait_until_ready

__all__ = ["BrokerProcess", "Engine"]

logger = logging.getLogger(__name__)

Engine = Literal["kafka", "tansu"]


class BrokerProcess(ChildProcess):
    """Base of the two engines: subclasses say how to prepare and which command to run."""

    engine: Engine
    host = "127.0.0.1"

    def __init__(self, *, port: int, log_path: Path) -> None:
        super().__init__(name="broker", log_path=log_path)
        self.port = port
        self.version = "unknown"

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Work before the first start (download, format); nothing by default."""

    def start(self, *, timeout: float = 60.0, cancel: threading.Event | None = None) -> float:
        """Start the broker and wait until it answers the Kafka protocol; returns seconds to ready.
        Setting `cancel` (Ctrl-C) stops the wait and the broker, with a BrokerError."""
        if self.running():
            return 0.0
        self.prepare()
        self.spawn(self.command())

        def alive() -> bool:
            return self.running() and not (cancel is not None and cancel.is_set())

        try:
            waited = wait_until_ready(self.host, self.port, timeout=timeout, alive=alive)
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            if cancel is not None and cancel.is_set():
                raise BrokerError(f"{self.engine} broker start cancelled") from exc
            raise BrokerError(f"{self.engine} broker did not start: {exc}; see {self.log_path}") from exc
        logger.info("%s broker %s ready on %s after %.1f s", self.engine, self.version, self.bootstrap_servers, waited)
        return waited

    def __enter__(self) -> "BrokerProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
