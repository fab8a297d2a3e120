"""Long-running tasks of the API process, restarted with backoff when they fail.

A task body that raises (or returns) is started again after a growing delay, whatever it raised:
aiokafka can let a `CancelledError` of its own escape after a long broker outage, and a body that
ends quietly is as dead as one that crashed. Only the cancellation of the supervised task itself
(process shutdown) ends it. A task whose supervisor ended without being asked is *dead*: the
liveness probe reports it so that an orchestrator restarts the replica.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Supervised", "Supervisor"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Supervised:
    name: str
    body: Callable[[], Awaitable[None]]
    task: asyncio.Task[None] | None = None
    restarts: int = 0
    last_error: str | None = None
    #: Set when the task ended without being asked to: the process can no longer do its job.
    died: str | None = None
    started_at: float = field(default_factory=time.monotonic)


class Supervisor:
    def __init__(
        self,
        *,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
        on_restart: Callable[[str], None] | None = None,
    ) -> None:
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.on_restart = on_restart
        self.tasks: dict[str, Supervised] = {}
        self._stopping = False

    def start(self, name: str, body: Callable[[], Awaitable[None]]) -> Supervised:
        entry = Supervised(name=name, body=body)
        entry.task = asyncio.create_task(self._loop(entry), name=f"newswire-{name}")
        entry.task.add_done_callback(lambda task: self._ended(entry, task))
        self.tasks[name] = entry
        return entry

    def dead(self) -> dict[str, str]:
        """name -> why, for every supervised task that ended for good while the process runs on."""
        return {name: e.died for name, e in self.tasks.items() if e.died is not None}

    async def stop(self) -> None:
        self._stopping = True
        tasks = [e.task for e in self.tasks.values() if e.task is not None and not e.task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except BaseException as exc:  # noqa: BLE001 - shutdown: whatever a task ended with is only logged
                if not isinstance(exc, asyncio.CancelledError):
                    logger.warning("task %s ended with %r at shutdown", task.get_name(), exc)

    def _ended(self, entry: Supervised, task: asyncio.Task[None]) -> None:
        if self._stopping:
            return
        reason = "cancelled" if task.cancelled() else repr(task.exception()) if task.exception() else "returned"
        entry.died = reason
        logger.error("supervised task %s ended for good (%s); liveness now fails", entry.name, reason)

    async def _loop(self, entry: Supervised) -> None:
        backoff = self.initial_backoff
        me = asyncio.current_task()
        assert me is not None
        while True:
            started = time.monotonic()
            try:
                await entry.body()
                entry.last_error = "returned"
            except asyncio.CancelledError as exc:
                # Our own cancellation (shutdown) ends the loop; a CancelledError raised inside a
                # library while nobody cancelled this task is a failure like any other.
                if me.cancelling():
                    raise
                entry.last_error = f"stray {exc!r}"
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - every other failure restarts the task
                entry.last_error = repr(exc)
            if time.monotonic() - started > 10 * self.max_backoff:
                backoff = self.initial_backoff  # it ran well for a long time: start the backoff over
            entry.restarts += 1
            if self.on_restart is not None:
                self.on_restart(entry.name)
            logger.warning("%s stopped (%s); restarting in %.1f s", entry.name, entry.last_error, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)
