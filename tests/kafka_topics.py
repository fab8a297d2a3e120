"""Reading topics back in integration tests: everything up to each partition's end as of the
call, so that a slow broker or fetch never passes for an empty topic (as a quiet period would)."""

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from newswire.kafka import consumer_config
from newswire.settings import CommonSettings

__all__ = ["read_to_end"]


async def read_to_end(
    settings: CommonSettings, topics: Sequence[str], *, client_id: str = "test-reader"
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of `topics`, from the beginning to their end offsets as of now."""
    consumer = AIOKafkaConsumer(**consumer_config(settings, client_id=client_id, group_id=None))
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        tps: list[TopicPartition] = []
        for topic in topics:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await consumer._client.force_metadata_update()
                partitions = consumer.partitions_for_topic(topic) or set()
            tps += [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return records
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*tps, timeout_ms=1000)
            for tp_records in batch.values():
                records += tp_records
    finally:
        await consumer.stop()
    return records
