"""Context decides what a name means in its sentence; the cue words live in
`data/context_cues.yaml`, not here.

- `repair_ents`: NER spans that swallowed a score ("Chelsea 2-1 Arsenal"), a spaced dash
  ("MONTRÉAL - Owners") or a news agency's bracketed code after a dateline ("(TDI)") are cut.
- `drop_non_mentions`: a country's name in a currency ("US dollar"), celestial bodies ("the
  Moon") and the tail of a hyphenated word ("pro-Beijing") are no mentions of a place or person.
- `places_named_as_people`: "the sea port of Mongla" is a place whatever NER said.
- `decide_places`: a name that is both a place and an organisation ("Barcelona beat ...",
  "Amazon said ...") is decided by cue words around it in its sentence; NER's ORG for a name a
  place list knows stands unless the context says place. One sense per article: once the
  context shows a club, its other mentions without place cues are the club too.
- `city_state`: "Atlanta, Georgia" is the US state, not the country.

Candidates are the linker's mutable `_Candidate` objects (duck-typed here to keep this module free
of the linker). A little over 400 lines: the passes share the cue index and the score helpers.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Span

from .doc_view import DocView, SpanView
from .gazetteer import Gazetteer, read_data

__all__ = [
    "SCORE_CUT",
    "ContextCues",
    "city_state",
    "decide_places",
    "drop_non_mentions",
    "evidence",
    "load_cues",
    "places_named_as_people",
    "qualify_generic_bodies",
    "repair_ents",
    "score_width",
    "to_org",
]

logger = logging.getLogger(__name__)

_PLACE_TYPES = frozenset({"CITY", "REGION"})
_DASHES = frozenset({"-", "–", "—"})
_Cue = tuple[tuple[str, ...], int]
#: cue phrase -> its (highest) weight: looked up by the words around a name, not scanned
_CueIndex = dict[tuple[str, ...], int]
_RESULT_LINE_MAX = 160
#: `DocView.memo` key: token ranges of NER ORG spans that had a score cut off ("Federer 6-3")
SCORE_CUT = "score_cut"


@dataclass(frozen=True, slots=True)
class ContextCues:
    score: re.Pattern[str]
    org_after: tuple[_Cue, ...]
    org_before: tuple[_Cue, ...]
    place_before: tuple[_Cue, ...]
    place_after: tuple[_Cue, ...]
    place_nouns_before_of: frozenset[str]
    compass_words: frozenset[str]
    sport_words: frozenset[str]
    score_links: frozenset[str]
    result_links: frozenset[str]
    result_verbs: frozenset[str]
    generic_org_words: frozenset[str]
    celestial: frozenset[str]
    currency_words: frozenset[str]
    compound_prefixes: frozenset[str]
    agency_code: re.Pattern[str]
    result_line: re.Pattern[str]
    org_after_index: _CueIndex
    org_before_index: _CueIndex
    place_before_index: _CueIndex
    place_after_index: _CueIndex


def _cues(raw: dict[int, list[str]]) -> tuple[_Cue, ...]:
    return tuple((tuple(str(p).lower().split()), int(w)) for w, phrases in raw.items() for p in phrases)


def _index(cues: tuple[_Cue, ...]) -> _CueIndex:
    index: _CueIndex = {}
    for seq, weight in cues:
        index[seq] = max(weight, index.get(seq, weight))
    return index


@cache
def load_cues() -> ContextCues:
    raw = read_data("context_cues.yaml")
    org_after, org_before = _cues(raw["org_after"]), _cues(raw["org_before"])
    place_before, place_after = _cues(raw["place_before"]), _cues(raw["place_after"])
    return ContextCues(
        score=re.compile(raw["score"]),
        org_after=org_after,
        org_before=org_before,
        place_before=place_before,
        place_after=place_after,
        org_after_index=_index(org_after),
        org_before_index=_index(org_before),
        place_before_index=_index(place_before),
        place_after_index=_index(place_after),
        place_nouns_before_of=frozenset(w.lower() for w in raw["place_nouns_before_of"]),
        compass_words=frozenset(w.lower() for w in raw["compass_words"]),
        sport_words=frozenset(w.lower() for w in raw["sport_words"]),
        score_links=frozenset(w.lower() for w in raw["score_links"]),
        result_links=frozenset(w.lower() for w in (*raw["result_verbs"], *raw["result_links"])),
        result_verbs=frozenset(w.lower() for w in raw["result_verbs"]),
        generic_org_words=frozenset(raw["generic_org_words"]),
        celestial=frozenset(raw["celestial"]),
        currency_words=frozenset(w.lower() for w in raw["currency_words"]),
        compound_prefixes=frozenset(w.lower() for w in raw["compound_prefixes"]),
        agency_code=re.compile(raw["agency_code"]),
        result_line=re.compile(raw["result_line"]),
    )


# ------------------------------------------------------------------ NER spans


def _agency_code_chars(doc: DocView, cues: ContextCues) -> list[tuple[int, int]]:
    """Char ranges of bracketed agency codes after datelines ("Islamabad (TDI) -")."""
    ranges = []
    offset = 0
    for line in doc.text.split("\n"):
        match = cues.agency_code.match(line[:60])
        if match:
            ranges.append((offset + match.start("code"), offset + match.end("code")))
        offset += len(line) + 1
    return ranges


def _pieces(span: SpanView, cues: ContextCues) -> list[tuple[int, int]]:
    """Token ranges of `span` between the scores and spaced dashes inside it."""
    pieces, start = [], span.start
    doc = span.doc
    results = _on_result_line(doc, span.start, cues)
    for token in span:
        # "2-1" as one token, or "2", "-", "1" as three
        split_score = token.i + 2 < span.end and _score_at(doc, token.i, span.end, cues) and not cues.score.match(token.text)
        is_score = bool(cues.score.match(token.text)) or split_score or (results and _goals(token.text))
        if split_score:
            if token.i > start:
                pieces.append((start, token.i))
            start = token.i + 3
            continue
        if token.i < start:
            continue
        spaced_dash = token.text in _DASHES and token.whitespace_ and token.i > 0 and token.nbor(-1).whitespace_
        if is_score or spaced_dash:
            if token.i > start:
                pieces.append((start, token.i))
            start = token.i + 1
    if start < span.end:
        pieces.append((start, span.end))
    return pieces


def repair_ents(doc: DocView, *, cues: ContextCues) -> None:
    """Cut NER spans at scores and spaced dashes; drop agency codes. Changes `doc.doc.ents`."""
    codes = _agency_code_chars(doc, cues)
    ents: list[Span] = []
    changed = False
    for ent in doc.ents:
        code = next(((a, b) for a, b in codes if ent.start_char < b and a < ent.end_char), None)
        if code is not None:
            # "Islamabad (TDI)" as one span: the place before the bracket stays, the code goes.
            changed = True
            head = [t for t in doc[ent.start : ent.end] if t.idx + len(t) <= code[0] - 1]
            if head:
                ents.append(Span(doc.doc, ent.start, head[-1].i + 1, label="GPE"))
            continue
        pieces = _pieces(doc[ent.start : ent.end], cues)
        if pieces == [(ent.start, ent.end)]:
            ents.append(ent)
            continue
        changed = True
        scored = ent.label_ == "ORG" and not _on_result_line(doc, ent.start, cues)
        for start, end in pieces:
            part = doc[start:end]
            if scored and any(_score_at(doc, i, ent.end, cues) for i in (end, end - 2)):
                # NER's ORG came with the score glued on ("Federer 6-3"): context_sides weighs it
                doc.memo.setdefault(SCORE_CUT, set()).add((start, end))
            after_dash = start > 0 and doc[start - 1].text in _DASHES
            before_dash = end < len(doc) and doc[end].text in _DASHES
            if not any(t.text[:1].isupper() for t in part):
                continue
            if after_dash and len(part) == 1:
                continue  # "Owners" of "MONTRÉAL - Owners": the word that opens the sentence
            # "MONTRÉAL -" opening a line is a dateline: a place.
            line_start = start == 0 or "\n" in doc[start - 1].whitespace_ + doc[start - 1].text
            label = "GPE" if before_dash and line_start else ent.label_
            ents.append(Span(doc.doc, start, end, label=label))
    if changed:
        doc.doc.ents = ents


# ------------------------------------------------------------------ candidates


def _sentence_tokens(doc: DocView, i: int) -> tuple[int, int]:
    return doc.sentence(i)


def _match_after(doc: DocView, end: int, stop: int, cues: _CueIndex) -> int:
    """The weight of the strongest cue phrase the words after the name open with."""
    words = tuple(t.lower_ for t in doc[end : min(end + 4, stop)])
    return max((cues.get(words[:k], 0) for k in range(1, len(words) + 1)), default=0)


def _match_before(doc: DocView, start: int, first: int, cues: _CueIndex) -> int:
    """The weight of the strongest cue phrase the words before the name end with."""
    while start > first and doc[start - 1].lower_ == "the":
        start -= 1  # "south of the Amazon" reads as "south of"
    words = tuple(t.lower_ for t in doc[max(start - 4, first) : start])
    return max((cues.get(words[-k:], 0) for k in range(1, len(words) + 1)), default=0)


def evidence(doc: DocView, start: int, end: int, *, cues: ContextCues) -> tuple[int, int]:
    """(organisation score, place score) of the name at tokens [start, end) from its sentence."""
    first, stop = _sentence_tokens(doc, start)
    org = max(_match_after(doc, end, stop, cues.org_after_index), _match_before(doc, start, first, cues.org_before_index))
    if _score_at(doc, end, stop, cues) or _score_at(doc, start - 3, stop, cues) or _score_at(doc, start - 1, stop, cues):
        org = max(org, 3)
    elif start >= 2 and doc[start - 1].lower_ in cues.score_links and any(
        _score_at(doc, start - k, start - 1, cues) for k in (2, 4)
    ):
        org = max(org, 3)  # the other side of a score: "drew 1-1 with X", "won 3 - 1 against X"
    results = _on_result_line(doc, start, cues)
    if results:
        org = max(org, 3)  # "Hamburg 2 Bremen 1": teams on a results line
    place = max(
        _match_after(doc, end, stop, cues.place_after_index), _match_before(doc, start, first, cues.place_before_index)
    )
    if start > first and doc[start - 1].text == "the" and end - start == 1:
        place = max(place, 1)  # "the Amazon", "the Sahel": companies and clubs seldom take "the"
    before = doc[start - 2 : start] if start >= 2 else None
    if before is not None and before[1].lower_ == "of" and _singular(before[0].lower_) in cues.place_nouns_before_of:
        place = max(place, 3)  # "the ports of Karachi", "the city of Guayaquil"
    line_start = start == 0 or "\n" in doc[start - 1].text_with_ws
    dated = end < len(doc) and doc[end].text[:1].isdigit() and not _score_at(doc, end, stop, cues)  # no "2-1"
    if line_start and not results and end < len(doc) and (doc[end].text in {"(", ",", *_DASHES} or dated):
        place = max(place, 3)  # a dateline: "Karachi (newswire) –", "DHAKA, Nov 19 –", "BRUSSELS 1996-08-22"
    return org, place


def _sports_sentence(doc: DocView, i: int, cues: ContextCues) -> bool:
    first, stop = _sentence_tokens(doc, i)
    key = ("sports_sentence", first)
    found = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = any(t.lower_ in cues.sport_words for t in doc[first:stop])
    return bool(found)


def _on_result_line(doc: DocView, i: int, cues: ContextCues) -> bool:
    """Token i is on a line of "Name N Name N" results."""
    text = doc.text
    line_from = text.rfind("\n", 0, doc[i].idx) + 1
    line_to = text.find("\n", doc[i].idx)
    line_to = len(text) if line_to < 0 else line_to
    key = ("result_line", line_from)
    found = doc.memo.get(key)
    if found is None:
        # Results lines are short; a paragraph is not one, and the pattern would backtrack over it.
        found = doc.memo[key] = line_to - line_from <= _RESULT_LINE_MAX and bool(
            cues.result_line.match(text[line_from:line_to])
        )
    return bool(found)


def score_width(doc: DocView, i: int, stop: int, cues: ContextCues) -> int:
    """Tokens of the score starting at token i before `stop`: 1 for "2-1" as one token, 3 for "2",
    "-", "1"; 0 when none starts there."""
    if i < 0 or i >= stop:
        return 0
    if cues.score.match(doc[i].text):
        return 1
    if i + 2 < stop and _goals(doc[i].text) and doc[i + 1].text in _DASHES and _goals(doc[i + 2].text):
        return 3
    return 0


def _score_at(doc: DocView, i: int, stop: int, cues: ContextCues) -> bool:
    """A score ("2-1" as one token, or "2", "-", "1") starts at token i."""
    return score_width(doc, i, stop, cues) > 0


def _goals(text: str) -> bool:
    """A side's goals or points in a score: one or two digits (not a year or a date)."""
    return text.isdigit() and len(text) <= 2


