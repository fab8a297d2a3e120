"""Entity linking: spaCy NER and the gazetteers combined into one canonical entity list.

The order of work for one document:

1. candidates: gazetteer hits (PhraseMatcher), NER spans cleaned of determiners, possessives,
   titles, brackets and headline verbs, event names (capitalised runs ending in "Summit",
   "Festival", ...; "COP29"; "Typhoon Haiyan"), capitalised datelines at the start of a line and
   known places in lines written in capitals (where NER alone is not trusted);
2. overlaps resolved: a gazetteer hit beats the NER span around it unless that span is a longer
   name ("Paris Hilton", "OIC-COMSTECH"); a known person is never part of an organisation;
3. types fixed from context: an organisation named exactly like a known place is the place, a
   span after a person title is a person, split organisation names are rejoined;
4. people merged within the article: surnames, titled, first-name and family-name-first forms
   join the full name; acronyms join the organisation they abbreviate;
5. one `Entity` per real-world entity with every mention's offsets, aliases and a salience.
"""

import hashlib
import itertools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from spacy.tokens import Doc, Span

from newswire.schemas import Entity, EntityType, Geo, Mention, slugify

from .context import (
    city_state,
    decide_places,
    drop_non_mentions,
    evidence,
    load_cues,
    places_named_as_people,
    qualify_generic_bodies,
    repair_ents,
)
from .doc_view import DocView, SpanView, TokenView
from .gazetteer import Gazetteer, GazetteerEntry, GazetteerMatch, NameRules, SurfaceKind, ascii_fold
from .kb import apply_org_matches, load_kb

__all__ = ["EntityLinker", "salience_scores"]

logger = logging.getLogger(__name__)

Source = Literal["gazetteer", "ner", "rule"]

#: NER labels the linker reads; the rest (DATE, CARDINAL, ...) are not entities of the contract.
_NER_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_DETERMINERS = frozenset({"the", "The", "THE", "a", "an"})
_DASHES = frozenset({"-", "–", "—"})
#: documents whose title names a subject after "on" ("Agreement on Trade and Investment")
_DOCUMENT_NOUNS = frozenset(
    {"Agreement", "Memorandum", "Treaty", "Protocol", "Convention", "Declaration", "MoU", "MOU"}
)
_POSSESSIVES = frozenset({"'s", "’s", "'", "’", "s"})
_CONJUNCTIONS = frozenset({"and", "&", "or"})
#: what joins the items of a list of portfolios ("Trade and Integration", "Environment, Water, and ...")
_LIST_JOINERS = frozenset({"and", "&", ","})
#: words a split organisation name can end on when NER cut it short ("US Agency for")
_CONNECTORS = frozenset({"and", "&", "for", "of", "on", "the"})
_SPEECH_VERBS = frozenset({"said", "says", "told", "added", "warned", "explained", "noted", "argued", "stressed"})
#: lower-case parts of personal names ("Nayla de Freige", "Ahmed bin Ali")
_NAME_PARTICLES = frozenset({"de", "da", "di", "del", "dos", "van", "von", "der", "al", "el", "bin", "ibn", "la", "le"})
_PLACE_PREPOSITIONS = frozenset({"in", "near", "from", "at", "outside", "across", "to", "around", "of", "on"})
_ADMIN_NOUNS = frozenset(
    {
        "region",
        "province",
        "department",
        "oblast",
        "state",
        "county",
        "district",
        "governorate",
        "prefecture",
        "regency",
        "municipality",
        "tehsil",
        "upazila",
    }
)
_COMPASS_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "upper", "lower"}
    | {"north-east", "north-west", "south-east", "south-west", "northeast", "northwest", "southeast", "southwest"}
)
#: lower-case links inside hyphenated names: Persian "-e-"/"-i-" ("Tehreek-e-Insaf", bodies and
#: people alike) and the Arabic article of personal names ("Sohail-ur-Rehman", "Zia-ul-Haq")
_HYPHEN_PARTICLES = frozenset({"e", "i", "ur", "ul", "ud", "uz", "us", "un"})
_PERSONAL_HYPHEN_PARTICLES = frozenset({"ur", "ul", "ud", "uz", "us", "un"})
#: what follows a place's name in a football club's ("Mumbai City FC")
_CLUB_SUFFIXES = frozenset({"FC", "F.C.", "AFC", "SC", "CF"})
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})
#: lower-case nouns NER sometimes keeps after a town's name
_PLACE_NOUNS = frozenset({"city", "town", "village"})
_CLIMATE_COP = re.compile(r"COP\d{1,2}")
_COUNTRY_PREFIXES = {"U.S.": "US", "United States": "US", "U.K.": "UK", "United Kingdom": "UK"}
_COUNTRY_PREFIX = re.compile(r"^(U\.S\.|United States|U\.K\.|United Kingdom)(?= [A-Z])")
#: a company's legal form, which names no one ("JPMorgan Chase & Co")
#: legal forms after a company's name ("Unilever Plc", "JPMorgan Chase & Co."), with or without a dot
_LEGAL_FORM_WORDS = ("Co", "Inc", "Ltd", "Limited", "Plc", "PLC", "plc", "LLC", "LLP", "Corp", "GmbH", "AG")
_LEGAL_FORMS = frozenset({"&", ","} | {form for word in _LEGAL_FORM_WORDS for form in (word, word + ".")})
_COMPANY_SUFFIX = re.compile(r",? (?:& )?(?:" + "|".join(_LEGAL_FORM_WORDS) + r")\.?$")
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
    #: named by the gazetteers (or made of names they know): trusted even in headline case
    backed: bool = False
    #: the knowledge base knows an organisation of exactly this name (weighed by context.py)
    known_org: bool = False

    def overlaps(self, other: "_Candidate") -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: "_Candidate") -> bool:
        return self.start <= other.start and other.end <= self.end


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def _unquoted(text: str) -> str:
    return text.translate(_QUOTES).replace("'", "")


