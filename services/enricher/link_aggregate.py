"""Aggregation: one `Entity` per key with its mentions, aliases, salience and confidence.

`confidence` (schema v2, in [0, 1]) says how sure the linker is of the entity's type and id, from
what decided them, over all its mentions:

- 0.90: a gazetteer or knowledge-base entry names it (0.75 when only a demonym does: "French");
- 0.80: a rule the linker trusts without NER (names the gazetteers know in parts, datelines,
  routes, COP conferences, storms);
- 0.65: NER's span, cleaned and typed by the rules, that no list knows;
- 0.60: a rule alone (a name after a person title, a surname NER passed over);
- less 0.15 for a place whose name the knowledge base also knows as an organisation
  ("Barcelona", "Amazon"): the context decided between them;
- plus 0.03 per further mention (at most 0.09): a name the article repeats is less likely a
  misreading. Capped at 0.99.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence

from newswire.schemas import Entity, Geo, Mention

from .doc_view import DocView
from .link_base import (
    _Candidate,
    _norm,
)

__all__ = ["confidence", "salience_scores"]

logger = logging.getLogger(__name__)


def salience_scores(first_positions: Sequence[float], counts: Sequence[float], in_title: Sequence[bool]) -> list[float]:
    """Salience in [0, 1] from the first mention's relative position (earlier is better), the
    mention count relative to the article's most mentioned entity, and presence in the title."""
    top = max(counts, default=1) or 1
    return [
        round(min(1.0, 0.4 * (1.0 - pos) + 0.4 * (count / top) + (0.2 if title else 0.0)), 4)
        for pos, count, title in zip(first_positions, counts, in_title, strict=True)
    ]



def _aggregate(
    doc: DocView,
    cands: list[_Candidate],
    *,
    title: str,
    related: Sequence[tuple[int, int]],
    qid: Callable[[str], str | None],
    geo: Callable[[str], tuple[float, float] | None],
) -> list[Entity]:
    groups: dict[str, list[_Candidate]] = defaultdict(list)
    for cand in cands:
        groups[cand.key].append(cand)
    length = max(len(doc.text), 1)
    title_norm = _norm(title)

    def in_related(cand: _Candidate) -> bool:
        return any(a <= cand.start_char < b for a, b in related)

    rows: list[tuple[str, list[_Candidate]]] = sorted(
        groups.items(), key=lambda item: min(c.start_char for c in item[1])
    )
    positions, counts, titled = [], [], []
    for _, group in rows:
        body = [c for c in group if not in_related(c)]
        first = min(c.start_char for c in (body or group))
        positions.append(first / length)
        counts.append(len(body) + 0.5 * (len(group) - len(body)))
        forms = {_norm(c.text) for c in group} | {_norm(group[0].name)}
        titled.append(bool(title_norm) and any(f and f in title_norm for f in forms))
    saliences = salience_scores(positions, counts, titled)
    entities: list[Entity] = []
    for (key, group), salience in zip(rows, saliences, strict=True):
        head = group[0]
        type_ = head.type
        name = head.name
        aliases: list[str] = []
        seen = {_norm(name)}
        for cand in sorted(group, key=lambda c: c.start_char):
            for form in (cand.text, cand.titled):
                if form and _norm(form) not in seen:
                    seen.add(_norm(form))
                    aliases.append(form)
        mentions = sorted(
            {
                (c.start_char, c.end_char): Mention(start=c.start_char, end=c.end_char, text=c.text)
                for c in group
                # "French officials" mentions France, but "French" is no span of a place's name:
                # demonyms stay in `aliases` and salience, out of `mentions`.
                if c.kind != "demonym"
            }.values(),
            key=lambda m: m.start,
        )
        entities.append(
            Entity(
                id=key,
                name=name,
                type=type_,
                aliases=aliases,
                country=head.country,
                salience=salience,
                mentions=mentions,
                wikidata=qid(key),
                geo=Geo(lat=point[0], lon=point[1]) if (point := geo(key)) else None,
                confidence=confidence(group),
            )
        )
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start if e.mentions else 0))
    return entities


_PLACE_TYPES = frozenset({"COUNTRY", "CITY", "REGION"})
_KNOWN, _DEMONYM, _BACKED, _NER, _RULE = 0.90, 0.75, 0.80, 0.65, 0.60
_AMBIGUOUS = 0.15
_PER_MENTION, _REPEAT_MAX, _CEILING = 0.03, 0.09, 0.99


def confidence(group: Sequence[_Candidate]) -> float:
    """How sure the linker is of the type and id of the entity these candidates mention (see the
    module docstring)."""
    known = [c for c in group if c.entry is not None]
    if known:
        base = _DEMONYM if all(c.kind == "demonym" for c in known) else _KNOWN
    elif any(c.backed for c in group):
        base = _BACKED
    elif any(c.source == "ner" for c in group):
        base = _NER
    else:
        base = _RULE
    if group[0].type in _PLACE_TYPES and any(c.known_org for c in group):
        base -= _AMBIGUOUS  # "Barcelona", "Amazon": the context chose the place
    repeat = min(_REPEAT_MAX, _PER_MENTION * (len(group) - 1))
    return round(min(_CEILING, base + repeat), 2)
