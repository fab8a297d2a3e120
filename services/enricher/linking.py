"""Entity linking: spaCy NER and the gazetteers combined into one canonical entity list.

The order of work for one document:

1. candidates from the gazetteer matcher, from cleaned NER spans and from an event-name rule;
2. overlaps resolved (a gazetteer hit beats the NER span around it unless the NER span is a
   longer organisation or person name; a known person is never an organisation);
3. people merged within the article (surname and titled forms join the full name);
4. one `Entity` per real-world entity with every mention's offsets, aliases and a salience.
"""

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from spacy.tokens import Doc, Span, Token

from newswire.schemas import Entity, EntityType, Mention, slugify

from .gazetteer import Gazetteer, GazetteerEntry, GazetteerMatch, NameRules, SurfaceKind

__all__ = ["EntityLinker", "salience_scores"]

logger = logging.getLogger(__name__)

Source = Literal["gazetteer", "ner", "rule"]

#: NER labels the linker reads; the rest (DATE, CARDINAL, ...) are not entities of the contract.
_NER_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_DETERMINERS = frozenset({"the", "The", "THE", "a", "an"})
_POSSESSIVES = frozenset({"'s", "’s", "'", "’", "s"})
_CONJUNCTIONS = frozenset({"and", "&", "or"})
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    type: EntityType
    source: Source
    entry: GazetteerEntry | None = None
    kind: SurfaceKind = "name"
    #: the titled form as written ("President Tokayev"), when a person title precedes the name
    titled: str | None = None
    #: grouping key, filled in once the candidate is linked
    key: str = ""
    name: str = ""
    country: str | None = None
    extra_aliases: list[str] = field(default_factory=list)

    def overlaps(self, other: "_Candidate") -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: "_Candidate") -> bool:
        return self.start <= other.start and other.end <= self.end


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def _entity_id(type_: EntityType, name: str) -> str:
    slug = slugify(name)
    if not slug:
        # Names in scripts slugify cannot transliterate still need a stable id.
        slug = "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
    return f"{type_.lower()}:{slug}"


def salience_scores(
    first_positions: Sequence[float], counts: Sequence[int], in_title: Sequence[bool]
) -> list[float]:
    """Salience in [0, 1] from the first mention's relative position (earlier is better), the
    mention count relative to the article's most mentioned entity, and presence in the title."""
    top = max(counts, default=1) or 1
    return [
        round(min(1.0, 0.4 * (1.0 - pos) + 0.4 * (count / top) + (0.2 if title else 0.0)), 4)
        for pos, count, title in zip(first_positions, counts, in_title, strict=True)
    ]