def _singular(word: str) -> str:
    return word[:-3] + "y" if word.endswith("ies") else word.removesuffix("s")


def drop_non_mentions(doc: DocView, cands: list[Any], *, cues: ContextCues) -> list[Any]:
    """Without currencies' country names, celestial bodies and agency codes."""
    codes = _agency_code_chars(doc, cues)
    kept = []
    for cand in cands:
        nxt = doc[cand.end] if cand.end < len(doc) else None
        if cand.type in {"COUNTRY", "CITY", "REGION"} and nxt is not None and nxt.lower_ in cues.currency_words:
            continue
        if cand.type != "ORG" and cand.text.removeprefix("the ").removesuffix("'s") in cues.celestial:
            continue
        if any(a <= cand.start_char < b for a, b in codes):
            continue
        if _compound_tail(doc, cand.start, cues) or (
            cand.end - cand.start == 3 and _compound_tail(doc, cand.start + 2, cues)
        ):
            continue  # "pro-Beijing camp", or NER's span "Pro-Beijing" itself
        kept.append(cand)
    return kept


def _compound_tail(doc: DocView, start: int, cues: ContextCues) -> bool:
    """The name is the tail of a hyphenated word: "pro-Beijing", "anti-NATO", "ex-Chelsea"."""
    if start < 2:
        return False
    dash, prefix = doc[start - 1], doc[start - 2]
    return dash.text in _DASHES and not dash.whitespace_ and not prefix.whitespace_ and prefix.lower_ in cues.compound_prefixes


