"""Candidate stage: names the gazetteers know, datelines, places in capitals, party-state tags,
    names after person titles and event names."""

import logging
from collections.abc import Sequence

from .doc_view import DocView, SpanView
from .gazetteer import GazetteerEntry, GazetteerMatch
from .link_base import (
    _ADMIN_NOUNS,
    _CLIMATE_COP,
    _DETERMINERS,
    _PARTY_TAG_COUNTRY,
    _PARTY_TAGS,
    _Candidate,
    _line_starts,
    _longest_first,
    _named_by_gazetteer,
    _speaks_after,
)
from .link_words import WordRules

__all__ = ["CandidateRules"]

logger = logging.getLogger(__name__)


class CandidateRules(WordRules):
    """Candidate stage: names the gazetteers know, datelines, places in capitals, party-state tags,
    names after person titles and event names."""

    # ---------------------------------------------------------------- candidates

    def _titled_names(self, doc: DocView, cands: Sequence[_Candidate], lower_words: set[str]) -> list[_Candidate]:
        """ "General Waker-uz-Zaman", "Governor Sanwo-Olu": a name right after a person title that
        NER passed over: one to three capitalised words (hyphen-joined parts count as one), none
        a common word, a title or a known name, and no capitalised word after them."""
        # Only where a title ends and a capitalised word follows: most articles have a few.
        starts = [t.i + 1 for t in doc[:-1] if t.text in self._title_tails and doc[t.i + 1].text[:1].isupper()]
        if not starts:
            return []
        covered = {i for c in cands for i in range(c.start, c.end)}
        found: list[_Candidate] = []
        taken_to = 0
        for i in starts:
            title = self._title_before(doc, i)
            if title is None or i < taken_to or i in covered:
                continue
            end, words = i, 0
            while end < len(doc) and end not in covered and words < 3:
                token = doc[end]
                if not (token.is_alpha and self._is_name_word(token)) or self._is_common_word(token.text, lower_words):
                    break
                words, end = words + 1, end + 1
                while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_:
                    if not doc[end + 1].is_alpha:
                        break
                    end += 2  # "Waker-uz-Zaman" is one word
            span = doc[i:end]
            after = doc[end] if end < len(doc) else None
            if (
                words
                and not (after is not None and after.is_alpha and after.text[:1].isupper())
                and not any(t.text in self._rules.org_heads or t.text in self._rules.event_heads for t in span)
                and not self._gaz.lookup(span.text)
                and not self._is_place_name(span.text)
                # One plain word the model knows in lower case is more likely a noun ("Chief Guest").
                and not (len(span) == 1 and span.text.lower() in self._model_words)
            ):
                cand = _Candidate(i, end, span.start_char, span.end_char, span.text, "PERSON", "rule")
                cand.titled = doc[title[0] : end].text
                found.append(cand)
                taken_to = end
        return found

    def _gazetteer_candidates(
        self, doc: DocView, ner_place_tokens: set[int], ner_tokens: set[int], capitals: Sequence[tuple[int, int]]
    ) -> list[_Candidate]:
        found: list[_Candidate] = []
        for match in self._gaz.find(doc.doc, self._nlp, view=doc):
            entries = self._usable_entries(match, ner_place_tokens, ner_tokens)
            if _speaks_after(doc, match.end):
                entries = [e for e in entries if not e.needs_ner]  # "Santos said": a person, not the town
            if not entries and match.end < len(doc) and doc[match.end].lower_ in _ADMIN_NOUNS:
                entries = list(match.candidates)  # "the Dadu district" needs no NER to be a place
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
                    backed=True,
                )
            )
        found += self._elided_regions(doc, found)
        for start in _line_starts(doc):
            found += [c for c in self._dateline(doc, start) if not any(f.overlaps(c) for f in found)]
        found += [c for c in self._capitals_places(doc, capitals) if not any(f.overlaps(c) for f in found)]
        found += [c for c in self._party_state_tags(doc) if not any(f.overlaps(c) for f in found)]
        return _longest_first(doc, found)

    def _party_state_tags(self, doc: DocView) -> list[_Candidate]:
        """The state in a US lawmaker's party-state tag: "D-N.Y.", "(R-Ky.)", "R-Ohio"."""
        found: list[_Candidate] = []
        states = self._rules.us_state_abbreviations
        for token in doc[:-2]:
            if token.text not in _PARTY_TAGS or doc[token.i + 1].text != "-":
                continue
            state = states.get(doc[token.i + 2].text)
            if state is None:
                continue
            places = self._gaz.lookup(state) + self._gaz.minor_places.get(state, [])
            entry = next((e for e in places if e.country == _PARTY_TAG_COUNTRY and e.type == "REGION"), None)
            if entry is not None:
                found.append(_named_by_gazetteer(doc[token.i + 2 : token.i + 3], entry))
        return found

    def _capitals_places(self, doc: DocView, capitals: Sequence[tuple[int, int]]) -> list[_Candidate]:
        """Countries, regions and unambiguous cities in lines written in capitals ("SOCCER - JAPAN
        GET LUCKY WIN, CHINA IN SURPRISE DEFEAT"), looked up in title case: NER reads such lines
        poorly and the case-sensitive matcher not at all."""
        found: list[_Candidate] = []
        for first, last in capitals:
            i = first
            while i < last:
                for width in (3, 2, 1):
                    span = doc[i : min(i + width, last)]
                    if len(span) < width or not span[-1].is_alpha:
                        continue
                    entries = [
                        e
                        for e in self._gaz.lookup(span.text.title())
                        if e.type in {"COUNTRY", "REGION"} or (e.type == "CITY" and not e.needs_ner and not e.ambiguous)
                    ]
                    if entries:
                        found.append(_named_by_gazetteer(span, entries[0]))
                        i += width - 1
                        break
                i += 1
        return found

    def _elided_regions(self, doc: DocView, found: list[_Candidate]) -> list[_Candidate]:
        """ "Central and South Asia" names Central Asia too: the shared last word is elided."""
        extra = []
        for cand in found:
            if cand.type != "REGION" or cand.end - cand.start != 2 or cand.start < 2:
                continue
            if doc[cand.start - 1].lower_ not in {"and", "or"} or not doc[cand.start - 2].text[:1].isupper():
                continue
            word = doc[cand.start - 2]
            full = f"{word.text} {doc[cand.end - 1].text}"
            regions = [e for e in self._gaz.lookup(full) if e.type == "REGION"]
            if regions:
                extra.append(
                    _Candidate(
                        word.i,
                        word.i + 1,
                        word.idx,
                        word.idx + len(word.text),
                        word.text,
                        "REGION",
                        "gazetteer",
                        entry=regions[0],
                        kind="alias",
                        backed=True,
                    )
                )
        return extra

    def _dateline(self, doc: DocView, start: int) -> list[_Candidate]:
        """ "ISLAMABAD (Reuters) -", "DOHA/CAIRO/JERUSALEM (Reuters) -": places in capitals that
        open the story or a line of it."""
        spans: list[SpanView] = []
        end = start
        while True:
            first = end
            while end < min(len(doc), first + 4) and (
                (doc[end].is_alpha and doc[end].is_upper)
                # "AL-AIN": a hyphen inside the name, not the "-" that ends the dateline
                or (doc[end].text == "-" and end > first and not doc[end - 1].whitespace_ and not doc[end].whitespace_)
            ):
                end += 1
            if end == first or end >= len(doc):
                return []
            spans.append(doc[first:end])
            if doc[end].text != "/" or len(spans) == 4:
                break
            end += 1
        after = doc[end]
        if after.text not in {",", "(", "-", "–", "—", ":"} and not after.like_num and not after.is_space:
            return []  # "BRUSSELS, Aug 22 -", "BRUSSELS 1996-08-22", "ISLAMABAD (Reuters)"
        found = []
        for span in spans:
            name = span.text.title()
            # A dateline is a place whatever its spelling: GeoNames' other names count ("AL-AIN").
            places = [e for e in self._gaz.lookup(name) if e.type in {"CITY", "COUNTRY", "REGION"}]
            places = places or self._gaz.minor_places.get(name, [])[:1]
            if not places:
                return []
            found.append(_named_by_gazetteer(span, places[0]))
        return found

    def _usable_entries(
        self, match: GazetteerMatch, ner_place_tokens: set[int], ner_tokens: set[int]
    ) -> list[GazetteerEntry]:
        """Entries whose name needs NER's agreement count only where NER tagged the span: as a
        place for names that are also words ("Reading"), as any entity for other smaller cities
        (the small model often calls "Rotterdam" a person)."""
        span = range(match.start, match.end)
        as_place = any(i in ner_place_tokens for i in span)
        as_entity = any(i in ner_tokens for i in span)
        return [e for e in match.candidates if not e.needs_ner or as_place or (as_entity and not e.ambiguous)]

    def _event_candidates(self, doc: DocView) -> list[_Candidate]:
        """Capitalised runs ending in an event noun ("Pakistan-Kazakhstan Business Forum"), UN
        climate conferences ("COP29") and named storms ("Typhoon Haiyan")."""
        heads = self._rules.event_heads
        found: list[_Candidate] = []
        storm_words = self._rules.storm_words
        for token in doc:
            # These two patterns are certain enough to override what NER made of the words.
            if _CLIMATE_COP.fullmatch(token.text):
                found.append(
                    _Candidate(
                        token.i,
                        token.i + 1,
                        token.idx,
                        token.idx + len(token.text),
                        token.text,
                        "EVENT",
                        "rule",
                        backed=True,
                    )
                )
                continue
            nxt = doc[token.i + 1] if token.text in storm_words and token.i + 1 < len(doc) else None
            if nxt is not None and self._is_name_word(nxt) and nxt.is_alpha:
                span = doc[token.i : token.i + 2]
                found.append(
                    _Candidate(
                        span.start, span.end, span.start_char, span.end_char, span.text, "EVENT", "rule", backed=True
                    )
                )
                continue
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
