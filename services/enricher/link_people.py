"""Linking stage for people and the rest: surnames join full names, acronyms their
    organisations; every candidate gets its key."""

import logging
from collections import defaultdict

from .context import evidence, load_cues
from .doc_view import DocView
from .link_base import (
    _CLUB_SUFFIXES,
    _NAME_PARTICLES,
    _SPEECH_VERBS,
    _acronym_aliases,
    _Candidate,
    _entity_id,
    _folded,
    _name_words,
    _norm,
    _spelled_out,
    _without_generation,
)
from .link_words import WordRules

__all__ = ["PeopleRules"]

logger = logging.getLogger(__name__)


class PeopleRules(WordRules):
    """Linking stage for people and the rest: surnames join full names, acronyms their
    organisations; every candidate gets its key."""

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
        # "Warhol Polaroid exhibits": a two-word "name" opening with the surname of another person
        # the article names in full is that person and a thing, no full name of its own.
        others = {_name_words(c.text)[-1] for c in full if len(_name_words(c.text)) >= 2}
        full = [
            c
            for c in full
            if c.entry is not None
            or len(ws := _name_words(c.text)) != 2
            or ws[0] not in others
            or ws[0] == ws[1]
        ]
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
                if not words:
                    continue  # a name in a script that folds to nothing ("Мария Иванова")
                particle, _, surname = words[-1].partition("-")
                tails = [tuple(words[-k:]) for k in range(1, len(words))]
                if particle in _NAME_PARTICLES and surname and len(words) > 1:
                    tails.append((surname,))  # "Sudani" after "Mohammed Shia al-Sudani"
                for tail in tails:
                    if cand not in suffixes[tail]:
                        suffixes[tail].append(cand)
                first_words[words[0]].add(cand.key)
        cues = load_cues()
        for cand in cands:
            if (
                cand.source == "gazetteer"
                and cand.type in {"CITY", "REGION"}
                and len(cand.text.split()) == 1
                and suffixes.get((_folded(cand.text),))
                and evidence(doc, cand.start, cand.end, cues=cues)[1] == 0
                and not (cand.end < len(doc) and doc[cand.end].text == ",")
            ):
                # "Paris said" after "Valeska Paris": the surname of someone the article names in
                # full, with nothing around it that says place, is that person
                cand.source = "rule"
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

    def _not_people(self, doc: DocView, cands: list[_Candidate], lower_words: set[str]) -> list[_Candidate]:
        """Without one-word "people" that are no one's name: a storm's name the article gives in full
        ("Phailin" after "Cyclone Phailin"), a storm word alone ("the Cyclone"), or a common word
        the article writes in lower case elsewhere ("If Iodine deficiency ..."), unless it is part
        of a full name in the article or follows a title."""
        storms = {c.text.split()[-1] for c in cands if c.type == "EVENT" and c.text.split()[0] in self._rules.storm_words}
        name_words = {w for c in cands if c.type == "PERSON" and len(ws := _name_words(c.text)) >= 2 for w in ws}
        kept = []
        for cand in cands:
            one = cand.end - cand.start == 1 and cand.type in {"PERSON", "ORG"} and cand.source == "ner"
            if one and (cand.text in storms or cand.text in self._rules.storm_words):
                continue
            if (
                one
                and cand.type == "PERSON"
                and cand.titled is None
                and cand.text.lower() in lower_words
                and cand.text not in name_words
            ):
                continue
            kept.append(cand)
        return kept

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

    def _missed_surnames(self, doc: DocView, cands: list[_Candidate], lower_words: set[str]) -> list[_Candidate]:
        """Bare surnames of people named in full elsewhere in the article that NER passed over. A
        "full name" opening with a common word ("Spacecraft Stardust") has no given name: its last
        word is no surname to look for."""
        surnames: dict[str, _Candidate] = {}
        for cand in cands:
            if cand.type == "PERSON" and cand.key:
                for words in (_name_words(cand.name), _name_words(cand.text)):  # "Jerí" written "Jeri"
                    if len(words) >= 2 and len(words[-1]) > 2 and not self._is_common_word(words[0], lower_words):
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
