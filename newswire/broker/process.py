"""A broker child process: start, readiness, and one idempotent stop path."""

import logging
import os
import signal
import subprocess
from pathlib import Path
from typing import IO, Literal

from .errors import BrokerError
from .probe import wait_until_ready

__all__ = ["BrokerProcess", "Engine"]

logger = logging.getLogger(__name__)

Engine = Literal["kafka", "tansu"]


class BrokerProcess:
    """Base of the two engines: subclasses say how to prepare and which command to run."""

    engine: Engine
    host = "127.0.0.1"

    def __init__(self, *, port: int, log_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        self.version = "unknown"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Work before the first start (download, format); nothing by default."""

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, *, timeout: float = 60.0) -> float:
        """Start the broker and wait until it answers the Kafka protocol; returns seconds to ready."""
        if self.running():
            return 0.0
        self.prepare()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        # Own process group: a Ctrl-C meant for the parent must not kill the broker before the
        # parent stops it in order, and stop() can signal the whole group.
        self._proc = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        try:
            waited = wait_until_ready(self.host, self.port, timeout=timeout, alive=self.running)
        except (TimeoutError, RuntimeError) as exc:
            self.stop()
            raise BrokerError(f"{self.engine} broker did not start: {exc}; see {self.log_path}") from exc
        logger.info("%s broker %s ready on %s after %.1f s", self.engine, self.version, self.bootstrap_servers, waited)
        return waited

    def stop(self, *, timeout: float = 30.0) -> None:
        """SIGTERM (a clean shutdown flushes the log), SIGKILL after `timeout`. Safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                logger.warning("%s broker ignored SIGTERM for %.0f s; killing it", self.engine, timeout)
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL, as a crash would (fault tests)."""
        if self._proc is not None and self._proc.poll() is None:
            _signal_group(self._proc, signal.SIGKILL)
            self._proc.wait()
        self.stop()

    def __enter__(self) -> "BrokerProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
