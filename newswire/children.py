"""Child processes started and stopped as a unit: the brokers, and every service of the demo.

Each child runs in its own process group, so a Ctrl-C in the terminal reaches only the parent,
which then stops the children in order; `stop()` is the one idempotent path out.
"""

import logging
import os
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO

__all__ = ["ChildProcess"]

logger = logging.getLogger(__name__)


class ChildProcess:
    def __init__(self, *, name: str, log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def spawn(self, command: list[str], *, env: Mapping[str, str] | None = None) -> None:
        """Start `command` with stdout and stderr appended to `log_path`."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
        logger.debug("started %s (pid %s): %s", self.name, self._proc.pid, " ".join(command))

    def stop(self, *, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after `timeout`. Safe to call any number of times."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored SIGTERM for %.0f s; killing it", self.name, timeout)
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        elif proc is not None:
            # The leader is gone but helpers it forked (a process pool) may live on in its group.
            _signal_group(proc, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL the whole group, as a crash would (fault tests)."""
        if self._proc is not None:
            _signal_group(self._proc, signal.SIGKILL)
            self._proc.wait()
        self.stop()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
