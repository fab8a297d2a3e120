"""Writing the consumer's batches to the store: wait out outages, set aside what the store refuses.

Two kinds of failure look alike from here (both become StoreError) and need opposite handling:

- the store is down (PostgreSQL stopped, SQLite locked): nothing may be skipped; wait, with
  backoff, however long it takes (readiness says 503 meanwhile);
- the store refuses one record (a DB-API DataError or IntegrityError, or a value the driver cannot
  send): retrying that batch forever would stop ingestion for good.

So a batch that fails with a data error, or fails `max_attempts` times while the store answers a
ping, is written again record by record; a record that still fails while the store is otherwise
healthy is set aside: logged with the reason and counted in `newswire_api_records_set_aside_total`.
Failures while the store does not answer, and operational errors (DB-API OperationalError,
InterfaceError, InternalError, OS and timeout errors: a full disk, a lost connection) even while it
answers, are never counted against a record: only data, and failures of no known kind, are.
"""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import StoreError
from .metrics import Metrics
from .store import Store, StoredRecord

__all__ = [
    "DATA_ERROR_NAMES",
    "OUTAGE_ERROR_NAMES",
    "StoreWriter",
    "WriteResult",
    "is_data_error",
    "is_outage",
]

logger = logging.getLogger(__name__)

#: DB-API 2.0 exception names (psycopg and sqlite3 both follow them) that blame the data, not the store.
DATA_ERROR_NAMES = frozenset({"DataError", "IntegrityError"})
#: DB-API 2.0 (and pool) exception names that blame the store: waited out, never a record's fault.
OUTAGE_ERROR_NAMES = frozenset({"OperationalError", "InterfaceError", "InternalError", "PoolTimeout"})
#: Python errors a driver raises for a value it cannot send (e.g. a lone surrogate, an int beyond 64 bits).
_VALUE_ERRORS = (ValueError, TypeError, UnicodeError, OverflowError)


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not c for c in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def is_data_error(exc: BaseException) -> bool:
    """Whether the failure (or anything in its cause chain) is about the record rather than the store."""
    for current in _chain(exc):
        if any(cls.__name__ in DATA_ERROR_NAMES for cls in type(current).__mro__):
            return True
        if isinstance(current, _VALUE_ERRORS) and not isinstance(current, StoreError):
            return True
    return False


def is_outage(exc: BaseException) -> bool:
    """Whether the failure is the store's (connection, disk, server), whatever the record."""
    if is_data_error(exc):
        return False
    for current in _chain(exc):
        if any(cls.__name__ in OUTAGE_ERROR_NAMES for cls in type(current).__mro__):
            return True
        if isinstance(current, OSError | TimeoutError):
            return True
    return False


@dataclass(slots=True)
class WriteResult:
    #: (partition, offset) of records that repeat an article already stored with the same content
    redelivered: set[tuple[int, int]] = field(default_factory=set)
    #: (partition, offset) of records the store refused and that were set aside
    set_aside: set[tuple[int, int]] = field(default_factory=set)


class StoreWriter:
    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        *,
        topic: str,
        max_attempts: int = 5,
        data_attempts: int = 2,
        initial_backoff: float = 0.5,
        max_backoff: float = 10.0,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.topic = topic
        self.max_attempts = max_attempts
        self.data_attempts = data_attempts
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff

    async def write(self, records: Sequence[StoredRecord]) -> WriteResult:
        if not records:
            return WriteResult()
        attempts = 0
        backoff = self.initial_backoff
        while True:
            try:
                redelivered = await self.store.write(records, topic=self.topic)
            except StoreError as exc:
                attempts += 1
                data_error = is_data_error(exc)
                if data_error or (attempts >= self.max_attempts and await self._healthy()):
                    if len(records) > 1 or not data_error:
                        logger.warning(
                            "a batch of %s records failed %s time(s) (%s); writing it record by record",
                            len(records),
                            attempts,
                            _reason(exc),
                        )
                    return await self._one_by_one(records)
                await self._wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            self.store.ready = True
            return WriteResult(redelivered=redelivered)

    async def _one_by_one(self, records: Sequence[StoredRecord]) -> WriteResult:
        result = WriteResult()
        for record in records:
            attempts = 0
            backoff = self.initial_backoff
            while True:
                try:
                    result.redelivered |= await self.store.write([record], topic=self.topic)
                    self.store.ready = True
                    break
                except StoreError as exc:
                    if is_outage(exc) or not await self._healthy():
                        # An outage, not this record's fault: wait, and do not count the attempt.
                        await self._wait(backoff)
                        backoff = min(backoff * 2, self.max_backoff)
                        continue
                    attempts += 1
                    limit = self.data_attempts if is_data_error(exc) else self.max_attempts
                    if attempts >= limit:
                        self._set_aside(record, exc)
                        result.set_aside.add((record.partition, record.offset))
                        break
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
        return result

    def _set_aside(self, record: StoredRecord, exc: StoreError) -> None:
        reason = "data_error" if is_data_error(exc) else "store_refused"
        self.metrics.records_set_aside.labels(reason).inc()
        logger.error(
            "setting aside record %s/%s@%s (article %s): the store refused it (%s)",
            self.topic,
            record.partition,
            record.offset,
            record.article.id,
            _reason(exc),
            extra={"article_id": record.article.id, "reason": reason},
        )

    async def _healthy(self) -> bool:
        try:
            await self.store.ping()
        except StoreError:
            self.store.ready = False
            return False
        return True

    async def _wait(self, seconds: float) -> None:
        # Fan-out waits for the store: a replay must be able to serve whatever a client saw.
        self.store.ready = False
        await asyncio.sleep(seconds)


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"[:300]