def places_named_as_people(doc: DocView, cands: Sequence[Any], *, cues: ContextCues, is_place: Any) -> None:
    """A name NER called a person is a place right after "port of", "city of", ..., or when a
    compass word opens it before a known place's name ("Central Java", "Northern Cape")."""
    for cand in cands:
        if cand.type != "PERSON":
            continue
        after_place_noun = (
            cand.start >= 2
            and doc[cand.start - 1].lower_ == "of"
            and doc[cand.start - 2].lower_ in cues.place_nouns_before_of
        )
        words = cand.text.split(" ", 1)
        compass = len(words) == 2 and words[0].lower() in cues.compass_words and is_place(words[1])
        if after_place_noun or compass:
            cand.type = "REGION"


def to_org(cand: Any) -> None:
    """Make a candidate the organisation of its own name, unlinked (linked again by name later)."""
    cand.type, cand.entry, cand.key, cand.country = "ORG", None, "", None
    cand.name = cand.text


def decide_places(doc: DocView, cands: Sequence[Any], *, cues: ContextCues, known_org: Any = None) -> None:
    """Cities and regions that the context shows to be organisations become organisations.
    `known_org(text)` says whether the knowledge base knows an organisation of that name."""
    for cand in cands:
        if known_org is not None and not cand.known_org and known_org(cand.text):
            cand.known_org = True
    ner_orgs = {(e.start, e.end) for e in doc.ents if e.label_ == "ORG"}
    decided: set[str] = set()
    undecided = []
    for cand in cands:
        if cand.type == "PERSON" and cand.known_org and evidence(doc, cand.start, cand.end, cues=cues)[0] >= 3:
            to_org(cand)  # "Everton 3-0": a club the knowledge base knows, in a fixture
            continue
        if cand.type not in _PLACE_TYPES or getattr(cand, "kind", "name") == "demonym":
            continue
        org, place = evidence(doc, cand.start, cand.end, cues=cues)
        ner_org = (cand.start, cand.end) in ner_orgs
        if getattr(cand, "known_org", False) and ner_org:
            # NER's ORG for a club or company the knowledge base knows, named like a minor place
            # (one the gazetteer trusts only with NER): that is evidence. The list alone is none
            # ("the Amazon" is also a company).
            minor = cand.entry is None or getattr(cand.entry, "needs_ner", False)
            org += 1 if minor else 0
        # The organisation cues must outweigh the place cues. With NER's ORG any cue does; else
        # only strong ones (a score, a transfer, shares) beat the place list, and a region of no
        # country (a natural or world region, which has no government to speak) yields to a
        # speech verb too. Without cues the place
        # list's entry (the prior) stands: the small model's ORG alone is often a dateline.
        worldwide = cand.type == "REGION" and (cand.entry is None or cand.entry.country is None)
        club = getattr(cand, "known_org", False) and _sports_sentence(doc, cand.start, cues)
        if club:
            org += 2
        if org > place and (ner_org or org >= 3 or worldwide or club):
            to_org(cand)
            decided.add(cand.text)
        elif place == 0:
            undecided.append(cand)
    for cand in undecided:
        if cand.text in decided:
            to_org(cand)


