"""The newswire wire contract: models, ids, topic names and serialisation shared by every service."""

from .errors import ContractError, DecodeError, SchemaError
from .ids import article_id, ascii_letters, content_hash, normalise_text, slugify
from .models import SCHEMA_VERSION, DeadLetter, EnrichedArticle, Entity, EntityType, Geo, Mention, RawArticle, Topic
from .taxonomy import Taxonomy, TaxonomyTopic, load_taxonomy
from .text import OffsetText, WireText, clean_text, clean_text_in_place, has_controls
from .topics import DEFAULT_PREFIX, TopicNames
from .wire import CONTENT_TYPE, decode, encode, encode_key, headers_for, printable_value

__all__ = [
    "OffsetText",
    "CONTENT_TYPE",
    "DEFAULT_PREFIX",
    "SCHEMA_VERSION",
    "ContractError",
    "DeadLetter",
    "DecodeError",
    "EnrichedArticle",
    "Entity",
    "EntityType",
    "Geo",
    "Mention",
    "RawArticle",
    "SchemaError",
    "Taxonomy",
    "TaxonomyTopic",
    "Topic",
    "TopicNames",
    "WireText",
    "article_id",
    "ascii_letters",
    "clean_text",
    "clean_text_in_place",
    "content_hash",
    "decode",
    "encode",
    "encode_key",
    "has_controls",
    "headers_for",
    "load_taxonomy",
    "normalise_text",
    "printable_value",
    "slugify",
]
