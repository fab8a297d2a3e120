"""The article store's tables, defined once for SQLite and PostgreSQL.

Times are UTC microseconds since the epoch (BIGINT): exact, sortable, the same in both databases.
`sort_time` is published_at (else fetched_at), the order of /v1/articles; `event_time` is the Kafka
record time, the clock of stream replays and of the topic/trending windows. The full-text index is
not here: its shape differs per database (see `fulltext`).
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

__all__ = ["article_countries", "article_entities", "article_topics", "articles", "metadata", "stream_positions"]

metadata = MetaData()


def _article_fk() -> Column[str]:
    return Column("article_id", Text, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False)


articles = Table(
    "articles",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kafka_partition", Integer, nullable=False),
    Column("kafka_offset", BigInteger, nullable=False),
    Column("event_time", BigInteger, nullable=False),
    Column("sort_time", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("stored_at", BigInteger, nullable=False),
)
Index("articles_sort", articles.c.sort_time.desc(), articles.c.id.desc())
Index("articles_position", articles.c.kafka_partition, articles.c.kafka_offset)
Index("articles_event_time", articles.c.event_time)
Index("articles_source", articles.c.source, articles.c.sort_time)

article_topics = Table(
    "article_topics",
    metadata,
    _article_fk(),
    Column("topic_id", Text, nullable=False),
    Column("score", Double, nullable=False),
    Column("event_time", BigInteger, nullable=False),
    PrimaryKeyConstraint("article_id", "topic_id"),
)
Index("article_topics_topic", article_topics.c.topic_id, article_topics.c.event_time)

article_entities = Table(
    "article_entities",
    metadata,
    _article_fk(),
    Column("entity_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("country", Text),
    Column("mentions", Integer, nullable=False),
    Column("event_time", BigInteger, nullable=False),
    PrimaryKeyConstraint("article_id", "entity_id"),
)
Index("article_entities_entity", article_entities.c.entity_id)
Index("article_entities_time", article_entities.c.event_time)
# Trending with `type=` scans one type's rows of the window and its baseline (migration 0002).
Index("article_entities_type_time", article_entities.c.type, article_entities.c.event_time)

article_countries = Table(
    "article_countries",
    metadata,
    _article_fk(),
    Column("country", Text, nullable=False),
    PrimaryKeyConstraint("article_id", "country"),
)
Index("article_countries_country", article_countries.c.country)

stream_positions = Table(
    "stream_positions",
    metadata,
    Column("topic", Text, nullable=False),
    Column("kafka_partition", Integer, nullable=False),
    Column("next_offset", BigInteger, nullable=False),
    PrimaryKeyConstraint("topic", "kafka_partition"),
)
