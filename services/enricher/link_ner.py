"""NER stage: spaCy's spans cleaned (determiners, titles, brackets, possessives, headline verbs)
    and typed."""

import logging
from collections.abc import Sequence

from spacy.tokens import Span

from newswire.schemas import EntityType

from .doc_view import DocView, SpanView
from .link_base import (
    _CLUB_SUFFIXES,
    _DASHES,
    _DETERMINERS,
    _DOCUMENT_NOUNS,
    _LIST_JOINERS,
    _NAME_PARTICLES,
    _NER_LABELS,
    _PLACE_NOUNS,
    _POSSESSIVES,
    _SPEECH_VERBS,
    _acronym_follows,
    _Candidate,
    _hyphenated_name,
    _is_camel_case,
    _named_speaker,
    _norm,
    _starts_sentence,
)
from .link_words import WordRules

#: `DocView.memo` key: token ranges of the sites NER named ("Volgograd Arena"), no entity of the contract
FACILITIES = "facilities"

__all__ = ["FACILITIES", "NerRules"]

logger = logging.getLogger(__name__)


class NerRules(WordRules):
    """NER stage: spaCy's spans cleaned (determiners, titles, brackets, possessives, headline verbs)
    and typed."""

    def _ner_candidates(
        self, doc: DocView, lower_words: set[str], *, routes: Sequence[_Candidate] = ()
    ) -> list[_Candidate]:
        """NER's spans, cleaned; `lower_words` are the words the article writes in lower case;
        `routes` are the places of routes ("Kolkata-Jogbani"), which stand for any span NER made
        of them."""
        on_routes = {i for c in routes for i in range(c.start, c.end)}
        on_routes |= {i for i in (c.start - 1 for c in routes) if i >= 0 and doc[i].text in _DASHES}
        on_routes |= {c.end for c in routes if c.end < len(doc) and doc[c.end].text in _DASHES}
        found = list(routes)
        for ent in doc.ents:
            if all(t.i in on_routes or t.text in _DETERMINERS for t in doc[ent.start : ent.end]):
                continue
            label = ent.label_
            if label not in _NER_LABELS:
                # "Lieutenant General Tariq Mehmood" tagged WORK_OF_ART: a titled name is a person.
                if self._leading_title(doc, ent.start, ent.end) is None:
                    continue
                label = "PERSON"
            cand = self._clean_ner_span(doc, ent, lower_words, label=label)
            if cand is not None:
                found.append(cand)
        return found

    def _rejoin_split_names(self, doc: DocView, lower_words: set[str]) -> None:
        """ "Valeska Paris" tagged as two places, "Valeska" and "Paris": a one-word place no
        gazetteer knows, written right before another one-word name, is a given name and the pair
        is a person. Changes `doc.doc.ents`."""
        ents = list(doc.ents)
        merged: list[Span] = []
        i = 0
        changed = False
        while i < len(ents):
            ent = ents[i]
            nxt = ents[i + 1] if i + 1 < len(ents) else None
            if (
                nxt is not None
                and ent.label_ in {"GPE", "LOC"}
                and nxt.label_ in {"GPE", "LOC", "PERSON"}
                and ent.end - ent.start == 1
                and nxt.end - nxt.start == 1
                and nxt.start == ent.end
                and doc[ent.start].whitespace_ == " "
                and doc[ent.start].is_title
                and doc[nxt.start].is_title
                and doc[ent.start].is_alpha
                and doc[nxt.start].is_alpha
                and not self._gaz.lookup(doc[ent.start].text)
                and not self._is_common_word(doc[ent.start].text, lower_words)
                and doc[ent.start].text not in self._kb.orgs
            ):
                merged.append(Span(doc.doc, ent.start, nxt.end, label="PERSON"))
                changed = True
                i += 2
                continue
            merged.append(ent)
            i += 1
        if changed:
            doc.doc.ents = merged

    def _clean_ner_span(self, doc: DocView, ent: Span, lower_words: set[str], *, label: str) -> _Candidate | None:
        start, end = ent.start, ent.end
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
        start = self._after_office_of(doc, start, end)
        if label == "PERSON":
            start = self._after_country_of(doc, start, end)
        # A name never runs across a bracket ("Federal Bureau of Investigation (FBI") or, in
        # headline case, across a verb ("Kazakhstan Seeks Science").
        cut = next(
            (
                i
                for i in range(start + 1, end)
                if doc[i].text in {"(", "["} or doc[i].is_space or doc[i].text in self._rules.headline_verbs
            ),
            None,
        )
        if cut is not None:
            end = cut
        while end > start and (
            doc[end - 1].text in _POSSESSIVES
            or doc[end - 1].is_punct
            or doc[end - 1].is_space
            or doc[end - 1].text in self._rules.headline_verbs
        ):
            end -= 1
        office = next((i for i in range(start + 1, end - 1) if doc[i].lower_ == "of"), None)
        if office is not None and label == "PERSON" and self._is_portfolio(doc[office + 1 : end]):
            end = office  # "Judy Wakhungu of Environment": the minister, not her office
        if end - start > 1 and doc[end - 1].text in _PLACE_NOUNS:
            end -= 1  # "Gweru city": the town is "Gweru"
        club = next((k for k in (1, 2) if end + k <= len(doc) and doc[end + k - 1].text in _CLUB_SUFFIXES), None)
        if club is not None and label in {"GPE", "LOC", "ORG", "PERSON"} and doc[end].text[:1].isupper():
            end, label = end + club, "ORG"  # "Mumbai City FC" is the club, not the city
        if end < len(doc) and doc[end].text in self._rules.disease_words:
            return None  # "Lassa fever"
        start, end, personal = _hyphenated_name(doc, start, end, label)
        if personal:
            label = "PERSON"
        if self._first_name_left_out(doc, start, end, lower_words):
            start, label = start - 1, "PERSON"  # "said Iva Petrova" tagged GPE "Petrova"
            if self._first_name_left_out(doc, start, start + 1, lower_words):
                start -= 1  # "said Ana Beatriz Costa"
        titled_from: int | None = None
        title_inside = self._leading_title(doc, start, end)
        if title_inside is not None and label in {"PERSON", "ORG", "GPE", "NORP"}:
            titled_from, start = start, title_inside
            label = "PERSON"
        if label == "PERSON" and titled_from is None:
            start = self._words_before_name(doc, start, end, lower_words)
        if start >= end:
            return None
        span = doc[start:end]
        if not any(self._is_name_word(t) for t in span) or _norm(span.text) in self._noise:
            return None
        if self._is_portfolio(span) or self._subject_of_a_document(doc, start, end):
            return None  # "Raychelle Omamo of Defence", "(Foreign Affairs)": an office, no organisation
        if (
            len(span) <= 3
            and end < len(doc)
            and self._title_after(doc, end)
            and all(
                self._is_common_word(t.text, lower_words)
                or t.text in self._titles
                or t.text in self._rules.portfolios
                or t.lower_ in _LIST_JOINERS
                for t in span
            )
        ):
            # "Transport Cabinet" in "Transport Cabinet Secretary Davis Chirchir", "Trade and
            # Integration" before "Minister": a portfolio
            return None
        if len(span) == 1 and _starts_sentence(doc, start) and self._is_common_word(span.text, lower_words):
            return None  # "Turnout was 41 percent": a common noun opening a sentence
        type_ = self._ner_type(span, label)
        if type_ is None:
            if len(span) > 1 and span[-1].text in self._rules.facility_heads:
                # "Volgograd Arena": a site of no contract type, and no mention of its city either
                doc.memo.setdefault(FACILITIES, []).append((start, end))
            return None
        cand = _Candidate(start, end, span.start_char, span.end_char, span.text, type_, "ner")
        before = self._title_before(doc, start)
        if type_ == "PERSON":
            if titled_from is not None:
                cand.titled = doc[titled_from:end].text
            elif before is not None:
                cand.titled = doc[before[0] : end].text
        elif label == "ORG" and before is not None and len(span) <= 3 and span[-1].text not in self._rules.org_heads:
            # "President Kassym-Jomart Tokayev" tagged ORG: what follows a person title is a person.
            cand.type = "PERSON"
            cand.titled = doc[before[0] : end].text
        elif type_ == "ORG" and (self._looks_like_person(doc, span) or self._after_role(doc, span)):
            cand.type = "PERSON"
        elif type_ in {"ORG", "REGION"} and _named_speaker(doc, start, end) and not self._is_place_name(span.text):
            cand.type = "PERSON"  # "said Ghada, a displaced mother of five"
        if (
            cand.type == "PERSON"
            and _acronym_follows(doc, end)
            and doc[end + 1].lower_ not in self._noise  # "Joe Mucheru (ICT)" names his portfolio
            and not (cand.titled and len(span) <= 3)
        ):
            # "... Administration (NOAA)": people have no acronyms, only the letters after a
            # titled name ("Chief Emeka Ngige (SAN)").
            cand.type, cand.titled = "ORG", None
        return cand

    def _words_before_name(self, doc: DocView, start: int, end: int, lower_words: set[str]) -> int:
        """Where a person's name starts in a span NER ran over words before it: a lower-case role
        ("magician David Gish"), a greeting ("Hey John") or common words ("Election Results Eddie
        Chu"). Common words are cut only while two words of the name remain ("Rose Byrne" stays)."""
        while start < end - 1:
            token = doc[start]
            if not token.whitespace_ or token.lower_ in _NAME_PARTICLES:
                break  # "Al-Sudani", "al Nahyan": part of the name
            greeting = token.lower_ in self._rules.greetings
            role = token.is_lower and token.is_alpha
            common = end - start >= 3 and token.is_alpha and self._is_common_word(token.text, lower_words)
            if not (greeting or role or common):
                break
            start += 1
        return start

    def _after_country_of(self, doc: DocView, start: int, end: int) -> int:
        """Where the name starts in "the first President of [Uzbekistan I. Karimov]", a person
        span NER ran over the country of the office."""
        if start == 0 or doc[start - 1].lower_ != "of":
            return start
        for k in range(min(3, end - start - 1), 0, -1):
            country = any(e.type == "COUNTRY" for e in self._gaz.lookup(doc[start : start + k].text))
            if country and doc[start + k].text[:1].isupper():
                return start + k
        return start

    def _subject_of_a_document(self, doc: DocView, start: int, end: int) -> bool:
        """ "a Memorandum of Understanding on Political and Diplomatic Consultations", "an
        Agreement on Trade and Investment": an agreement, or what it is about, capitalised as
        part of its title, is no organisation."""
        if end - start > 2 and doc[start].text in _DOCUMENT_NOUNS and doc[start + 1].lower_ == "on":
            return True
        if start < 2 or doc[start - 1].lower_ != "on" or any(t.text in self._rules.org_heads for t in doc[start:end]):
            return False
        return doc[start - 2].text in _DOCUMENT_NOUNS or _norm(doc[max(0, start - 4) : start - 1].text) in self._noise

    def _after_office_of(self, doc: DocView, start: int, end: int) -> int:
        """Where the place starts in "Prime Ministers of India" or "President of Kazakhstan", an
        office NER tagged as an organisation: the place is the entity."""
        for k in range(start + 1, min(end - 1, start + self._rules.max_title_tokens)):
            if doc[k].lower_ != "of":
                continue
            office = doc[start:k].text
            if (office in self._titles or office.removesuffix("s") in self._titles) and self._is_place_name(
                doc[k + 1 : end].text
            ):
                return k + 1
        return start

    def _ner_type(self, span: SpanView, label: str) -> EntityType | None:
        last = span[-1].text
        text = span.text
        if self._border_town(span, label):
            return "CITY"
        # Datelines in capitals ("BUENOS AIRES"): a known place name whatever NER says.
        if (
            text.isupper()
            and (len(span) > 1 or len(text) > 3)
            and any(e.type in {"COUNTRY", "CITY", "REGION"} for e in self._gaz.lookup(text.title()))
        ):
            return "REGION"
        camel = len(span) == 1 and _is_camel_case(text)
        if camel and (label in {"PERSON", "ORG", "FAC"} or not self._is_place_name(text)):
            return "ORG"  # "QatarEnergy", "KazMunayGas", "MetroTV": companies write their names this way
        if (
            len(span) > 1
            and (span[0].text in self._rules.feature_heads or last in self._rules.feature_tails)
            and last not in self._rules.org_heads
            and last not in self._rules.event_heads
        ):
            return "REGION"  # "Lake Victoria" tagged PERSON, "Rift Valley" tagged ORG
        if (
            len(span) == 1
            and label in {"ORG", "PERSON", "GPE", "LOC"}
            and last in self._rules.event_heads
            and last not in self._rules.body_like_event_heads
        ):
            return "EVENT"  # "the Paralympics" alone is the event, whatever NER called it
        if label == "PERSON":
            if last in self._rules.event_heads and len(span) > 1:
                return "EVENT"  # "Grammy Awards"
            return "ORG" if last in self._rules.org_heads else "PERSON"
        if last in self._rules.facility_heads and len(span) > 1 and label != "PERSON":
            return None  # "Large Hadron Collider", "Estadio Centenario": places of no contract type
        if label == "ORG":
            if last in self._rules.event_heads and last not in self._rules.body_like_event_heads and len(span) > 1:
                return "EVENT"  # "Red Sea International Film Festival"
            return "ORG"
        if label in {"GPE", "LOC"}:
            if len(span) == 1 and any(c.isdigit() for c in text) and not self._gaz.lookup(text):
                return None  # "IE6", "A380": a product's or model's code is no place
            if len(span) > 1 and last in self._rules.org_heads and not self._gaz.lookup(text):
                return "ORG"  # "the city's Saudi Hospital": a place's name before an organisation noun
            # Refined to COUNTRY or CITY when linked; a place no gazetteer knows stays a region.
            return "REGION"
        if label == "EVENT":
            # "the Sydney Morning Herald" tagged EVENT: a name ending in an organisation noun
            return "ORG" if last in self._rules.org_heads and last not in self._rules.event_heads else "EVENT"
        if label == "FAC":
            return "ORG" if last in self._rules.org_heads else None
        return None  # unknown NORP: demonyms the gazetteer does not know are not entities

    def _border_town(self, span: SpanView, label: str) -> bool:
        """ "the Torkham border crossing", "the Chaman border": a name no gazetteer knows before
        "border" or "crossing" is the town at the crossing, whatever NER called it (a two-word
        name NER calls a person stays one: "Ghulam Khan" is also a man)."""
        doc = span.doc
        return (
            span.end < len(doc)
            and doc[span.end].lower_ in {"border", "crossing"}
            and len(span) <= 3
            and not (label == "PERSON" and len(span) > 1)
            and all(t.text[:1].isupper() and t.is_alpha for t in span)
            and not self._gaz.lookup(span.text)
        )

    def _looks_like_person(self, doc: DocView, span: SpanView) -> bool:
        """An ORG-tagged span that reads as a person's name: two or three capitalised words, none
        an organisation noun, next to a speech verb or followed by an appositive (", a minister")."""
        words = [t for t in span if not t.is_punct and t.lower_ not in _NAME_PARTICLES]
        if not 2 <= len(words) <= 3 or any(not t.text[:1].isupper() or t.text.isupper() for t in words):
            return False
        if any(t.text in self._rules.org_heads for t in span):
            return False
        after = doc[span.end : span.end + 3]
        before = doc[max(span.start - 2, 0) : span.start]
        if len(after) and after[0].lower_ in _SPEECH_VERBS or any(t.lower_ in _SPEECH_VERBS for t in before):
            return True
        return len(after) >= 2 and after[0].text == "," and after[1].lower_ in {"a", "an", "the", "who", "whose"}

    def _first_name_left_out(self, doc: DocView, start: int, end: int, lower_words: set[str]) -> bool:
        """A one-word span NER cut from a two-word name: the capitalised word before it is no
        title, common word or known name, and the span itself names no known place."""
        if end - start != 1 or start == 0 or _starts_sentence(doc, start - 1):
            return False
        first = doc[start - 1]
        if not (first.is_alpha and first.is_title and first.whitespace_ == " "):
            return False
        lower = first.text.lower()
        return not (
            first.text in self._title_tails
            or lower in self._common
            or lower in lower_words
            or lower in self._noise  # "on Tuesday Petrova said"
            or first.text in self._rules.storm_words  # "Hurricane Milton"
            or self._gaz.lookup(first.text)
            or self._is_place_name(doc[start].text)
            or self._gaz.lookup(doc[start].text)
        )

    def _after_role(self, doc: DocView, span: SpanView) -> bool:
        """ "MCFC goalkeeper Phurba Lachenpa": two or three capitalised words, none an
        organisation noun, right after a lower-case role."""
        words = [t for t in span if t.lower_ not in _NAME_PARTICLES]
        return (
            span.start > 0
            and doc[span.start - 1].text in self._rules.role_nouns
            and 2 <= len(words) <= 3
            and all(t.is_alpha and t.text[:1].isupper() and not t.text.isupper() for t in words)
            and not any(t.text in self._rules.org_heads for t in span)
        )
