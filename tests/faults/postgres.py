"""A PostgreSQL cluster of the test's own that can be stopped and started under a running API.

The API tests' `postgres_server` fixture is shared by the whole session, so stopping it would
break other tests; the store-outage case needs a cluster nobody else uses.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from newswire.ports import free_port

__all__ = ["PG_BIN", "PostgresCluster"]

PG_BIN = Path(os.environ.get("NEWSWIRE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresCluster:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="newswire-faults-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        # initdb refuses to run as root: the cluster then belongs to the `postgres` system user.
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
            self.base.chmod(0o700)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as, str(PG_BIN / tool), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.base / "log"), "-w", "-t", "60", "start"
        )

    def stop(self, *, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        subprocess.run(
            [*self._as, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.base, ignore_errors=True)
