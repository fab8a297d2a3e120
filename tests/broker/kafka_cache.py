"""A Kafka cache of a test's own: the shared jars (fetched once by Maven) linked in, so that the
class-data-sharing archives a test records, finds or breaks are in a folder only it uses."""

from pathlib import Path

from newswire.broker import DEFAULT_KAFKA_VERSION, resolve_kafka_jars

__all__ = ["private_kafka_cache"]


def private_kafka_cache(root: Path, *, version: str = DEFAULT_KAFKA_VERSION) -> Path:
    """A cache dir for KafkaBroker(cache_dir=...) whose `<version>/libs` is the shared jar folder."""
    shared = resolve_kafka_jars(version=version)
    (root / version).mkdir(parents=True, exist_ok=True)
    (root / version / "libs").symlink_to(shared, target_is_directory=True)
    return root