def _folded(text: str) -> str:
    return _norm(ascii_fold(text))


def _entity_id(type_: EntityType, name: str) -> str:
    if type_ == "ORG":
        # "U.S. Geological Survey", "US Geological Survey" and "United States Geological Survey"
        # are one body: the same id across articles.
        name = _COUNTRY_PREFIX.sub(lambda m: _COUNTRY_PREFIXES[m.group(1)], name)
        # "JPMorgan Chase & Co", "Unilever Plc": the legal form is not part of the identity.
        name = _COMPANY_SUFFIX.sub("", name) or name
    slug = slugify(name)
    if not slug:
        # Names in scripts slugify cannot transliterate still need a stable id.
        slug = "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
    return f"{type_.lower()}:{slug}"


def salience_scores(first_positions: Sequence[float], counts: Sequence[float], in_title: Sequence[bool]) -> list[float]:
    """Salience in [0, 1] from the first mention's relative position (earlier is better), the
    mention count relative to the article's most mentioned entity, and presence in the title."""
    top = max(counts, default=1) or 1
    return [
        round(min(1.0, 0.4 * (1.0 - pos) + 0.4 * (count / top) + (0.2 if title else 0.0)), 4)
        for pos, count, title in zip(first_positions, counts, in_title, strict=True)
    ]


