"""Child processes started and stopped as a unit: the brokers, and every service of the demo.

Each child runs in its own process group, so a Ctrl-C in the terminal reaches only the parent,
which then stops the children in order; `stop()` is the one idempotent path out. A child made
with `die_with_parent=True` is also sent SIGTERM by the kernel (Linux) when the parent dies
without stopping it (SIGKILL, a crash), so nothing of a killed demo lives on.
"""

import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

__all__ = ["ChildProcess"]

logger = logging.getLogger(__name__)


_PR_SET_PDEATHSIG = 1


class ChildProcess:
    def __init__(self, *, name: str, log_path: Path, die_with_parent: bool = False) -> None:
        self.name = name
        self.log_path = log_path
        #: The kernel signals the child when the *thread* that spawned it ends: set it only
        #: where children are spawned from a thread that lives as long as the parent (the demo).
        self.die_with_parent = die_with_parent
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
            preexec_fn=_parent_death_signal() if self.die_with_parent else None,
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


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook asking the kernel for SIGTERM when the parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    parent = os.getpid()

    def hook() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return hook


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
