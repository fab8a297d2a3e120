"""The sources file: which feeds, news sitemaps and pages to crawl, and how often.

A YAML file validated by pydantic; a bad file is reported with its line number::

    sources:
      - id: tdi
        name: The Diplomatic Insight
        feeds: [https://thediplomaticinsight.com/feed/]
        poll_interval: 10m
"""

import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import SourcesError
from .urls import UrlError, normalise_url

__all__ = ["Source", "SourcesFile", "load_sources", "parse_sources"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def _seconds(value: Any) -> Any:
    """`90`, `"90s"`, `"15m"`, `"1h"` -> seconds."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"not a duration: {value!r} (use seconds or e.g. '15m', '1h')")
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a URL must be a string")
    try:
        normalise_url(value)
    except UrlError as exc:
        raise ValueError(str(exc)) from exc
    return value.strip()


Seconds = Annotated[float, BeforeValidator(_seconds), Field(gt=0)]
Url = Annotated[str, BeforeValidator(_url)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64, description="short id, the `source` of articles")
    name: str = Field(min_length=1)
    homepage: Url | None = None
    feeds: list[Url] = Field(default_factory=list, description="RSS or Atom feed URLs")
    sitemaps: list[Url] = Field(default_factory=list, description="news sitemaps or sitemap indexes")
    pages: list[Url] = Field(default_factory=list, description="article pages to fetch every poll")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1, when pages do not say")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 of the outlet")
    poll_interval: Seconds = 900.0
    concurrency: int = Field(default=2, ge=1, le=16, description="pages of this source fetched at once")
    request_delay: float | None = Field(
        default=None, ge=0, description="seconds between requests to its hosts (default: setting per_host_delay)"
    )
    max_age: Seconds | None = Field(default=None, description="skip feed and sitemap entries older than this")
    allow_private: bool = Field(default=False, description="allow loopback/private addresses (the sample site only)")
    enabled: bool = True

    @model_validator(mode="after")
    def _has_something_to_crawl(self) -> "Source":
        if not (self.feeds or self.sitemaps or self.pages):
            raise ValueError("a source needs at least one of feeds, sitemaps or pages")
        return self


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _unique_ids(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        for source in sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return sources

    @property
    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def parse_sources(text: str, *, name: str = "<sources>") -> SourcesFile:
    """Parse and validate sources YAML; raises `SourcesError` naming the file and line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        raise SourcesError(f"{where}: not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise SourcesError(f"{name}:1: expected a mapping with a 'sources' list")
    try:
        return SourcesFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            # Model-level errors of a union/validator carry no field; drop pydantic's internal tags.
            loc = tuple(part for part in error["loc"] if isinstance(part, int) or not str(part).startswith("function-"))
            line = _line_of(root, loc)
            field = ".".join(map(str, loc)) or "<file>"
            problems.append(f"{name}:{line}: {field}: {error['msg']}")
        raise SourcesError("invalid sources file:\n  " + "\n  ".join(problems)) from exc


def load_sources(path: Path) -> SourcesFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc.strerror or exc}") from exc
    return parse_sources(text, name=str(path))