class EntityLinker:
    """Links the entities of spaCy docs; one instance per `nlp`, reused for every document."""

    def __init__(
        self,
        nlp: Any,
        gazetteer: Gazetteer,
        rules: NameRules,
        *,
        common_words: frozenset[str] = frozenset(),
        model_words: frozenset[str] = frozenset(),
    ) -> None:
        self._nlp = nlp
        #: lower-case common nouns ("turnout", "cholera"): capitalised only because a sentence starts
        self._common = common_words
        #: the spaCy model's vocabulary: a word it knew only in lower case is not a name
        self._model_words = model_words
        self._gaz = gazetteer
        self._rules = rules
        self._noise = rules.noise
        self._titles = rules.person_titles
        # A span's text starts with its first token and ends with its last: a token that begins
        # (ends) no title rules out every width of title after (before) it at once, and most
        # tokens do, so the title checks rarely build a span.
        self._title_heads = frozenset(t[:i] for t in self._titles for i in range(1, len(t) + 1))
        self._title_tails = frozenset(t[-i:] for t in self._titles for i in range(1, len(t) + 1))
        gazetteer.compile(nlp)
        self._kb = load_kb()
        self._kb.compile(nlp)

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

    def _title_before(self, doc: DocView, start: int) -> tuple[int, str] | None:
        """The person title right before token `start`, as (first token, title text)."""
        if start == 0 or doc[start - 1].text not in self._title_tails:
            return None
        for width in range(min(self._rules.max_title_tokens, start), 0, -1):
            text = doc[start - width : start].text
            if text in self._titles:
                return start - width, text
        return None

    def _is_title_token(self, token: TokenView) -> bool:
        return token.text in self._titles

    def _is_name_word(self, token: TokenView) -> bool:
        """A word that can be part of a proper name: capitalised, not a title, not noise."""
        text = token.text
        return (
            text[:1].isupper()
            and not self._is_title_token(token)
            and text.lower() not in self._noise
            and text not in self._rules.headline_verbs
        )

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
        return _longest_first(found)

    def _party_state_tags(self, doc: DocView) -> list[_Candidate]:
        """The state in a US lawmaker's party-state tag: "D-N.Y.", "(R-Ky.)", "R-Ohio"."""
        found: list[_Candidate] = []
        states = self._rules.us_state_abbreviations
        for token in doc[:-2]:
            if token.text not in {"R", "D", "I"} or doc[token.i + 1].text != "-":
                continue
            state = states.get(doc[token.i + 2].text)
            if state is None:
                continue
            places = self._gaz.lookup(state) + self._gaz.minor_places.get(state, [])
            entry = next((e for e in places if e.country == "US" and e.type == "REGION"), None)
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

    def _is_portfolio(self, span: SpanView) -> bool:
        """ "Foreign Affairs", "Environment, Water, and Natural Resources": a minister's office."""
        return all(t.text in self._rules.portfolios or t.lower_ in _LIST_JOINERS or t.lower_ == "of" for t in span)

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

    def _is_common_word(self, text: str, lower_words: set[str]) -> bool:
        """`lower_words`: the words the article itself writes in lower case."""
        lower = text.lower()
        if lower == text:
            return False
        known_only_lower = lower in self._model_words and text not in self._model_words
        return known_only_lower or lower in self._common or lower in lower_words

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
            if len(span) > 1 and last in self._rules.org_heads and not self._gaz.lookup(text):
                return "ORG"  # "the city's Saudi Hospital": a place's name before an organisation noun
            # Refined to COUNTRY or CITY when linked; a place no gazetteer knows stays a region.
            return "REGION"
        if label == "EVENT":
            return "EVENT"
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

    def _title_after(self, doc: DocView, end: int) -> bool:
        if end >= len(doc) or doc[end].text not in self._title_heads:
            return False
        for width in range(min(self._rules.max_title_tokens, len(doc) - end), 0, -1):
            if doc[end : end + width].text in self._titles:
                return True
        return False

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

    def _leading_title(self, doc: DocView, start: int, end: int) -> int | None:
        """Token index after a person title that opens the span, if one does and a name follows."""
        if end - start < 2 or doc[start].text not in self._title_heads:
            return None
        for width in range(min(self._rules.max_title_tokens, end - start - 1), 0, -1):
            if doc[start : start + width].text in self._titles:
                if doc[start + width].text in _POSSESSIVES:
                    return None  # "President’s Secretariat" is the president's office, not a name
                rest = doc[start + width : end]
                if not any(self._is_name_word(t) for t in rest):
                    return None
                if any(t.text in self._rules.org_heads for t in rest):
                    return None  # "General Motors", "Justice Department", "Major League Baseball"
                # Titles stack: "Lieutenant General Tariq Mehmood", "Former President X".
                return self._leading_title(doc, start + width, end) or start + width
        return None

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

    def _is_route_stop(self, text: str) -> bool:
        """A place's own name, or one of its other spellings ("Termez" for GeoNames' Tirmiz):
        between dashes with another place, a name that is also a surname is a place."""
        return self._is_place_name(text) or bool(self._gaz.minor_places.get(text))

    def _is_place_name(self, text: str) -> bool:
        """A known place's own name (not one of GeoNames' alternate spellings, which include
        surnames: "Haaland" is listed for Sola, Norway)."""
        if any(e.type in {"CITY", "REGION", "COUNTRY"} for e in self._gaz.lookup(text)):
            return True
        folded = ascii_fold(text)
        return any(ascii_fold(e.name) == folded for e in self._gaz.minor_places.get(text, []))

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

    def _places_by_preposition(self, doc: DocView, cands: list[_Candidate]) -> None:
        """ "in Kotri", "near Garissa": a known smaller place after a place preposition is a place,
        whatever NER called it (the small model often tags unfamiliar towns PERSON or ORG)."""
        name_parts = {w for c in cands if c.type == "PERSON" and len(c.text.split()) > 1 for w in c.text.split()}
        context = self._context_countries(cands)
        for cand in cands:
            if cand.source != "ner" or cand.type not in {"PERSON", "ORG"} or cand.titled or cand.text in name_parts:
                continue
            if cand.type == "PERSON" and len(cand.text.split()) == 1 and _admin_noun_after(doc, cand.end):
                cand.type = "REGION"  # "the Tigray region", "Kech district": no one's name
                continue
            # Under another spelling ("Saryagash" for GeoNames' Saryaghash) a place counts only in
            # a country the article names, as in `_place_options`, and not when it is placed in
            # another one: "a coach at Pakhtakor in Tashkent" names the club.
            located = cand.end < len(doc) and doc[cand.end].lower_ == "in"
            own_name = self._is_place_name(cand.text)
            known_place = own_name or (
                not located and any(e.country in context for e in self._gaz.minor_places.get(cand.text, []))
            )
            if not known_place or doc[cand.end - 1].text in self._rules.org_heads:
                continue
            spoken = _speaks_after(doc, cand.end)
            after_preposition = _after_place_preposition(doc, cand.start)
            # An ORG named exactly like a known place, a lone "person" who never speaks and has
            # no first name anywhere in the article, or a longer "name" that is exactly a place's
            # own ("the states of Para and Mato Grosso") is that place when its sentence says
            # place ("reach Kotri", "off Cairns", a list of places). The place list alone is no
            # evidence: people ("their child, Gloria", "Clinton came into office") and figures
            # ("Hannibal", "Athena") share their names with some town. A place known under another
            # spelling counts only in a country the article names: that is its evidence.
            lone_word = len(cand.text.split()) == 1 and cand.type == "PERSON" and not spoken
            exactly_a_place = cand.type == "PERSON" and not spoken and own_name
            if after_preposition or (
                (cand.type == "ORG" or lone_word or exactly_a_place)
                and (not own_name or self._says_place(doc, cand, cands))
            ):
                cand.type = "REGION"
        # One sense per article. "launched from Sriharikota ... Sriharikota's range": a lone word
        # that is a place in one mention is that place in the others. But where NER reads a lone
        # word as a person more often than as a place, and no place reading has a place cue or a
        # gazetteer behind it, the person wins ("their child, Gloria ... Gloria developed ...").
        people_votes: dict[str, list[_Candidate]] = defaultdict(list)
        place_votes: dict[str, list[_Candidate]] = defaultdict(list)
        for cand in cands:
            if cand.source == "ner" and len(cand.text.split()) == 1:
                if cand.type == "PERSON":
                    people_votes[cand.text].append(cand)
                elif cand.type in {"REGION", "CITY", "COUNTRY"}:
                    place_votes[cand.text].append(cand)
        for text, readings in place_votes.items():
            if len(people_votes.get(text, ())) > len(readings) and not any(
                c.entry is not None or c.backed or self._says_place(doc, c, cands) for c in readings
            ):
                for cand in readings:
                    cand.type = "PERSON"
        places = {c.text for c in cands if c.type in {"REGION", "CITY", "COUNTRY"}}
        for cand in cands:
            if (
                cand.type == "PERSON"
                and cand.source == "ner"
                and cand.text in places
                and cand.text not in name_parts  # "Jordan" after "Michael Jordan" is him
                and len(cand.text.split()) == 1
                and not cand.titled
                and not _speaks_after(doc, cand.end)
            ):
                cand.type = "REGION"

    def _says_place(self, doc: DocView, cand: _Candidate, cands: Sequence[_Candidate]) -> bool:
        """The context says place: a place cue around the name in its sentence (`evidence`), also
        one before the list the name ends ("the states of Para and Mato Grosso"), or a place
        among the names listed with it ("Antwerp, Rotterdam and Gioia Tauro")."""
        cues = load_cues()
        if evidence(doc, cand.start, cand.end, cues=cues)[1] > 0:
            return True
        first = _list_start(doc, cand.start)
        if first < cand.start and not _starts_sentence(doc, first) and evidence(doc, first, first + 1, cues=cues)[1] > 0:
            return True
        return any(c is not cand and c.type in {"COUNTRY", "CITY", "REGION"} for c in _list_of(doc, cand, cands))

    def _organisations_by_company(self, doc: DocView, cands: list[_Candidate]) -> None:
        """ "Intel, Microsemi, Nvidia and Xilinx": a one-word name listed among organisations the
        gazetteer knows is one too, whatever NER called it (unless it is a known place)."""
        runs: list[list[_Candidate]] = []
        for cand in cands:
            gap = [t.text for t in doc[runs[-1][-1].end : cand.start]] if runs else None
            if gap in ([","], ["and"], [",", "and"], ["&"]):
                runs[-1].append(cand)
            else:
                runs.append([cand])
        for run in runs:
            known = [c for c in run if c.type == "ORG" and c.entry is not None]
            if len(known) < 2:
                continue
            for cand in run:
                if (
                    cand.source == "ner"
                    and cand.type in {"PERSON", "REGION"}
                    and len(cand.text.split()) == 1
                    and not self._is_place_name(cand.text)
                ):
                    cand.type = "ORG"

    def _place_options(self, cand: _Candidate, context: set[str]) -> list[GazetteerEntry]:
        """Every place the span may name: gazetteer hits first, then smaller places of that name.
        An all-capitals dateline ("LONDON") is looked up in title case too. A place found only
        under one of its alternate spellings must lie in a country the article names: GeoNames
        lists surnames among them ("Haaland" for Sola, Norway)."""
        options: list[GazetteerEntry] = []
        names = [cand.text] if not cand.text.isupper() else [cand.text, cand.text.title()]
        for name in names:
            options += [e for e in self._gaz.lookup(name) if e.type in {"COUNTRY", "CITY", "REGION"}]
            folded = ascii_fold(name)
            options += [
                e for e in self._gaz.minor_places.get(name, []) if ascii_fold(e.name) == folded or e.country in context
            ]
        if cand.entry is not None and cand.entry not in options:
            options.insert(0, cand.entry)
        return options

    def _country_hint(self, cand: _Candidate) -> str | None:
        """The country a candidate says the article is about: its own, or a region's, or that of
        the smaller place named exactly like it."""
        if cand.entry is not None and cand.entry.type != "CITY":
            return cand.entry.country
        if cand.entry is None and cand.type in {"REGION", "CITY"}:
            if all(w in _COMPASS_WORDS or w in _ADMIN_NOUNS for w in cand.text.lower().split()):
                return None  # "Western Province": several countries have one
            folded = ascii_fold(cand.text)
            first = self._gaz.minor_places.get(cand.text, [])[:1]
            return next((e.country for e in first if ascii_fold(e.name) == folded), None)
        return None

    def _context_countries(self, cands: Sequence[_Candidate]) -> set[str]:
        """Countries the article names, directly or through a region or a place's own name."""
        return {hint for c in cands if (hint := self._country_hint(c))}

    def _link_places(self, doc: DocView, cands: list[_Candidate]) -> None:
        places = [c for c in cands if c.type in {"COUNTRY", "CITY", "REGION"}]
        hints = [(c.text, hint) for c in cands if (hint := self._country_hint(c))]
        for cand in places:
            # A name is no evidence for itself: "Southern Province" would otherwise place itself
            # in Sri Lanka, the first country with a province of that name.
            context = {hint for text, hint in hints if text != cand.text}
            options = self._place_options(cand, context)
            speaker = _speaks_after(doc, cand.end) and not _after_place_preposition(doc, cand.start)
            if cand.entry is not None and cand.entry.type != "CITY":
                options = [cand.entry]
            elif cand.source == "ner" and speaker:
                # "Santos said": only a country or a major city speaks (for its government); in
                # "fishermen on Lake Victoria said" the fishermen do.
                options = [e for e in self._gaz.lookup(cand.text) if e.type in {"COUNTRY", "CITY"} and not e.needs_ner]
                if not options and len(cand.text.split()) <= 3:
                    cand.type = "PERSON"
                    continue
            # Of several places with one name, the one in a country the article mentions wins. A
            # province of a country the article does not mention is a namesake: "Southern
            # Province" in a story about Rwanda is not Sri Lanka's.
            in_context = [e for e in options if e.country in context]
            if not in_context and context and cand.entry is None and all(e.type == "REGION" for e in options):
                options = []
            entry = next(iter(in_context or options), None)
            if entry is not None:
                cand.entry, cand.type = entry, entry.type
                cand.key, cand.name, cand.country = entry.id, entry.name, entry.country
                # Apostrophes aside: "Cox's Bazar" is "Cox’s Bāzār", "Chornomorsk" "Chornomors’k".
                as_written = _unquoted(cand.text) == _unquoted(ascii_fold(entry.name))
                if entry.type == "CITY" and cand.text != entry.name and as_written:
                    cand.name = cand.text  # "Rafah" as written rather than GeoNames' "Rafaḩ"
            else:
                cand.name = cand.text
                cand.key = _entity_id(cand.type, cand.text)
                head, _, noun = cand.text.rpartition(" ")
                if head and noun.lower() in _ADMIN_NOUNS:
                    # "Kostanay Region" as one NER span: the place before the noun gives the country.
                    known = [e for e in self._gaz.minor_places.get(head, []) + self._gaz.lookup(head) if e.country]
                    # A namesake abroad says nothing ("Morang District" in Nepal is no town in
                    # Australia): with countries in the article, only theirs count.
                    local = [e for e in known if e.country in context] or ([] if context else known)
                    province = next((e for e in local if e.type == "REGION"), None)
                    if province is not None:
                        # "Nangarhar province", "Jiangsu Province": the province ISO 3166-2 names
                        # "Nangarhār" and "Jiangsu Sheng"; a capitalised noun stays in the name.
                        cand.entry, cand.key, cand.country = province, province.id, province.country
                        if noun.islower():
                            cand.name = head if ascii_fold(province.name) == head else province.name
                    elif local:
                        cand.country = local[0].country
                        cand.key = _entity_id("REGION", f"{cand.text} {cand.country}")
        self._admin_areas(doc, places)

    def _admin_areas(self, doc: DocView, places: list[_Candidate]) -> None:
        """ "Kostanay Region", "Dadu district": a place name before an administrative noun is the
        province or district, not the town. A capitalised noun is part of the name."""
        for cand in places:
            if cand.type not in {"CITY", "REGION"} or cand.end >= len(doc):
                continue
            after = doc[cand.end]
            if after.lower_ not in _ADMIN_NOUNS:
                continue
            if cand.entry is not None and cand.entry.type == "REGION":
                continue  # "Sindh province": the province the gazetteer already names
            country = cand.country
            if after.text[:1].isupper():
                span = doc[cand.start : cand.end + 1]
                cand.end, cand.end_char, cand.text = span.end, span.end_char, span.text
                cand.name = span.text
            cand.type, cand.entry, cand.country = "REGION", None, country
            cand.key = _entity_id("REGION", f"{cand.name} {country or ''}".strip())

    def _link_people(self, doc: DocView, cands: list[_Candidate]) -> None:
        """Full names key the people of the article; surnames and other partial forms join the
        full name they end ("Tokayev", "De Vries"), the nearest one before them when several do."""
        self._people_named_as_organisations(doc, cands)
        full: list[_Candidate] = []
        for cand in cands:
            if cand.type != "PERSON":
                continue
            if cand.entry is not None:
                cand.key, cand.name, cand.country = cand.entry.id, cand.entry.name, cand.entry.country
                if not (cand.kind == "alias" and len(cand.text.split()) == 1):
                    full.append(cand)
            elif len(_name_words(cand.text)) >= 2:
                full.append(cand)
        for cand in full:
            if cand.key:
                continue
            words = _name_words(cand.text)
            # "Asif Zardari" joins "Asif Ali Zardari" when first and last names agree.
            longer = [
                other
                for other in full
                if other is not cand
                and len(_name_words(other.name or other.text)) > len(words)
                and _name_words(other.name or other.text)[-1:] == words[-1:]
                and _name_words(other.name or other.text)[:1] == words[:1]
            ]
            # "De Vries" after "Sander de Vries": a trailing part of a longer name is that name.
            mine = _norm(cand.text).split()
            longer += [
                other
                for other in full
                if other is not cand
                and len(_norm(other.name or other.text).split()) > len(mine)
                and _norm(other.name or other.text).split()[-len(mine) :] == mine
            ]
            # "Shavkat Miromonovich Mirziyoyev": a known person with a middle name or patronymic.
            known = [
                o
                for o in full
                if not longer
                and o.entry is not None
                and 2 <= len(_name_words(o.entry.name)) < len(words)
                and _name_words(o.entry.name)[:1] == words[:1]
                and _name_words(o.entry.name)[-1:] == words[-1:]
            ]
            if known:
                cand.key, cand.name, cand.country = known[0].key, known[0].name, known[0].country
                continue
            target = max(longer, key=lambda o: len(o.name or o.text), default=None)
            if target is not None and target.key:
                cand.key, cand.name, cand.country = target.key, target.name, target.country
            else:
                cand.name = target.text if target is not None else cand.text
                cand.key = _entity_id("PERSON", cand.name)
                if target is not None:
                    target.name, target.key = cand.name, cand.key
        suffixes: dict[tuple[str, ...], list[_Candidate]] = defaultdict(list)
        # "Ma" after "Ma Yaoqi": Chinese, Korean and Hungarian names put the family name first.
        first_words: dict[str, set[str]] = defaultdict(set)
        for cand in full:
            # Written forms and the canonical name, accents folded: "Jeri" after "José Jerí".
            for form in {_folded(cand.name), _folded(cand.text)}:
                words = _without_generation(form.split())
                particle, _, surname = words[-1].partition("-")
                tails = [tuple(words[-k:]) for k in range(1, len(words))]
                if particle in _NAME_PARTICLES and surname and len(words) > 1:
                    tails.append((surname,))  # "Sudani" after "Mohammed Shia al-Sudani"
                for tail in tails:
                    if cand not in suffixes[tail]:
                        suffixes[tail].append(cand)
                first_words[words[0]].add(cand.key)
        for cand in cands:
            if (
                cand in full
                or cand.type not in {"PERSON", "ORG", "REGION", "CITY"}
                or cand.source == "gazetteer"
                and cand.type != "PERSON"
            ):
                continue
            matches = suffixes.get(tuple(_folded(cand.text).split()), [])
            if cand.entry is not None and any(m.key == cand.entry.id for m in matches):
                continue  # "Tokayev" after "Kassym-Jomart Tokayev"
            if not matches:
                if cand.type == "PERSON" and not cand.key:
                    owners = first_words.get(_folded(cand.text), set()) if len(cand.text.split()) == 1 else set()
                    owner = next((m for m in full if len(owners) == 1 and m.key in owners), None)
                    if owner is not None:
                        cand.key, cand.name, cand.country = owner.key, owner.name, owner.country
                    else:
                        cand.name = cand.text
                        cand.key = _entity_id("PERSON", cand.text)
                continue
            before = [m for m in matches if m.start < cand.start]
            target = before[-1] if before else matches[0]
            cand.entry = None
            cand.type, cand.key, cand.name, cand.country = "PERSON", target.key, target.name, target.country

    def _people_named_as_organisations(self, doc: DocView, cands: list[_Candidate]) -> None:
        """ "Eldor Shomurodov" tagged ORG, then "Shomurodov scored": an organisation is hardly ever
        called by the last word of its name alone, a person by the surname all the time."""
        for cand in cands:
            if cand.type != "ORG" or cand.source != "ner" or cand.backed:
                continue
            words = [t for t in doc[cand.start : cand.end] if t.lower_ not in _NAME_PARTICLES]
            if not 2 <= len(words) <= 3 or any(
                not t.is_alpha or not t.text[:1].isupper() or t.text.isupper() or t.text in self._rules.org_heads
                for t in words
            ):
                continue
            surname = words[-1].text
            alone_as_person = any(c.type == "PERSON" and c.text == surname for c in cands)
            speaks = any(
                t.text == surname
                and not cand.start <= t.i < cand.end
                and t.i + 1 < len(doc)
                and doc[t.i + 1].lower_ in _SPEECH_VERBS
                for t in doc
            )
            if alone_as_person or speaks:
                cand.type = "PERSON"

    def _acronyms_keep_their_type(self, doc: DocView, cands: Sequence[_Candidate]) -> None:
        """ "the National Disaster Management Agency (BNPB) ... BNPB says": NER may call the
        later letters a person or a place; they are the organisation they stand for."""
        acronyms = _acronym_aliases(doc, cands)
        for cand in cands:
            owner = acronyms.get(cand.text)
            if owner is not None and cand.source == "ner" and cand.entry is None and cand.type != owner.type:
                cand.type, cand.titled = owner.type, None

    def _short_place_names(self, cands: Sequence[_Candidate]) -> None:
        """ "Rio" after "Rio de Janeiro": a first word no gazetteer knows, of a city the article
        names in full, is that city."""
        cities = {
            c.entry.name.split()[0]: (c, c.entry) for c in cands if c.type == "CITY" and c.entry and " " in c.entry.name
        }
        for cand in cands:
            city, entry = cities.get(cand.text, (None, None))
            if city is None or cand.type not in {"CITY", "REGION"} or cand.entry is not None:
                continue
            if not self._is_place_name(cand.text):
                cand.entry, cand.type = entry, "CITY"
                cand.key, cand.name, cand.country = city.key, city.name, city.country

    def _people_named_as_places(self, cands: Sequence[_Candidate]) -> None:
        """ "Uhuru spoke out" tagged a place: one word no gazetteer knows as a place, the first or
        last name of someone the article names in full, is that person."""
        names = {w for c in cands if c.type == "PERSON" and len(ws := _name_words(c.text)) >= 2 for w in ws}
        for cand in cands:
            if (
                cand.source == "ner"
                and cand.type in {"CITY", "REGION"}
                and cand.entry is None
                and cand.text in names
                and not self._is_place_name(cand.text)
            ):
                cand.type = "PERSON"

    def _missed_surnames(self, doc: DocView, cands: list[_Candidate]) -> list[_Candidate]:
        """Bare surnames of people named in full elsewhere in the article that NER passed over."""
        surnames: dict[str, _Candidate] = {}
        for cand in cands:
            if cand.type == "PERSON" and cand.key:
                for words in (_name_words(cand.name), _name_words(cand.text)):  # "Jerí" written "Jeri"
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
            cand = _Candidate(
                token.i, token.i + 1, token.idx, token.idx + len(token.text), token.text, "PERSON", "rule"
            )
            cand.key, cand.name, cand.country = owner.key, owner.name, owner.country
            before = self._title_before(doc, token.i)
            if before is not None:
                cand.titled = doc[before[0] : token.i + 1].text
            found.append(cand)
        return found

    def _link_others(self, doc: DocView, cands: list[_Candidate]) -> None:
        clubs = {c.text.rsplit(" ", 1)[0]: c for c in cands if c.type == "ORG" and c.text.split()[-1] in _CLUB_SUFFIXES}
        for cand in cands:
            if cand.type == "REGION" and _spelled_out(cand, cands) is not None:
                cand.type, cand.key, cand.country = "ORG", "", None  # "ISL" of "Indian Super League"
            elif cand.type == "REGION" and cand.entry is None and cand.text in clubs:
                cand.type, cand.key, cand.country = "ORG", "", None  # "Mumbai City" after "Mumbai City FC"
                cand.name = clubs[cand.text].text
        acronyms = _acronym_aliases(doc, cands)
        for acronym, owner in acronyms.items():
            # "UN Relief and Works Agency for Palestine Refugees (UNRWA)": the long name is the
            # organisation the gazetteer knows by its acronym.
            known = next((c.entry for c in cands if c.text == acronym and c.entry is not None), None)
            if owner.entry is None and known is not None and known.type == owner.type:
                owner.entry = known
        for cand in cands:
            if cand.key:
                continue
            if cand.entry is not None:
                cand.key, cand.name, cand.country = cand.entry.id, cand.entry.name, cand.entry.country
                continue
            name = cand.name or cand.text
            full = acronyms.get(name) or _spelled_out(cand, cands)
            if full is not None and full is not cand:
                name = full.entry.name if full.entry is not None else full.text
            cand.name = name
            cand.key = _entity_id(cand.type, name)
        # "the Commission" after "the European Commission": the head word alone names the same body.
        for cand in cands:
            if cand.type != "ORG" or cand.entry is not None or len(cand.text.split()) != 1:
                continue
            fuller = [
                o
                for o in cands
                if o.type == "ORG" and o is not cand and len(o.name.split()) > 1 and o.name.split()[-1] == cand.text
            ]
            if fuller:
                owner = min(fuller, key=lambda o: (o.start > cand.start, abs(o.start - cand.start)))
                cand.name, cand.key, cand.country = owner.name, owner.key, owner.country
        # Variants of one organisation name differ only in case or quotes: one key for them. Names
        # linked to a gazetteer entry, or keyed with their country ("Kostanay Region"), keep theirs.
        canonical: dict[tuple[str, str], str] = {}
        for cand in cands:
            if (
                cand.source != "gazetteer"
                and cand.entry is None
                and cand.type in {"ORG", "EVENT", "REGION"}
                and cand.key == _entity_id(cand.type, cand.name)
            ):
                norm = (cand.type, _norm(cand.name))
                first = canonical.setdefault(norm, cand.name)
                cand.name, cand.key = first, _entity_id(cand.type, first)

    def link(self, spacy_doc: Doc, *, title: str = "", related: Sequence[tuple[int, int]] = ()) -> list[Entity]:
        """Linked entities of `doc`, most salient first. `related` are char ranges of linked
        headlines of other stories: their mentions count at half weight for salience."""
        cues = load_cues()
        # Token attributes read once: the rules below index neighbouring tokens thousands of times.
        doc = DocView(spacy_doc)
        repair_ents(doc, cues=cues)
        ner_place_tokens = {i for ent in doc.ents if ent.label_ in _PLACE_LABELS for i in range(ent.start, ent.end)}
        # NER calling a smaller city's name a person still says "this is a name" ("Rotterdam"),
        # unless the person has a first name or speaks ("Santos said").
        ner_tokens = {
            i
            for ent in doc.ents
            if ent.label_ in _NER_LABELS
            and not (ent.label_ == "PERSON" and (len(ent) > 1 or _speaks_after(doc, ent.end)))
            for i in range(ent.start, ent.end)
        }
        capitals = _capitals_lines(doc)
        gaz = self._gazetteer_candidates(doc, ner_place_tokens, ner_tokens, capitals)
        routes = self._route_places(doc)
        lower_words = {t.text for t in doc if t.is_lower}
        ner = self._ner_candidates(doc, lower_words, routes=routes)
        events = self._event_candidates(doc)
        cands = self._merge_organisations(doc, self._resolve(doc, gaz, ner, events))
        cands = apply_org_matches(
            spacy_doc,
            cands,
            self._kb.org_matches(spacy_doc),
            make_org=lambda s, e: _known_org(doc, s, e),
            is_place=self._is_place_name,
            org_cue=lambda s, e: evidence(doc, s, e, cues=cues)[0],
        )
        cands = sorted(cands + self._titled_names(doc, cands, lower_words), key=lambda c: (c.start, c.end))
        # Headline case fools NER ("Sri Lanka Cricket Names Squad"): in the linked headlines of
        # other stories only names the gazetteers know count.
        cands = [c for c in cands if c.backed or not any(a <= c.start_char < b for a, b in related)]
        # NER reads lines in capitals poorly ("SURPRISE DEFEAT" a place): there too only names the
        # gazetteers know count.
        cands = [c for c in cands if c.backed or not any(a <= c.start < b for a, b in capitals)]
        cands = drop_non_mentions(doc, cands, cues=cues)
        places_named_as_people(doc, cands, cues=cues, is_place=self._is_place_name)
        self._places_by_preposition(doc, cands)
        self._organisations_by_company(doc, cands)
        for cand in cands:
            if cand.type == "PERSON" and cand.titled is None:
                before = self._title_before(doc, cand.start)
                if before is not None:
                    cand.titled = doc[before[0] : cand.end].text
        self._acronyms_keep_their_type(doc, cands)
        self._people_named_as_places(cands)
        self._link_places(doc, cands)
        city_state(doc, cands, gazetteer=self._gaz, regions=self._kb.region)
        self._short_place_names(cands)
        decide_places(doc, cands, cues=cues, known_org=self._kb.orgs.__contains__)
        self._link_people(doc, cands)
        cands += self._missed_surnames(doc, cands)
        self._link_others(doc, cands)
        qualify_generic_bodies(cands, cues=cues)
        return _aggregate(
            doc, [c for c in cands if c.key], title=title, related=related, qid=self._kb.qid, geo=self._kb.coordinates
        )


