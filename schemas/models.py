"""The pydantic v2 models of the wire contract (see CONTRACT.md, "Models").

Every Kafka message value is one of these models as JSON. Consumers ignore unknown fields so
that a newer producer can add fields without breaking older subscribers.

Text fields are `WireText`: NUL and the other C0 controls but tab and newline are removed whenever
a model is built or decoded (see `text.py`), so whatever a producer emits every store accepts.
Times must have a UTC form: one that does not (year 1 with a positive offset) fails validation.
"""

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .text import OffsetText, WireText

__all__ = [
    "SCHEMA_VERSION",
    "DeadLetter",
    "EnrichedArticle",
    "Entity",
    "EntityType",
    "Geo",
    "Mention",
    "RawArticle",
    "Topic",
    "UtcDatetime",
    "WireText",
]

#: 2 added the optional `wikidata`, `geo` and `confidence` of entities; version-1 readers ignore them.
SCHEMA_VERSION = 2


def _to_utc(value: datetime) -> datetime:
    # Naive times are taken as UTC: feeds and sitemaps often omit the offset.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 is valid RFC 3339 but falls before year 1 in UTC (and
        # 9999-12-31T23:00:00-02:00 after 9999): the contract's times are UTC, and this one has no
        # UTC form. A ValueError makes it a validation error (a dead letter with its reason, a 422)
        # instead of an OverflowError that escapes pydantic and stops whoever was decoding.
        raise ValueError(f"{value.isoformat()} is out of range once converted to UTC") from None


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
ArticleId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="sha256(canonical_url)[:16 bytes], hex")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Score = Annotated[float, Field(ge=0.0, le=1.0)]
#: Cleaned first, then checked: a value of nothing but control characters is empty.
NonEmptyText = Annotated[WireText, Field(min_length=1)]

EntityType = Literal["PERSON", "ORG", "COUNTRY", "CITY", "REGION", "EVENT"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    #: Name and version that go into the `schema` header, e.g. "RawArticle/2".
    schema_name: ClassVar[str]

    @classmethod
    def schema_header(cls) -> str:
        return f"{cls.schema_name}/{SCHEMA_VERSION}"


class Mention(BaseModel):
    """One occurrence of an entity: `text == article.text[start:end]`."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: OffsetText

    @model_validator(mode="after")
    def _ordered(self) -> "Mention":
        if self.end < self.start:
            raise ValueError("mention end must not precede start")
        return self


class Geo(BaseModel):
    """A place's coordinates (WGS 84)."""

    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)


class Entity(BaseModel):
    """A linked entity. `id` is canonical: country:PK, city:<geonames id>, person:<slug>, ..."""

    id: str = Field(pattern=r"^[a-z]+:[A-Za-z0-9._-]+$")
    name: NonEmptyText
    type: EntityType
    aliases: list[WireText] = Field(
        default_factory=list, description="other surface forms of this entity in the article"
    )
    country: CountryCode | None = None
    salience: Score = 0.0
    mentions: list[Mention] = Field(default_factory=list)
    # Schema version 2: present where the knowledge base knows them.
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$", description="Wikidata QID")
    geo: Geo | None = Field(default=None, description="coordinates of a place")
    confidence: Score | None = Field(default=None, description="how sure the linker is of type and id")


class Topic(BaseModel):
    """A taxonomy topic scored for one article; 0.5 means 'this article is about it'."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    label: WireText
    score: Score
    evidence: list[WireText] = Field(default_factory=list)


class RawArticle(_Model):
    """An article as the scraper extracted it; value of `news.articles.raw`."""

    schema_name: ClassVar[str] = "RawArticle"

    id: ArticleId
    url: NonEmptyText
    canonical_url: NonEmptyText
    source: NonEmptyText = Field(description="source id from the sources file")
    title: WireText
    # Cleaned in place (a control becomes a space) so that mention offsets into it still hold.
    text: OffsetText = Field(description="main text, boilerplate link lines removed")
    authors: list[WireText] = Field(default_factory=list)
    published_at: UtcDatetime | None = None
    fetched_at: UtcDatetime
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = Field(default=None, description="ISO 639-1")
    content_hash: Sha256Hex
    schema_version: int = SCHEMA_VERSION


class EnrichedArticle(RawArticle):
    """A RawArticle plus entities, topics and countries; value of `news.articles.enriched`."""

    schema_name: ClassVar[str] = "EnrichedArticle"

    entities: list[Entity] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list, description="sorted by score, highest first")
    countries: list[CountryCode] = Field(default_factory=list, description="most salient first")
    summary: WireText = ""
    enriched_at: UtcDatetime
    enricher_version: WireText


class DeadLetter(_Model):
    """A message a service could not process; value of `news.articles.dlq`."""

    schema_name: ClassVar[str] = "DeadLetter"

    topic: WireText
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    key: WireText | None = None
    # Not cleaned: it is the original, byte for byte (`printable_value` picks base64 for a NUL).
    value: str = Field(description="the original value: UTF-8 text, or base64 when `value_encoding` says so")
    value_encoding: Literal["utf-8", "base64"] = "utf-8"
    error: WireText
    service: WireText
    time: UtcDatetime
