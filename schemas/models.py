"""The pydantic v2 models of the wire contract (see CONTRACT.md, "Models").

Every Kafka message value is one of these models as JSON. Consumers ignore unknown fields so
that a newer producer can add fields without breaking older subscribers.
"""

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

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
]

#: 2 added the optional `wikidata`, `geo` and `confidence` of entities; version-1 readers ignore them.
SCHEMA_VERSION = 2


def _to_utc(value: datetime) -> datetime:
    # Naive times are taken as UTC: feeds and sitemaps often omit the offset.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
ArticleId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="sha256(canonical_url)[:16 bytes], hex")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Score = Annotated[float, Field(ge=0.0, le=1.0)]

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
    text: str

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
    name: str = Field(min_length=1)
    type: EntityType
    aliases: list[str] = Field(default_factory=list, description="other surface forms of this entity in the article")
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
    label: str
    score: Score
    evidence: list[str] = Field(default_factory=list)


class RawArticle(_Model):
    """An article as the scraper extracted it; value of `news.articles.raw`."""

    schema_name: ClassVar[str] = "RawArticle"

    id: ArticleId
    url: str = Field(min_length=1)
    canonical_url: str = Field(min_length=1)
    source: str = Field(min_length=1, description="source id from the sources file")
    title: str
    text: str = Field(description="main text, boilerplate link lines removed")
    authors: list[str] = Field(default_factory=list)
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
    summary: str = ""
    enriched_at: UtcDatetime
    enricher_version: str


class DeadLetter(_Model):
    """A message a service could not process; value of `news.articles.dlq`."""

    schema_name: ClassVar[str] = "DeadLetter"

    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    key: str | None = None
    value: str = Field(description="the original value: UTF-8 text, or base64 when `value_encoding` says so")
    value_encoding: Literal["utf-8", "base64"] = "utf-8"
    error: str
    service: str
    time: UtcDatetime