def _known_org(doc: DocView, start: int, end: int) -> _Candidate:
    span = doc[start:end]
    return _Candidate(start, end, span.start_char, span.end_char, span.text, "ORG", "rule", backed=True)


def _acronym_follows(doc: DocView, end: int) -> bool:
    """ "(NOAA)" right after the name."""
    return (
        end + 2 < len(doc)
        and doc[end].text == "("
        and doc[end + 2].text == ")"
        and doc[end + 1].text.isupper()
        and len(doc[end + 1].text) > 1
    )


def _hyphenated_name(doc: DocView, start: int, end: int, label: str) -> tuple[int, int, bool]:
    """Widen a span NER cut at a hyphen ("Sohail" of "Sohail-ur-Rehman") to the whole name; the
    flag says an Arabic article joins it, which makes it a personal name. A place NER found keeps
    to itself across "-i-": "Pakistan" in "Nishan-i-Pakistan", the award, is the country."""
    particles = _PERSONAL_HYPHEN_PARTICLES if label in {"GPE", "LOC"} else _HYPHEN_PARTICLES

    def joined(i: int) -> bool:
        """doc[i-1:i+4] reads capitalised word, "-", particle, "-", capitalised word, unspaced."""
        return (
            i >= 1
            and i + 3 < len(doc)
            and doc[i].text == "-"
            and doc[i + 1].text in particles
            and doc[i + 2].text == "-"
            and doc[i - 1].text[:1].isupper()
            and doc[i + 3].text[:1].isupper()
            and not any(doc[j].whitespace_ for j in range(i - 1, i + 3))
        )

    while end > start and joined(start - 3):
        start -= 4
    while end > start and joined(end):
        end += 4
    personal = any(
        doc[i].text in _PERSONAL_HYPHEN_PARTICLES and doc[i - 1].text == "-" == doc[i + 1].text
        for i in range(start + 1, end - 1)
    )
    return start, end, personal


