"""Overlap stage: gazetteer hits against the NER spans around them, events, routes between
    places, and organisation names NER split."""

import logging
from collections.abc import Sequence

from .doc_view import DocView, TokenView
from .gazetteer import ascii_fold
from .link_base import (
    _CONJUNCTIONS,
    _CONNECTORS,
    _DASHES,
    _LEGAL_FORMS,
    _Candidate,
    _named_by_gazetteer,
)
from .link_words import WordRules

__all__ = ["ResolveRules"]

logger = logging.getLogger(__name__)


class ResolveRules(WordRules):
    """Overlap stage: gazetteer hits against the NER spans around them, events, routes between
    places, and organisation names NER split."""

    # ---------------------------------------------------------------- resolution

    def _outside_words(self, doc: DocView, outer: _Candidate, inner: Sequence[_Candidate]) -> list[TokenView]:
        covered = {i for c in inner for i in range(c.start, c.end)}
        return [doc[i] for i in range(outer.start, outer.end) if i not in covered]

    def _resolve(
        self, doc: DocView, gaz: list[_Candidate], ner: list[_Candidate], events: list[_Candidate]
    ) -> list[_Candidate]:
        kept_gaz = list(gaz)
        kept_ner: list[_Candidate] = []
        for cand in ner:
            inner = [g for g in kept_gaz if g.overlaps(cand)]
            if not inner:
                kept_ner.append(cand)
                continue
            if any(not cand.contains(g) for g in inner) or any(
                g.start == cand.start and g.end == cand.end for g in inner
            ):
                continue  # the gazetteer's span and type win
            if self._ner_dominates(doc, cand, inner):
                kept_gaz = [g for g in kept_gaz if g not in inner]
                kept_ner.append(cand)
        chosen = kept_gaz + kept_ner
        for event in events:
            inside = [c for c in chosen if c.overlaps(event)]
            if event.backed:
                if not any(c.source == "gazetteer" for c in inside):
                    chosen = [c for c in chosen if c not in inside] + [event]
                continue
            if any(not event.contains(c) or c.type == "PERSON" for c in inside):
                continue
            if any(c.start == event.start and c.end == event.end and (c.backed or c.type == "ORG") for c in inside):
                continue  # NER or the gazetteers call it an organisation ("Pacific Islands Forum")
            chosen = [c for c in chosen if c not in inside] + [event]
        return sorted(chosen, key=lambda c: (c.start, c.end))

    def _ner_dominates(self, doc: DocView, cand: _Candidate, inner: Sequence[_Candidate]) -> bool:
        """Whether a NER span keeps the gazetteer hits inside it ("OIC-COMSTECH", "Paris Hilton")."""
        rest = self._outside_words(doc, cand, inner)
        people = [g for g in inner if g.type == "PERSON"]
        if people:
            # "Kristina Kallas" is not Kaja Kallas: another first name before a known surname
            # makes it someone else; anything else around a known person is noise.
            return (
                cand.type == "PERSON"
                and all(g.kind == "alias" and g.end == cand.end and g.end - g.start == 1 for g in people)
                and any(self._is_name_word(t) for t in rest)
            )
        if cand.type == "PERSON" and any(g.kind == "demonym" and g.start == cand.start for g in inner):
            cand.type = "ORG"  # "Ethiopian Electric Power": no one's name starts with a demonym
            return True
        if (
            cand.type == "ORG"
            and any(g.kind == "demonym" and g.start == cand.start for g in inner)
            and any(g.type == "ORG" and g.end == cand.end for g in inner)
        ):
            return True  # "British Red Cross": a country's own society, not the body the list knows
        if cand.type in {"REGION", "CITY"} and any(t.text in _CONJUNCTIONS for t in rest):
            return False  # "Central and South Asia" is two places, not one
        # "OIC-COMSTECH": a body named by its parent and itself is an entity of its own.
        if (
            cand.type == "ORG"
            and len(inner) >= 2
            and all(g.type == "ORG" for g in inner)
            and all(t.text in {"-", "/"} for t in rest)
        ):
            cand.backed = True
            return True
        if inner[0].type == "ORG" and rest and all(t.text in _LEGAL_FORMS for t in rest):
            return False  # "JPMorgan Chase & Co" is the bank the gazetteer knows
        return any(self._is_name_word(t) for t in rest)

    # ---------------------------------------------------------------- linking

    def _route_places(self, doc: DocView) -> list[_Candidate]:
        """The places a route joins with dashes: "Kolkata-Jogbani", "Termez-Mazar-i-Sharif",
        "New Delhi–Kathmandu". Every part must be a known place's own name (a place's own
        hyphens stay: "Mazar-i-Sharif"), else it is some other name ("OIC-COMSTECH")."""
        found: list[_Candidate] = []
        # Dashes with a word right before and after them, unspaced.
        joints = {t.i for t in doc[1:-1] if t.text in _DASHES and not t.whitespace_ and not doc[t.i - 1].whitespace_}
        end = 0
        for joint in sorted(joints):
            if joint < end:
                continue  # inside the chain just read
            # A chain: doc[joint - 1:end] has a dash every other token.
            end = joint + 2
            while end in joints:
                end += 2
            parts = self._route_parts(doc, joint - 1, end)
            if parts is not None:
                found += parts
        return found

    def _route_parts(self, doc: DocView, first: int, last: int) -> list[_Candidate] | None:
        """doc[first:last] reads word, dash, word, ...: the places it joins, or None."""
        words = list(range(first, last, 2))
        if self._is_place_name(doc[first:last].text):
            return None  # "Guinea-Bissau", "Stoke-on-Trent": one place
        places: list[tuple[int, int]] = []
        k = 0
        while k < len(words):
            longest = next(
                (
                    j
                    for j in range(len(words) - 1, k - 1, -1)
                    if doc[words[k]].text[:1].isupper() and self._is_route_stop(doc[words[k] : words[j] + 1].text)
                ),
                None,
            )
            if longest is None:
                return None
            places.append((words[k], words[longest] + 1))
            k = longest + 1
        if len(places) < 2 or not any(self._is_place_name(doc[a:b].text) for a, b in places):
            return None
        # The outer parts may have words before or after them: "New Delhi-Kathmandu".
        start, end = places[0]
        for width in (2, 1):
            if (
                start - width >= 0
                and all(t.text[:1].isupper() and t.whitespace_ for t in doc[start - width : start])
                and self._is_place_name(doc[start - width : end].text)
            ):
                places[0] = (start - width, end)
                break
        start, end = places[-1]
        for width in (2, 1):
            if (
                end + width <= len(doc)
                and all(t.text[:1].isupper() for t in doc[end : end + width])
                and doc[end - 1].whitespace_
                and self._is_place_name(doc[start : end + width].text)
            ):
                places[-1] = (start, end + width)
                break
        out = []
        for start, end in places:
            span = doc[start:end]
            known = [e for e in self._gaz.lookup(span.text) if e.type in {"COUNTRY", "CITY", "REGION"}]
            if known:
                out.append(_named_by_gazetteer(span, known[0]))
                continue
            # A smaller place ("Jogbani", "Termez"): the linking of places picks among its
            # namesakes by the countries of the article, this one when none is there.
            minor = self._gaz.minor_places[span.text]
            entry = next((e for e in minor if ascii_fold(e.name) == ascii_fold(span.text)), minor[0])
            out.append(
                _Candidate(
                    start, end, span.start_char, span.end_char, span.text, entry.type, "rule", entry=entry, backed=True
                )
            )
        return out

    def _merge_organisations(self, doc: DocView, cands: list[_Candidate]) -> list[_Candidate]:
        """Join the pieces of a long organisation name NER split: "Bangladesh Garment Manufacturers
        and Exporters Association", "United Nations Office for the Coordination of Humanitarian
        Affairs", "US Agency for International Development"."""
        out: list[_Candidate] = []
        for cand in cands:
            prev = out[-1] if out else None
            if prev is not None and prev.type == "ORG" and cand.type in {"ORG", "REGION"} and cand.source == "ner":
                gap = [t.lower_ for t in doc[prev.end : cand.start]]
                last = doc[prev.end - 1].lower_
                heads = self._rules.org_heads
                parallel = doc[cand.end - 1].text in {t.text for t in doc[prev.start : prev.end]}
                joins = (
                    (
                        gap in (["and"], ["&"])
                        and doc[cand.end - 1].text in heads
                        and doc[prev.end - 1].text not in heads
                        and not parallel  # "University of Lagos and Ahmadu Bello University" are two
                        # "Massachusetts Institute of Technology and ...": a name the knowledge base
                        # knows in full before "and" is one of two
                        and prev.text not in self._kb.orgs
                    )
                    or (not gap and last in _CONNECTORS)
                    or (gap in (["for"], ["for", "the"], ["of"], ["of", "the"]) and doc[prev.end - 1].text in heads)
                )
                if joins and "\n" not in doc[prev.start : cand.end].text:
                    span = doc[prev.start : cand.end]
                    merged = _Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "ORG", "ner")
                    merged.backed = prev.backed and cand.backed
                    out[-1] = merged
                    continue
            out.append(cand)
        return out
