"""Context stage for places: which names are places, and which place each one is."""

import logging
from collections import defaultdict
from collections.abc import Sequence

from .context import (
    evidence,
    load_cues,
    to_org,
)
from .doc_view import DocView
from .gazetteer import GazetteerEntry, ascii_fold
from .link_base import (
    _ADMIN_NOUNS,
    _COMPASS_WORDS,
    _acronym_aliases,
    _admin_noun_after,
    _after_place_preposition,
    _Candidate,
    _capitalised_words,
    _entity_id,
    _list_of,
    _list_start,
    _speaks_after,
    _starts_sentence,
    _unquoted,
)
from .link_words import WordRules

__all__ = ["PlaceRules"]

logger = logging.getLogger(__name__)


class PlaceRules(WordRules):
    """Context stage for places: which names are places, and which place each one is."""

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
        # Words as written, titles included: a title alone ("became Sultan") is no place either.
        names = {w for c in cands if c.type == "PERSON" and len(ws := _capitalised_words(c.text)) >= 2 for w in ws}
        for cand in cands:
            if (
                cand.source == "ner"
                and cand.type in {"CITY", "REGION"}
                and cand.entry is None
                and cand.text in names
                and not self._is_place_name(cand.text)
            ):
                cand.type = "PERSON"

    def _organisations_no_place_knows(self, doc: DocView, cands: Sequence[_Candidate]) -> None:
        """ "Fans of Sporting gathered": one word NER called a place, which no gazetteer knows as a
        place and the knowledge base knows as an organisation, is the organisation, unless a
        place cue stands by one of its mentions ("the Pacific", "the western Pacific")."""
        cues = load_cues()
        unknown = [
            c
            for c in cands
            if c.source == "ner"
            and c.type == "REGION"
            and c.entry is None
            and c.end - c.start == 1
            and c.text in self._kb.orgs
            and not self._is_place_name(c.text)
            and not self._gaz.lookup(c.text)
        ]
        placed = {
            c.text
            for c in unknown
            if evidence(doc, c.start, c.end, cues=cues)[1] > 0
            or (c.start > 0 and doc[c.start - 1].lower_ in _COMPASS_WORDS)
        }
        for cand in unknown:
            if cand.text not in placed:
                to_org(cand)  # no entry: `unknown` holds only unlinked names
                cand.known_org = True