def _list_of(doc: DocView, cand: _Candidate, cands: Sequence[_Candidate]) -> list[_Candidate]:
    """The names listed together with `cand` ("A, B and C", "A or B"), itself included."""
    ordered = sorted(cands, key=lambda c: c.start)
    i = next(k for k, c in enumerate(ordered) if c is cand)
    first = last = i
    while first > 0 and _list_gap(doc, ordered[first - 1].end, ordered[first].start):
        first -= 1
    while last + 1 < len(ordered) and _list_gap(doc, ordered[last].end, ordered[last + 1].start):
        last += 1
    return ordered[first : last + 1]


def _list_start(doc: DocView, start: int) -> int:
    """Where the list of capitalised names ends at token `start` begins ("Para and [Mato
    Grosso]"); `start` itself when the name does not follow "and" or "or"."""
    if start < 2 or doc[start - 1].lower_ not in {"and", "or"}:
        return start
    first = start
    while first >= 2 and doc[first - 1].lower_ in {",", "and", "or"} and doc[first - 2].text[:1].isupper():
        first -= 2
        while first > 0 and doc[first - 1].is_alpha and doc[first - 1].text[:1].isupper():
            first -= 1
    return first


def _list_gap(doc: DocView, end: int, start: int) -> bool:
    return [t.text for t in doc[end:start]] in ([","], ["and"], ["or"], [",", "and"], [",", "or"], ["&"])


