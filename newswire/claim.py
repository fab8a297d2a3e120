"""One demo per data dir and set of ports, checked before the demo touches anything.

The data dir is claimed with an advisory lock on `<data dir>/demo.lock` (holding the owner's
pid, for the message): the kernel drops the lock when its owner dies however it dies, so a
killed demo never leaves a stale claim. Ports are probed by binding them, as the services will.
"""

import fcntl
import os
from pathlib import Path
from typing import IO

from .ports import port_in_use

__all__ = ["Busy", "DataDirLock", "check_ports"]


class Busy(Exception):
    """A port or the data dir is in use; the message is one line that names it."""


def check_ports(ports: dict[str, tuple[int, str]]) -> None:
    """`ports`: what -> (port, setting). Raises Busy naming the first port in use or used twice."""
    seen: dict[int, str] = {}
    for what, (port, setting) in ports.items():
        if port in seen:
            raise Busy(f"port {port} is given to both the {seen[port]} and the {what}; set {setting} to another port")
        seen[port] = what
        if port_in_use(port):
            raise Busy(
                f"port {port} ({what}) is already in use, perhaps by another demo; "
                f"stop it or set {setting} to a free port"
            )


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / "demo.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Claim the data dir or raise Busy; creates the folder and the lock file only."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            raise Busy(
                f"the data dir {self.data_dir} is in use by another demo (pid {owner}); "
                "stop it or set NEWSWIRE_DATA_DIR to another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock; the file stays, it is not the lock
            self._file = None