class EntityLinker:
    """Links the entities of spaCy docs; one instance per `nlp`, reused for every document."""

    def __init__(self, nlp: Any, gazetteer: Gazetteer, rules: NameRules) -> None:
        self._nlp = nlp
        self._gaz = gazetteer
        self._rules = rules
        self._noise = rules.noise
        self._titles = rules.person_titles
        gazetteer.compile(nlp)

    # ---------------------------------------------------------------- candidates

    def _title_before(self, doc: Doc, start: int) -> tuple[int, str] | None:
        """The person title right before token `start`, as (first token, title text)."""
        for width in range(min(self._rules.max_title_tokens, start), 0, -1):
            text = doc[start - width : start].text
            if text in self._titles:
                return start - width, text
        return None

    def _is_title_token(self, token: Token) -> bool:
        return token.text in self._titles

    def _is_name_word(self, token: Token) -> bool:
        """A word that can be part of a proper name: capitalised, not a title, not noise."""
        text = token.text
        return (
            text[:1].isupper()
            and not self._is_title_token(token)
            and text.lower() not in self._noise
            and text not in self._rules.headline_verbs
        )

    def _gazetteer_candidates(self, doc: Doc, ner_place_tokens: set[int]) -> list[_Candidate]:
        found: list[_Candidate] = []
        for match in self._gaz.find(doc, self._nlp):
            entries = self._usable_entries(match, ner_place_tokens)
            if not entries:
                continue
            entry = entries[0]
            found.append(
                _Candidate(
                    match.start,
                    match.end,
                    match.start_char,
                    match.end_char,
                    match.text,
                    entry.type,
                    "gazetteer",
                    entry=entry,
                    kind=match.kind,
                )
            )
        return _longest_first(found)

    def _usable_entries(self, match: GazetteerMatch, ner_place_tokens: set[int]) -> list[GazetteerEntry]:
        ner_agrees = any(i in ner_place_tokens for i in range(match.start, match.end))
        return [e for e in match.candidates if not e.needs_ner or ner_agrees]

    def _ner_candidates(self, doc: Doc) -> list[_Candidate]:
        found = []
        for ent in doc.ents:
            if ent.label_ not in _NER_LABELS:
                continue
            cand = self._clean_ner_span(doc, ent)
            if cand is not None:
                found.append(cand)
        return found

    def _clean_ner_span(self, doc: Doc, ent: Span) -> _Candidate | None:
        start, end, label = ent.start, ent.end, ent.label_
        # "the President’s Secretariat" comes out of NER as "’s Secretariat": take the owner back.
        if doc[start].text in _POSSESSIVES and start > 0:
            while start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].text not in _DETERMINERS:
                start -= 1
                if ent.start - start >= 3:
                    break
            if doc[start].text in _POSSESSIVES:
                return None
        while start < end and (doc[start].text in _DETERMINERS or doc[start].is_punct or doc[start].is_space):
            start += 1
        # Headline case: "Kazakhstan Seeks Science ..." - a name never runs across a verb.
        verb = next((i for i in range(start + 1, end) if doc[i].text in self._rules.headline_verbs), None)
        if verb is not None:
            end = verb
        while end > start and (
            doc[end - 1].text in _POSSESSIVES
            or doc[end - 1].is_punct
            or doc[end - 1].is_space
            or doc[end - 1].text in self._rules.headline_verbs
        ):
            end -= 1
        titled_from: int | None = None
        title_inside = self._leading_title(doc, start, end)
        if title_inside is not None and label in {"PERSON", "ORG", "GPE", "NORP"}:
            titled_from, start = start, title_inside
            label = "PERSON"
        if start >= end:
            return None
        span = doc[start:end]
        if not any(self._is_name_word(t) for t in span):
            return None
        if _norm(span.text) in self._noise:
            return None
        type_: EntityType | None
        last = span[-1].text
        if label == "PERSON":
            type_ = "ORG" if last in self._rules.org_heads else "PERSON"
        elif label == "ORG":
            type_ = "ORG"
        elif label in {"GPE", "LOC"}:
            type_ = "REGION"  # refined to CITY/COUNTRY when linked
        elif label == "EVENT":
            type_ = "EVENT"
        elif label == "FAC":
            type_ = "ORG" if last in self._rules.org_heads else None
        else:
            type_ = None  # unknown NORP: demonyms the gazetteer does not know are not entities
        if type_ is None:
            return None
        cand = _Candidate(start, end, span.start_char, span.end_char, span.text, type_, "ner")
        if type_ == "PERSON":
            before = self._title_before(doc, start)
            if titled_from is not None:
                cand.titled = doc[titled_from:end].text
            elif before is not None:
                cand.titled = doc[before[0] : end].text
            elif label != "PERSON":
                pass
        elif label == "ORG" and self._title_before(doc, start) is not None and len(span) <= 3:
            # "President Kassym-Jomart Tokayev" tagged ORG: what follows a person title is a person.
            if last not in self._rules.org_heads:
                before = self._title_before(doc, start)
                assert before is not None
                cand.type = "PERSON"
                cand.titled = doc[before[0] : end].text
        return cand

    def _leading_title(self, doc: Doc, start: int, end: int) -> int | None:
        """Token index after a person title that opens the span, if one does and a name follows."""
        for width in range(min(self._rules.max_title_tokens, end - start - 1), 0, -1):
            if doc[start : start + width].text in self._titles:
                if doc[start + width].text in _POSSESSIVES:
                    return None  # "President’s Secretariat" is the president's office, not a name
                rest = doc[start + width : end]
                if any(self._is_name_word(t) for t in rest):
                    return start + width
                return None
        return None

    def _event_candidates(self, doc: Doc) -> list[_Candidate]:
        """Capitalised runs ending in an event noun: "Pakistan-Kazakhstan Business Forum"."""
        heads = self._rules.event_heads
        found: list[_Candidate] = []
        for token in doc:
            if token.text not in heads:
                continue
            start = token.i
            while start > 0:
                prev = doc[start - 1]
                if prev.text == "-" and start > 1 and doc[start - 2].text[:1].isupper():
                    start -= 2
                    continue
                if prev.text[:1].isupper() and prev.text not in _DETERMINERS and prev.text.lower() not in self._noise:
                    start -= 1
                    continue
                break
            if token.i - start < 1 or doc[start].is_sent_start and token.i - start < 2:
                continue
            span = doc[start : token.i + 1]
            found.append(_Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "EVENT", "rule"))
        return found

    # ---------------------------------------------------------------- resolution

    def _outside_words(self, doc: Doc, outer: _Candidate, inner: Sequence[_Candidate]) -> list[Token]:
        covered = {i for c in inner for i in range(c.start, c.end)}
        return [doc[i] for i in range(outer.start, outer.end) if i not in covered]

    def _resolve(self, doc: Doc, gaz: list[_Candidate], ner: list[_Candidate], events: list[_Candidate]) -> list[_Candidate]:
        kept_gaz = list(gaz)
        kept_ner: list[_Candidate] = []
        for cand in ner:
            inner = [g for g in kept_gaz if g.overlaps(cand)]
            if not inner:
                kept_ner.append(cand)
                continue
            if any(not cand.contains(g) for g in inner) or any(g.start == cand.start and g.end == cand.end for g in inner):
                continue  # the gazetteer's span and type win
            if self._ner_dominates(doc, cand, inner):
                kept_gaz = [g for g in kept_gaz if g not in inner]
                kept_ner.append(cand)
        chosen = kept_gaz + kept_ner
        for event in events:
            inside = [c for c in chosen if c.overlaps(event)]
            if any(not event.contains(c) or c.type == "PERSON" for c in inside):
                continue
            if any(c.start == event.start and c.end == event.end and c.source == "gazetteer" for c in inside):
                continue
            chosen = [c for c in chosen if c not in inside] + [event]
        return sorted(chosen, key=lambda c: (c.start, c.end))

    def _ner_dominates(self, doc: Doc, cand: _Candidate, inner: Sequence[_Candidate]) -> bool:
        """Whether a NER span keeps the gazetteer hits inside it ("OIC-COMSTECH", "Paris Hilton")."""
        if any(g.type == "PERSON" for g in inner):
            return False  # a known person is never part of an organisation's or other name
        rest = self._outside_words(doc, cand, inner)
        if any(t.text in _CONJUNCTIONS for t in rest):
            return False  # "Central and South Asia" is two places, not one
        if cand.type == "ORG" and len(inner) >= 2 and all(g.type == "ORG" for g in inner):
            # "OIC-COMSTECH": a body named by its parent and itself is an entity of its own.
            return all(t.text in {"-", "/"} for t in rest) or any(self._is_name_word(t) for t in rest)
        return any(self._is_name_word(t) for t in rest)

    # ---------------------------------------------------------------- linking

    def _place_options(self, cand: _Candidate) -> list[GazetteerEntry]:
        """Every place the span may name: gazetteer hits first, then smaller places of that name.
        An all-capitals dateline ("LONDON") is looked up in title case too."""
        options: list[GazetteerEntry] = []
        names = [cand.text] if not cand.text.isupper() else [cand.text, cand.text.title()]
        for name in names:
            options += [e for e in self._gaz.lookup(name) if e.type in {"COUNTRY", "CITY", "REGION"}]
            options += self._gaz.minor_places.get(name, [])
        if cand.entry is not None and cand.entry not in options:
            options.insert(0, cand.entry)
        return options

    def _link_places(self, cands: list[_Candidate]) -> None:
        places = [c for c in cands if c.type in {"COUNTRY", "CITY", "REGION"}]
        context: set[str] = set()
        for cand in cands:
            if cand.entry is not None and cand.entry.type != "CITY" and cand.entry.country:
                context.add(cand.entry.country)
            elif cand.entry is None and cand.type == "REGION":
                context.update(e.country for e in self._gaz.minor_places.get(cand.text, [])[:1] if e.country)
        for cand in places:
            options = self._place_options(cand)
            if cand.entry is not None and cand.entry.type != "CITY":
                options = [cand.entry]
            # Of several places with one name, the one in a country the article mentions wins.
            in_context = [e for e in options if e.country in context]
            entry = (in_context or options or [None])[0]
            if entry is not None:
                cand.entry, cand.type = entry, entry.type
                cand.key, cand.name, cand.country = entry.id, entry.name, entry.country
            else:
                cand.name = cand.text
                cand.key = _entity_id("REGION", cand.text)

    def _link_people(self, doc: Doc, cands: list[_Candidate]) -> None:
        people = [c for c in cands if c.type == "PERSON"]
        # Full names first: known people carry their gazetteer id; NER names key on themselves.
        full: list[_Candidate] = []
        for cand in people:
            if cand.entry is not None:
                cand.key, cand.name, cand.country = cand.entry.id, cand.entry.name, cand.entry.country
                full.append(cand)
            elif len(_name_words(cand.text)) >= 2:
                full.append(cand)
        for cand in full:
            if cand.key:
                continue
            words = _name_words(cand.text)
            # "Asif Zardari" joins "Asif Ali Zardari" when first and last names agree.
            same = [
                other
                for other in full
                if other is not cand and _name_words(other.name or other.text)[-1:] == words[-1:]
                and _name_words(other.name or other.text)[:1] == words[:1]
                and len(_name_words(other.name or other.text)) > len(words)
            ]
            target = same[0] if same else None
            if target is not None and target.key:
                cand.key, cand.name, cand.country = target.key, target.name, target.country
            else:
                longest = max((o for o in [cand, *same]), key=lambda o: len(o.text))
                cand.name = longest.entry.name if longest.entry else longest.text
                cand.key = longest.key or _entity_id("PERSON", cand.name)
        by_surname: dict[str, list[_Candidate]] = defaultdict(list)
        for cand in full:
            words = _name_words(cand.name)
            if len(words) >= 2:
                by_surname[words[-1]].append(cand)
        # Single words and other orgs/places that are a known surname here: "Tokayev", "Zardari".
        for cand in cands:
            if cand.key and cand.type == "PERSON":
                continue
            words = _name_words(cand.text)
            if len(words) != 1 or cand.source == "gazetteer" and cand.type != "PERSON":
                continue
            matches = by_surname.get(words[0])
            if not matches:
                if cand.type == "PERSON":
                    cand.name = cand.text
                    cand.key = _entity_id("PERSON", cand.text)
                continue
            before = [m for m in matches if m.start < cand.start]
            target = before[-1] if before else matches[0]
            cand.type, cand.key, cand.name, cand.country = "PERSON", target.key, target.name, target.country

    def _missed_surnames(self, doc: Doc, cands: list[_Candidate]) -> list[_Candidate]:
        """Bare surnames of people named in full elsewhere in the article that NER passed over."""
        surnames: dict[str, _Candidate] = {}
        for cand in cands:
            if cand.type == "PERSON" and cand.key:
                words = _name_words(cand.name)
                if len(words) >= 2 and len(words[-1]) > 2:
                    surnames.setdefault(words[-1], cand)
        if not surnames:
            return []
        covered = {i for c in cands for i in range(c.start, c.end)}
        found = []
        for token in doc:
            owner = surnames.get(token.text)
            if owner is None or token.i in covered:
                continue
            # A surname glued to a following capitalised word is another name ("Sharif Group").
            if token.i + 1 < len(doc) and self._is_name_word(doc[token.i + 1]):
                continue
            if token.i > 0 and self._is_name_word(doc[token.i - 1]):
                continue
            cand = _Candidate(token.i, token.i + 1, token.idx, token.idx + len(token.text), token.text, "PERSON", "rule")
            cand.key, cand.name, cand.country = owner.key, owner.name, owner.country
            before = self._title_before(doc, token.i)
            if before is not None:
                cand.titled = doc[before[0] : token.i + 1].text
            found.append(cand)
        return found

    def _link_others(self, doc: Doc, cands: list[_Candidate]) -> None:
        acronyms = _acronym_aliases(doc, cands)
        for cand in cands:
            if cand.key:
                continue
            if cand.entry is not None:
                cand.key, cand.name, cand.country = cand.entry.id, cand.entry.name, cand.entry.country
                continue
            name = cand.text
            owner = acronyms.get(name)
            if owner is not None and owner is not cand:
                name = owner.text
            cand.name = name
            cand.key = _entity_id(cand.type, name)
        # Variants of one organisation name differ only in case or quotes: one key for them.
        canonical: dict[tuple[str, str], str] = {}
        for cand in cands:
            if cand.source != "gazetteer" and cand.type in {"ORG", "EVENT", "REGION"}:
                norm = (cand.type, _norm(cand.name))
                first = canonical.setdefault(norm, cand.name)
                cand.name, cand.key = first, _entity_id(cand.type, first)

    def link(self, doc: Doc, *, title: str = "", related: Sequence[tuple[int, int]] = ()) -> list[Entity]:
        """Linked entities of `doc`, most salient first. `related` are char ranges of linked
        headlines of other stories: their mentions count at half weight for salience."""
        ner_place_tokens = {i for ent in doc.ents if ent.label_ in _PLACE_LABELS for i in range(ent.start, ent.end)}
        gaz = self._gazetteer_candidates(doc, ner_place_tokens)
        ner = self._ner_candidates(doc)
        events = self._event_candidates(doc)
        cands = self._resolve(doc, gaz, ner, events)
        for cand in cands:
            if cand.type == "PERSON" and cand.titled is None:
                before = self._title_before(doc, cand.start)
                if before is not None:
                    cand.titled = doc[before[0] : cand.end].text
        self._link_places(cands)
        self._link_people(doc, cands)
        cands += self._missed_surnames(doc, cands)
        self._link_others(doc, cands)
        return _aggregate(doc, [c for c in cands if c.key], title=title, related=related)