def _named_by_gazetteer(span: SpanView, entry: GazetteerEntry) -> _Candidate:
    return _Candidate(
        span.start,
        span.end,
        span.start_char,
        span.end_char,
        span.text,
        entry.type,
        "gazetteer",
        entry=entry,
        backed=True,
    )


def _line_starts(doc: DocView) -> list[int]:
    return [0] + [t.i + 1 for t in doc[:-1] if t.is_space and "\n" in t.text]


def _capitals_lines(doc: DocView) -> list[tuple[int, int]]:
    """Token ranges of the lines written wholly in capitals, two words or more."""
    lines: list[tuple[int, int]] = []
    starts = _line_starts(doc)
    for first, nxt in zip(starts, [*starts[1:], len(doc) + 1], strict=True):
        last = nxt - 1 if nxt <= len(doc) else len(doc)
        words = [t for t in doc[first:last] if t.is_alpha and len(t) > 1]
        if len(words) >= 2 and all(t.is_upper for t in words):
            lines.append((first, last))
    return lines


def _named_speaker(doc: DocView, start: int, end: int) -> bool:
    """One capitalised word between "said" and a comma: who said it."""
    return (
        end - start == 1
        and start > 0
        and doc[start - 1].lower_ in _SPEECH_VERBS
        and end < len(doc)
        and doc[end].text == ","
        and doc[start].is_title
    )


