"""Validate the enricher evaluation set and print its statistics.

Usage: python eval/enricher/check.py [--suggest] [ARTICLE.json ...]

Checks every article file against the format in README.md: the schema, the topic ids of
schemas/taxonomy.yaml, that every gold entity occurs in the body (by name, alias or surface
form; "Read More" link lines do not count), word counts, per-topic counts and the number of
countries. `--suggest` also lists capitalised words of each body that no gold entity covers,
as a prompt for the hand check (most are sentence starts or common nouns, some are misses).
Exits 1 when any article has an error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from newswire.schemas import load_taxonomy, slugify

__all__ = ["Article", "Gold", "GoldEntity", "body_of", "check_article", "main", "uncovered_capitals"]

#: the development split and the frozen test split (no rule is written against test/)
SPLIT_DIRS = tuple(Path(__file__).resolve().parent / split for split in ("dev", "test"))
MIN_WORDS, MAX_WORDS = 250, 500
MIN_ARTICLES, MIN_PER_TOPIC, MIN_COUNTRIES = 64, 6, 40

# Link lines that sites append to a body; they are not part of the story.
_READ_MORE = re.compile(r"^\s*(Read More|Read more|Also Read|READ MORE)\s*:.*$", re.M)
# Capitalised words that are not names in this set's style (sentence starts, titles, dates).
_NOT_NAMES = frozenset(
    "A An The In On At As By For From Of To With But And Or If When While After Before During Since "
    "It Its He She They We I His Her Their Our This That These Those There Here Some Many Most Few "
    "Officials Analysts Residents Police President Prime Minister Ministers Minister Mr Mrs Ms Dr "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
    "July August September October November December Read More Also According Under Over Despite "
    "Meanwhile However Earlier Later Last Next Both Several Other Such One Two Three Four Five Six "
    "Speaking Asked Local Senior Government Foreign Finance Chief Secretary General Director Governor "
    "Ambassador Chairman Chairwoman King Queen Crown Prince Sheikh Emir Chancellor Vice Deputy Mayor "
    "Justice Judge Captain Coach Professor Sir Lord General Colonel Commander Spokesperson Spokesman "
    "Spokeswoman Minister's Where What Why How Who Among Between Without Within Across Until Unlike "
    "Every Each All No Not Only Even Yet Still Also Then Than So Because Although Though Once Now "
    "Kilometres Per Percent Celsius Sunday's Monday's Tuesday's Wednesday's Thursday's Friday's "
    "Saturday's".split()
)

EntityTypeName = Literal["PERSON", "ORG", "COUNTRY", "CITY", "REGION", "EVENT"]


class GoldEntity(BaseModel):
    """One real-world entity of an article, listed once under its canonical name."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    type: EntityTypeName
    id: str | None = Field(default=None, pattern=r"^[a-z]+:[A-Za-z0-9._-]+$")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    aliases: list[str] = Field(default_factory=list, description="other names of it in the text")
    surface: list[str] = Field(default_factory=list, description="demonyms and other forms in the text")

    @model_validator(mode="after")
    def _ids_by_type(self) -> GoldEntity:
        if self.type == "COUNTRY" and (self.id is None or not re.fullmatch(r"country:[A-Z]{2}", self.id)):
            raise ValueError(f"country {self.name!r} needs id country:<ISO alpha-2>")
        if self.type == "PERSON" and self.id != f"person:{slugify(self.name)}":
            raise ValueError(f"person {self.name!r} needs id person:{slugify(self.name)}")
        if self.type == "CITY" and self.country is None:
            raise ValueError(f"city {self.name!r} needs its country")
        if self.type == "CITY" and self.id is not None:
            raise ValueError(f"city {self.name!r}: GeoNames ids are the linker's job, leave id out")
        return self

    @property
    def forms(self) -> list[str]:
        return [self.name, *self.aliases, *self.surface]


class Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entities: list[GoldEntity]
    topics: list[str] = Field(min_length=1, max_length=3)