def _name_words(text: str) -> list[str]:
    return [w for w in text.replace("-", " ").split() if w[:1].isupper()] or text.split()


def _acronym_aliases(doc: Doc, cands: Sequence[_Candidate]) -> dict[str, _Candidate]:
    """"Long Name (LN)": the acronym in brackets names the same entity later in the article."""
    found: dict[str, _Candidate] = {}
    for cand in cands:
        if cand.type not in {"ORG", "EVENT"} or cand.end + 2 >= len(doc):
            continue
        if doc[cand.end].text == "(" and doc[cand.end + 2].text == ")":
            acronym = doc[cand.end + 1].text
            initials = "".join(w[0] for w in cand.text.replace("-", " ").split() if w[:1].isupper())
            if acronym.isupper() and len(acronym) >= 2 and acronym[0] == initials[:1]:
                found[acronym] = cand
    return found


def _longest_first(cands: list[_Candidate]) -> list[_Candidate]:
    """Drop gazetteer hits inside longer ones ("Asia" inside "Central Asia")."""
    kept: list[_Candidate] = []
    taken: set[int] = set()
    for cand in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
        if any(i in taken for i in range(cand.start, cand.end)):
            continue
        kept.append(cand)
        taken.update(range(cand.start, cand.end))
    return sorted(kept, key=lambda c: c.start)


def _aggregate(doc: Doc, cands: list[_Candidate], *, title: str, related: Sequence[tuple[int, int]]) -> list[Entity]:
    groups: dict[str, list[_Candidate]] = defaultdict(list)
    for cand in cands:
        groups[cand.key].append(cand)
    length = max(len(doc.text), 1)
    title_norm = _norm(title)

    def in_related(cand: _Candidate) -> bool:
        return any(a <= cand.start_char < b for a, b in related)

    rows: list[tuple[str, list[_Candidate]]] = sorted(groups.items(), key=lambda item: min(c.start_char for c in item[1]))
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
            {(c.start_char, c.end_char): Mention(start=c.start_char, end=c.end_char, text=c.text) for c in group}.values(),
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
            )
        )
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start if e.mentions else 0))
    return entities
