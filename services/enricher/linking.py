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

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from newswire.schemas import Entity

from .context import (
    ContextCues,
    city_state,
    decide_places,
    drop_non_mentions,
    evidence,
    load_cues,
    places_named_as_people,
    qualify_generic_bodies,
    repair_ents,
)
from .context_sides import match_sides
from .doc_view import DocView
from .kb import apply_org_matches
from .link_aggregate import _aggregate, salience_scores
from .link_base import (
    _NER_LABELS,
    _PLACE_LABELS,
    _Candidate,
    _capitals_lines,
    _known_org,
    _speaks_after,
)
from .link_candidates import CandidateRules
from .link_ner import FACILITIES, NerRules
from .link_people import PeopleRules
from .link_places import PlaceRules
from .link_resolve import ResolveRules

__all__ = ["EntityLinker", "LinkState", "salience_scores"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class LinkState:
    """One document's work in progress between the linker's pipeline components (kept on
    `doc._.newswire_link`): the view, the inputs and the candidates of each stage."""

    doc: DocView
    cues: ContextCues
    title: str
    related: tuple[tuple[int, int], ...]
    #: token ranges of the lines written in capitals
    capitals: list[tuple[int, int]] = field(default_factory=list)
    #: the words the article writes in lower case
    lower_words: set[str] = field(default_factory=set)
    gazetteer: list[_Candidate] = field(default_factory=list)
    ner: list[_Candidate] = field(default_factory=list)
    events: list[_Candidate] = field(default_factory=list)
    #: the candidates once overlaps are resolved; types and keys are decided on these
    cands: list[_Candidate] = field(default_factory=list)


class EntityLinker(CandidateRules, NerRules, ResolveRules, PlaceRules, PeopleRules):
    """Links the entities of spaCy docs; one instance per `nlp`, reused for every document.

    The work is four stages, run in this order by the pipeline components of `link_components`
    (see `nlp.pipe_names`) or all at once by `link`: `find_candidates`, `resolve`, `decide`,
    `finish`."""

    def start(self, spacy_doc: Doc, *, title: str = "", related: Sequence[tuple[int, int]] = ()) -> LinkState:
        # Token attributes read once: the rules below index neighbouring tokens thousands of times.
        return LinkState(DocView(spacy_doc), load_cues(), title, tuple((a, b) for a, b in related))

    def find_candidates(self, state: LinkState) -> None:
        """NER spans repaired and cleaned, gazetteer hits, datelines, routes and events."""
        doc, cues = state.doc, state.cues
        repair_ents(doc, cues=cues)
        state.lower_words = {t.text for t in doc if t.is_lower}
        self._rejoin_split_names(doc, state.lower_words)
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
        state.capitals = _capitals_lines(doc)
        state.gazetteer = self._gazetteer_candidates(doc, ner_place_tokens, ner_tokens, state.capitals)
        routes = self._route_places(doc)
        state.ner = self._ner_candidates(doc, state.lower_words, routes=routes)
        state.events = self._event_candidates(doc)

    def resolve(self, state: LinkState) -> None:
        """One candidate per stretch of text: overlaps resolved, split names joined, the knowledge
        base's organisations folded in, names after titles added, unreliable text filtered."""
        doc, cues, capitals = state.doc, state.cues, state.capitals
        cands = self._merge_organisations(doc, self._resolve(doc, state.gazetteer, state.ner, state.events))
        cands = apply_org_matches(
            doc.doc,
            cands,
            self._kb.org_matches(doc.doc),
            make_org=lambda s, e: _known_org(doc, s, e),
            is_place=self._is_place_name,
            org_cue=lambda s, e: evidence(doc, s, e, cues=cues)[0],
        )
        cands = sorted(cands + self._titled_names(doc, cands, state.lower_words), key=lambda c: (c.start, c.end))
        # Headline case fools NER ("Sri Lanka Cricket Names Squad"): in the linked headlines of
        # other stories only names the gazetteers know count.
        cands = [c for c in cands if c.backed or not any(a <= c.start_char < b for a, b in state.related)]
        # NER reads lines in capitals poorly ("SURPRISE DEFEAT" a place): there too only names the
        # gazetteers know count.
        cands = [c for c in cands if c.backed or not any(a <= c.start < b for a, b in capitals)]
        # A genus ("Formica fusca") is no person, place or organisation.
        cands = [c for c in cands if c.backed or not self._is_genus(doc, c.start, c.end)]
        # A place's name inside a site's ("Volgograd Arena") is no mention of the place.
        sites = doc.memo.get(FACILITIES, [])
        cands = [c for c in cands if not any(a <= c.start and c.end <= b and (a, b) != (c.start, c.end) for a, b in sites)]
        state.cands = drop_non_mentions(doc, cands, cues=cues)

    def decide(self, state: LinkState) -> None:
        """Types from context (places, people, organisations) and the places linked."""
        state.cands = self._not_people(state.doc, state.cands, state.lower_words)
        doc, cues, cands = state.doc, state.cues, state.cands
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
        self._organisations_no_place_knows(doc, cands)
        decide_places(doc, cands, cues=cues, known_org=self._kb.orgs.__contains__)
        match_sides(
            doc, cands, cues=cues, known_org=self._kb.orgs.__contains__, org_word=self._rules.org_heads.__contains__
        )

    def finish(self, state: LinkState) -> list[Entity]:
        """People, acronyms and the rest keyed; one `Entity` per key, most salient first."""
        doc, cands = state.doc, state.cands
        self._link_people(doc, cands)
        cands += self._missed_surnames(doc, cands, state.lower_words)
        self._link_others(doc, cands)
        qualify_generic_bodies(cands, cues=state.cues)
        return _aggregate(
            doc,
            [c for c in cands if c.key],
            title=state.title,
            related=state.related,
            qid=self._kb.qid,
            geo=self._kb.coordinates,
        )

    def link(self, spacy_doc: Doc, *, title: str = "", related: Sequence[tuple[int, int]] = ()) -> list[Entity]:
        """Linked entities of `doc`, most salient first, every stage run here. `related` are char
        ranges of linked headlines of other stories: their mentions count at half weight for
        salience."""
        state = self.start(spacy_doc, title=title, related=related)
        self.find_candidates(state)
        self.resolve(state)
        self.decide(state)
        return self.finish(state)
