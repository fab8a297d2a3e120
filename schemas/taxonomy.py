"""Loader for `taxonomy.yaml`, the one list of topic ids with their IPTC Media Topic codes."""

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, Field

__all__ = ["Taxonomy", "TaxonomyTopic", "load_taxonomy"]


class TaxonomyTopic(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str
    iptc: str = Field(pattern=r"^medtop:\d{8}$")
    iptc_label: str
    description: str
    #: what a subscriber of `news.topics.<id>` gets: the stories the topic is about
    includes: list[str] = Field(default_factory=list)
    #: stories that mention the topic's words but belong elsewhere (and where they go)
    excludes: list[str] = Field(default_factory=list)


class Taxonomy(BaseModel):
    version: int
    topics: list[TaxonomyTopic]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def get(self, topic_id: str) -> TaxonomyTopic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


@cache
def load_taxonomy() -> Taxonomy:
    text = resources.files(__package__).joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    return Taxonomy.model_validate(yaml.safe_load(text))
