"""Kafka plumbing shared by every service: client settings, topic creation, publishing."""

from .admin import ensure_topics, topic_specs
from .clients import consumer_config, make_producer, producer_config, publish

__all__ = ["consumer_config", "ensure_topics", "make_producer", "producer_config", "publish", "topic_specs"]