def city_state(doc: DocView, cands: Sequence[Any], *, gazetteer: Gazetteer, regions: Any) -> None:
    """ "Atlanta, Georgia": a country's name after a city and a comma is the region of the city's
    country that has that name, when the gazetteer or the knowledge base (`regions(name, cc)`
    gives `(id, name)` or None) knows one."""
    by_start = {c.start: c for c in cands}
    for cand in cands:
        if cand.type != "CITY" or not cand.country:
            continue
        nxt = by_start.get(cand.end + 1)
        if nxt is None or nxt.type != "COUNTRY" or doc[cand.end].text != "," or nxt.country == cand.country:
            continue
        known = [e for e in gazetteer.lookup(nxt.text) + gazetteer.minor_places.get(nxt.text, [])]
        region = next((e for e in known if e.type == "REGION" and e.country == cand.country), None)
        if region is not None:
            nxt.entry, nxt.type, nxt.key, nxt.name, nxt.country = region, "REGION", region.id, region.name, region.country
            continue
        found = regions(nxt.text, cand.country)
        if found is not None:
            nxt.entry, nxt.type, nxt.country = None, "REGION", cand.country
            nxt.key, nxt.name = found


_LINKS = frozenset({"of", "the", "and", "for", "&"})


def qualify_generic_bodies(cands: Sequence[Any], *, cues: ContextCues) -> None:
    """ "The Central Bank" after "the Central Bank of Kenya" is that bank; alone it is the central
    bank of the article's country (`org:central-bank-ke`), never a shared `org:central-bank`."""
    orgs = [c for c in cands if c.type == "ORG" and c.key]
    # The article's country: that of its first place (the dateline's, in wire copy), demonyms aside.
    places = [
        c for c in cands if c.type in {"COUNTRY", "CITY", "REGION"} and c.country and getattr(c, "kind", "") != "demonym"
    ]
    main = min(places, key=lambda c: c.start).country if places else None
    for cand in orgs:
        words = [w for w in cand.name.split() if w not in _LINKS]
        if cand.entry is not None or not words or any(w not in cues.generic_org_words for w in words):
            continue
        fuller = next((o for o in orgs if o is not cand and o.name.startswith(cand.name + " of ")), None)
        if fuller is not None:
            cand.key, cand.name, cand.country = fuller.key, fuller.name, fuller.country
            continue
        # Only the id is qualified: the body's `country` stays what the text says of it.
        country = cand.country or main
        if country and not cand.key.endswith("-" + country.lower()):
            cand.key = f"{cand.key}-{country.lower()}"