class Article(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^\d{3}-[a-z0-9-]+$")
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    source: Literal["written for newswire (CC BY 4.0)"]
    gold: Gold


def body_of(text: str) -> str:
    """The text without "Read More" link lines, which must not count for entities or topics."""
    return _READ_MORE.sub("", text)


def _spans(form: str, body: str) -> list[tuple[int, int]]:
    # Word boundaries, so "Oman" is not found inside "Romania" and "Niger" not inside "Nigeria";
    # a hyphen is a boundary, so "Pakistan-Kazakhstan" mentions both countries.
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", body)]


def _occurs(form: str, body: str) -> bool:
    return bool(_spans(form, body))


def _only_nested(entity: GoldEntity, others: list[GoldEntity], body: str) -> bool:
    """True when every occurrence of the entity lies inside a longer name of another gold entity.

    "Nepal" inside "Nepal Red Cross Society" is part of the organisation's name, not a mention
    of the country, so such an entity must also occur on its own.
    """
    outer = [span for other in others if other is not entity for form in other.forms for span in _spans(form, body)]
    own = [span for form in entity.forms for span in _spans(form, body)]
    return bool(own) and all(
        any(start <= s and e <= end and (end - start) > (e - s) for start, end in outer) for s, e in own
    )


def check_article(article: Article, *, path: Path, topic_ids: set[str]) -> list[str]:
    """The errors of one article; an empty list when it is well-formed."""
    errors: list[str] = []
    if path.stem != article.id:
        errors.append(f"id {article.id!r} differs from the file name")
    words = len(article.text.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        errors.append(f"{words} words, expected {MIN_WORDS}-{MAX_WORDS}")
    unknown = [t for t in article.gold.topics if t not in topic_ids]
    if unknown:
        errors.append(f"unknown topics {unknown}")
    if len(set(article.gold.topics)) != len(article.gold.topics):
        errors.append("duplicate topics")
    body = body_of(article.text)
    seen: Counter[tuple[str, str]] = Counter()
    for entity in article.gold.entities:
        seen[(entity.type, entity.id or entity.name.casefold())] += 1
        if not any(_occurs(form, body) for form in entity.forms):
            errors.append(f"{entity.type} {entity.name!r} does not occur in the body")
        if _only_nested(entity, article.gold.entities, body):
            errors.append(f"{entity.type} {entity.name!r} occurs only inside the names of other entities")
        for form in [*entity.aliases, *entity.surface]:
            if not _occurs(form, body):
                errors.append(f"{entity.type} {entity.name!r}: form {form!r} does not occur in the body")
    errors.extend(f"{kind} {key!r} listed {n} times" for (kind, key), n in seen.items() if n > 1)
    # A form shared by two entities would make the gold ambiguous about what a mention links to.
    owners: Counter[str] = Counter(form for entity in article.gold.entities for form in set(entity.forms))
    errors.extend(f"form {form!r} belongs to {n} entities" for form, n in owners.items() if n > 1)
    return errors


def uncovered_capitals(article: Article) -> list[str]:
    """Capitalised words of the body that no gold form covers: candidates for a missed entity."""
    body = body_of(article.text)
    covered = [False] * len(body)
    for entity in article.gold.entities:
        for form in entity.forms:
            for start, end in _spans(form, body):
                covered[start:end] = [True] * (end - start)
    found: list[str] = []
    for match in re.finditer(r"\b[A-Z][\w'’.-]*", body):
        word = match.group().rstrip(".").removesuffix("'s").removesuffix("’s")
        if not any(covered[match.start() : match.end()]) and word not in _NOT_NAMES and word not in found:
            found.append(word)
    return found


def _load(path: Path) -> Article:
    return Article.model_validate(json.loads(path.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="article files (default: all of dev/ and test/)")
    parser.add_argument("--suggest", action="store_true", help="list capitalised words no entity covers")
    args = parser.parse_args(argv)

    taxonomy = load_taxonomy()
    topic_ids = set(taxonomy.ids)
    paths = args.files or sorted((p for d in SPLIT_DIRS for p in d.glob("*.json")), key=lambda p: p.name)
    articles: list[Article] = []
    failed = 0
    for path in paths:
        try:
            article = _load(path)
        except (OSError, ValidationError, json.JSONDecodeError) as exc:
            failed += 1
            print(f"{path.name}: invalid: {exc}")
            continue
        errors = check_article(article, path=path, topic_ids=topic_ids)
        for error in errors:
            print(f"{path.name}: {error}")
        failed += bool(errors)
        if args.suggest:
            print(f"{path.name}: uncovered: {', '.join(uncovered_capitals(article))}")
        articles.append(article)

    per_topic = Counter(t for a in articles for t in a.gold.topics)
    per_type = Counter(e.type for a in articles for e in a.gold.entities)
    countries = Counter(e.id.split(":")[1] for a in articles for e in a.gold.entities if e.type == "COUNTRY" and e.id)
    words = [len(a.text.split()) for a in articles]

    print(f"\narticles: {len(articles)} ({failed} with errors)")
    if words:
        print(f"words per article: min {min(words)}, mean {sum(words) / len(words):.0f}, max {max(words)}")
    print("\narticles per topic:")
    for topic in taxonomy.ids:
        flag = "" if per_topic[topic] >= MIN_PER_TOPIC else f"  (< {MIN_PER_TOPIC})"
        print(f"  {topic:<22} {per_topic[topic]:>3}{flag}")
    print(f"\ngold entities per type (total {sum(per_type.values())}):")
    for kind, n in sorted(per_type.items()):
        print(f"  {kind:<8} {n:>4}")
    print(f"\ncountries: {len(countries)} distinct")
    print("  " + ", ".join(f"{code} {n}" for code, n in countries.most_common()))

    shortfalls = []
    if len(articles) < MIN_ARTICLES:
        shortfalls.append(f"{len(articles)} articles < {MIN_ARTICLES}")
    if len(countries) < MIN_COUNTRIES:
        shortfalls.append(f"{len(countries)} countries < {MIN_COUNTRIES}")
    shortfalls.extend(f"topic {t}: {per_topic[t]} < {MIN_PER_TOPIC}" for t in taxonomy.ids if per_topic[t] < MIN_PER_TOPIC)
    if shortfalls and not args.files:
        print("\nshortfalls: " + "; ".join(shortfalls))
    return 1 if failed or (shortfalls and not args.files) else 0


if __name__ == "__main__":
    sys.exit(main())
