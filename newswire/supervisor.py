"""Keeps the demo's children running: a child that dies is started again, never the end of the demo.

The pause before a restart doubles with every crash in a row (1 s, 2 s, 4 s ... up to a cap), so
a service that cannot start (a broken config) does not spin, and goes back to the first pause once
the child has stayed up for a while. Every crash and restart is reported and counted per child.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Backoff", "Supervised", "Supervisor"]

logger = logging.getLogger(__name__)


class Child(Protocol):
    """What the supervisor needs of a child (ChildProcess and the brokers have it)."""

    name: str

    def running(self) -> bool: ...

    @property
    def returncode(self) -> int | None: ...

    def stop(self, *, timeout: float = ...) -> None: ...


@dataclass(frozen=True)
class Backoff:
    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 60.0
    #: seconds up after which the next crash counts as the first of a new series
    stable: float = 60.0

    def delay(self, crashes_in_a_row: int) -> float:
        """The pause before restart number `crashes_in_a_row` of a series (1 is the first)."""
        return min(self.initial * self.factor ** max(crashes_in_a_row - 1, 0), self.maximum)


@dataclass
class Supervised:
    child: Child
    #: starts the child (again); raising counts as a crash
    start: Callable[[], object]  # what it returns (a broker's seconds to ready) is not used
    #: called after each restart that did not raise (e.g. re-create a memory broker's topics)
    after_restart: Callable[[], None] | None = None
    restarts: int = 0
    crashes_in_a_row: int = 0
    up_since: float = 0.0
    retry_at: float | None = None
    exit_codes: list[int | None] = field(default_factory=list)


class Supervisor:
    def __init__(
        self,
        *,
        backoff: Backoff | None = None,
        report: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backoff = backoff or Backoff()
        self._report = report or logger.warning
        self._clock = clock
        self._children: dict[str, Supervised] = {}

    def add(
        self, child: Child, start: Callable[[], object], *, after_restart: Callable[[], None] | None = None
    ) -> None:
        """Start `child` with `start()` now (errors propagate: a first start that fails is the
        caller's to report) and keep it running from then on."""
        start()
        self._children[child.name] = Supervised(child, start, after_restart, up_since=self._clock())

    def restarts(self) -> dict[str, int]:
        return {name: s.restarts for name, s in self._children.items()}

    def waiting(self) -> list[str]:
        """Children that are down, waiting for their restart."""
        return [name for name, s in self._children.items() if s.retry_at is not None]

    def check(self) -> None:
        """Notice dead children and restart those whose pause is over; call it every second or so."""
        now = self._clock()
        for name, entry in self._children.items():
            if entry.retry_at is None:
                if entry.child.running():
                    continue
                self._crashed(name, entry, now, code=entry.child.returncode)
            elif now >= entry.retry_at:
                self._restart(name, entry, now)

    def _crashed(self, name: str, entry: Supervised, now: float, *, code: int | None, reason: str = "") -> None:
        entry.child.stop(timeout=10)  # reap it, and whatever it forked that lives on in its group
        if now - entry.up_since >= self.backoff.stable:
            entry.crashes_in_a_row = 0
        entry.crashes_in_a_row += 1
        entry.exit_codes.append(code)
        delay = self.backoff.delay(entry.crashes_in_a_row)
        entry.retry_at = now + delay
        what = reason or f"exited with code {code} after {now - entry.up_since:.0f} s"
        self._report(
            f"{name} {what}; restarting it in {delay:.0f} s "
            f"(restart {entry.restarts + 1}, crash {entry.crashes_in_a_row} in a row)"
        )

    def _restart(self, name: str, entry: Supervised, now: float) -> None:
        entry.retry_at = None
        entry.restarts += 1
        entry.up_since = now
        try:
            entry.start()
        except Exception as exc:  # a failed start is one more crash: pause longer and try again
            logger.debug("restart of %s failed", name, exc_info=True)
            self._crashed(name, entry, now, code=None, reason=f"failed to start ({exc})")
            return
        self._report(f"{name} restarted (restart {entry.restarts})")
        if entry.after_restart is not None:
            entry.after_restart()
