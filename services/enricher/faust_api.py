"""The faust calls the enricher makes that faust's typed interfaces do not describe, in one place.

`noack_take` exists on faust's `Stream` class but not on the `StreamT` interface agents are typed
against, and faust's signal receivers have a calling convention (`sender, *args, signal=...`) that a
plain method does not match. Wrapped here with types, and checked by tests/enricher/test_faust_api.py
against the installed faust, so an upgrade that renames or moves them fails a test rather than the
worker at run time.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import faust
from faust.streams import Stream
from faust.types import TP, StreamT

__all__ = ["noack_batches", "on_partitions_revoked"]


def noack_batches(stream: StreamT[Any], *, max_: int, within: float) -> AsyncIterator[Sequence[Any]]:
    """Batches of up to `max_` values (a partial one after `within` seconds) that faust never acks:
    the caller acks each event itself (`stream.ack`) once its outputs are delivered."""
    if not isinstance(stream, Stream):
        raise TypeError(f"noack_batches needs a faust Stream, got {type(stream).__name__}")
    return stream.noack_take(max_, within=within)


def on_partitions_revoked(app: faust.App, handler: Callable[[set[TP]], Awaitable[None]]) -> None:
    """Call `handler(revoked)` after each rebalance that takes partitions from this worker."""

    async def receiver(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        (revoked,) = args  # faust sends the revoked set as the signal's one argument
        await handler(revoked)

    app.on_partitions_revoked.connect(receiver)
