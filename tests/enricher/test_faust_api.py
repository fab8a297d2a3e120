"""The faust calls the enricher relies on beyond faust's typed interfaces (services/enricher/faust_api.py).

These fail if a faust upgrade renames, moves or changes them, before the worker meets it at run time."""

import inspect

import faust
import pytest
from faust.streams import Stream
from faust.types import TP

from newswire.enricher.faust_api import noack_batches, on_partitions_revoked


async def test_faust_streams_still_take_unacked_batches_by_size_and_time() -> None:
    assert list(inspect.signature(Stream.noack_take).parameters) == ["self", "max_", "within"]
    app = faust.App("newswire-test-faust-api", broker="memory://", store="memory://")
    stream = app.channel().stream()
    assert isinstance(stream, Stream)  # what an agent is handed
    batches = noack_batches(stream, max_=2, within=1.0)
    assert hasattr(batches, "__anext__")
    await batches.aclose()  # type: ignore[attr-defined]


def test_noack_batches_refuses_what_is_not_a_faust_stream() -> None:
    with pytest.raises(TypeError, match="faust Stream"):
        noack_batches(object(), max_=2, within=1.0)  # type: ignore[arg-type]


async def test_revoked_partitions_reach_the_handler_through_fausts_signal() -> None:
    app = faust.App("newswire-test-faust-api", broker="memory://", store="memory://")
    seen: list[set[TP]] = []

    async def handler(revoked: set[TP]) -> None:
        seen.append(revoked)

    on_partitions_revoked(app, handler)
    revoked = {TP("news.articles.raw", 0), TP("news.articles.raw", 3)}
    await app.on_partitions_revoked.send(revoked)  # what faust's rebalance does
    assert seen == [revoked]