def _after_place_preposition(doc: DocView, start: int) -> bool:
    return start > 0 and doc[start - 1].lower_ in _PLACE_PREPOSITIONS


def _admin_noun_after(doc: DocView, end: int) -> bool:
    """ "Kech district", "the Tigray region"; "state" is left out ("Putin state visit")."""
    return end < len(doc) and doc[end].lower_ in _ADMIN_NOUNS and doc[end].lower_ != "state"


def _speaks_after(doc: DocView, end: int) -> bool:
    """The name is the subject of a speech verb right after it ("Santos said", not "Lima, said")."""
    return end < len(doc) and doc[end].lower_ in _SPEECH_VERBS


def _starts_sentence(doc: DocView, i: int) -> bool:
    return i == 0 or doc[i].is_sent_start or doc[i - 1].is_space or doc[i - 1].text in {'"', "“", "(", ":"}


def _is_camel_case(text: str) -> bool:
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(text))


def _name_words(text: str) -> list[str]:
    words = [w for w in text.replace("-", " ").split() if w[:1].isupper()] or text.split()
    return _without_generation(words)


def _without_generation(words: list[str]) -> list[str]:
    """ "Ferdinand Marcos Jr." is called "Marcos": the generation is not the surname."""
    while len(words) > 2 and words[-1].lower().rstrip(".,") in _GENERATIONS:
        words = words[:-1]
    return words


def _acronym_aliases(doc: DocView, cands: Sequence[_Candidate]) -> dict[str, _Candidate]:
    """ "Long Name (LN)": the acronym in brackets names the same entity later in the article."""
    found: dict[str, _Candidate] = {}
    for cand in cands:
        if cand.type not in {"ORG", "EVENT"} or cand.end + 2 >= len(doc):
            continue
        if doc[cand.end].text == "(" and doc[cand.end + 2].text == ")":
            # Acronyms often come from another language ("INPE" for Brazil's space research
            # institute), so any capitals in brackets right after the name count.
            acronym = doc[cand.end + 1].text
            if acronym.isupper() and 2 <= len(acronym) <= 10 and acronym.isalnum():
                found[acronym] = cand
    return found


def _initials(text: str) -> str:
    """ "Trans-Pacific Partnership" -> "TPP", "Mumbai City FC" -> "MCFC"; lower-case words ("and",
    "for") have none."""
    return "".join(w if w.isupper() else w[0] for w in re.split(r"[\s-]+", text) if w[:1].isupper())


def _spelled_out(acronym: _Candidate, cands: Sequence[_Candidate]) -> _Candidate | None:
    """The organisation an unknown acronym abbreviates when the article spells it out without
    brackets ("the Trans-Pacific Partnership ... TPP countries"). Known acronyms keep their entry."""
    text = acronym.text
    if acronym.type not in {"ORG", "REGION"} or acronym.entry is not None:
        return None
    if not (text.isupper() and text.isalpha() and 2 <= len(text) <= 8):
        return None
    return next(
        (c for c in cands if c.type in {"ORG", "EVENT"} and len(c.text.split()) > 1 and _initials(c.text) == text),
        None,
    )


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
            )
        )
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start if e.mentions else 0))
    return entities
