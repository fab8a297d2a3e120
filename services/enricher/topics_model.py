"""Topic scores: a weighted phrase lexicon for the evidence, learned weights for the score.

The lexicon (`data/topic_lexicon.yaml`, with its provenance) gives each phrase a weight; an
article's evidence for a topic is the sum of the weights of the distinct phrases found (repeats
add with diminishing returns, title hits count extra, known organisations add a cue, and so does
an entity of a kind the lexicon ties to the topic: a football club, a political party, a head of
government, by the knowledge base's source or the leaders list's role). The
learned scorer (`topic_scorer.py`, weights in `data/topic_weights.yaml`) turns the evidence of all
topics into calibrated scores, so 0.5 means "this article is about it". An article lists only the
topics with evidence and a score of at least `SCORE_FLOOR`; the taxonomy still has them all.

Built without weights (`weights=None`), the model scores with the lexicon's logistic curve alone
(evidence divided by a power of the article's length, centred on each topic's `midpoint`) and lists
every topic: `make train-topics` reads its evidence and features.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from newswire.schemas import Entity, Taxonomy, Topic, load_taxonomy, slugify

from .gazetteer import read_data
from .topic_scorer import LearnedScorer, feature_rows

__all__ = ["SCORE_FLOOR", "Calibration", "TopicEvidence", "TopicModel", "plural_forms"]

logger = logging.getLogger(__name__)

#: the longest organisation or person name read from a headline, in words (`TopicModel._title_names`)
_TITLE_NAME_WORDS = 5
#: evidence phrases reported per topic, strongest first
_MAX_EVIDENCE = 8
#: topics scored below this (or with no evidence at all) are left off an article
SCORE_FLOOR = 0.05
#: marks "use the shipped weights" (None means the lexicon's curve alone)
_SHIPPED = "shipped"


@dataclass(frozen=True, slots=True)
class Calibration:
    """How evidence becomes a score (the lexicon's `calibration` block)."""

    midpoint: float
    slope: float
    reference_words: int
    min_words: int
    title_weight: float
    length_exponent: float = 0.5

    def density(self, evidence: "TopicEvidence") -> float:
        """Evidence per length: divided by (words / reference_words) ** length_exponent, so a
        brief with two strong phrases counts like a long story with more of them."""
        return evidence.total / (max(evidence.words, self.min_words) / self.reference_words) ** self.length_exponent

    def score(self, evidence: "TopicEvidence", *, midpoint: float | None = None) -> float:
        centre = self.midpoint if midpoint is None else midpoint
        return 1.0 / (1.0 + math.exp(-self.slope * (self.density(evidence) - centre)))


@dataclass(frozen=True, slots=True)
class TopicEvidence:
    """What supports one topic in one article."""

    #: phrase as written -> its contribution
    phrases: dict[str, float]
    #: entity id -> cue weight, for known organisations tied to the topic
    cues: dict[str, float]
    #: words of the article that could carry evidence (linked headlines excluded)
    words: int
    #: the part of the phrase evidence that comes from the headline
    title: float = 0.0
    #: cue -> the name it is shown by in an article's evidence ("World Health Organization")
    cue_names: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.phrases.values()) + sum(self.cues.values())


def _merged(ranges: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted, non-overlapping [start, end) ranges as parallel lists, for bisect look-ups."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if starts and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def plural_forms(term: str) -> list[str]:
    """The term and its plural (last word inflected): "tariff" -> ["tariff", "tariffs"]."""
    head, _, last = term.rpartition(" ")
    if not last[-1:].isalpha() or last[-1:].isupper() or last.endswith("s"):
        return [term]
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        plural = last[:-1] + "ies"
    elif last.endswith(("x", "ch", "sh", "z")):
        plural = last + "es"
    else:
        plural = last + "s"
    return [term, f"{head} {plural}".strip()]


def _allowed(offsets: "np.ndarray", starts: list[int], ends: list[int]) -> "np.ndarray":
    """For each token start offset: True unless it falls inside one of the merged ranges."""
    if not starts:
        return np.ones(len(offsets), dtype=bool)
    i = np.searchsorted(np.asarray(starts), offsets, side="right") - 1
    inside = (i >= 0) & (offsets < np.asarray(ends)[np.maximum(i, 0)])
    return np.asarray(~inside)


@dataclass(frozen=True, slots=True)
class _Hit:
    topic: str
    term: str
    start: int
    end: int
    start_char: int


class TopicModel:
    """Scores the taxonomy topics for spaCy docs; built once per `nlp`."""

    def __init__(
        self,
        nlp: Any,
        *,
        taxonomy: Taxonomy | None = None,
        lexicon: dict[str, Any] | None = None,
        kinds: Mapping[str, Sequence[str]] | None = None,
        weights: dict[str, Any] | None | str = _SHIPPED,
    ) -> None:
        self._nlp = nlp
        self.taxonomy = taxonomy or load_taxonomy()
        lexicon = lexicon or read_data("topic_lexicon.yaml")
        if weights == _SHIPPED:
            weights = read_data("topic_weights.yaml")
        self.scorer = (
            LearnedScorer.from_data(weights, topics=list(self.taxonomy.ids)) if isinstance(weights, dict) else None
        )
        self.calibration = Calibration(**lexicon["calibration"])
        unknown = set(lexicon["topics"]) - set(self.taxonomy.ids)
        if unknown:
            raise ValueError(f"topic lexicon names topics missing from the taxonomy: {sorted(unknown)}")
        self._weights: dict[str, dict[str, float]] = defaultdict(dict)
        self._cues: dict[str, dict[str, float]] = {}
        self._cued: set[str] = set()
        self._name_words: dict[str, dict[str, float]] = {}
        #: entity id -> its kinds ("source:partyfacts", "role:head of state"); kind -> topic -> weight
        self._kinds: Mapping[str, Sequence[str]] = kinds or {}
        self._kind_cues: dict[str, dict[str, float]] = defaultdict(dict)
        #: topic -> (kinds, weight): entities of those kinds from two countries in one article
        self._pair_cues: dict[str, tuple[frozenset[str], float]] = {}
        #: kinds a headline's name of several words counts as (the linker reads the body only)
        self._title_kinds = frozenset(lexicon.get("title_kinds") or ())
        self._midpoints: dict[str, float] = {}
        self._keys: dict[int, tuple[str, str]] = {}
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Terms written with capitals (acronyms like "WTO", "AIDS") match only as written.
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        for topic, spec in lexicon["topics"].items():
            self._cues[topic] = {k: float(v) for k, v in (spec.get("cues") or {}).items()}
            self._cued |= set(self._cues[topic])
            self._name_words[topic] = {k: float(v) for k, v in (spec.get("name_words") or {}).items()}
            for kind, weight in (spec.get("kind_cues") or {}).items():
                self._kind_cues[kind][topic] = float(weight)
            if pair := spec.get("pair_cue"):
                self._pair_cues[topic] = (frozenset(pair["kinds"]), float(pair["weight"]))
            if "midpoint" in spec:
                self._midpoints[topic] = float(spec["midpoint"])
            for weight, terms in spec["terms"].items():
                for term in terms:
                    term = str(term)
                    known = self._weights[topic].get(term, 0.0)
                    self._weights[topic][term] = max(known, float(weight))
        for topic, terms in self._weights.items():
            for term in terms:
                key = f"{topic}|{term}"
                self._keys[nlp.vocab.strings.add(key)] = (topic, term)
                exact = term != term.lower()
                forms = [term] if exact else plural_forms(term)
                matcher = self._exact if exact else self._lower
                matcher.add(key, list(nlp.tokenizer.pipe(forms)))

    def common_words(self) -> frozenset[str]:
        """The lexicon's single lower-case words: ordinary nouns, never names."""
        return frozenset(
            term for terms in self._weights.values() for term in terms if " " not in term and term.islower()
        )

    def _hits(self, doc: Doc, offsets: "np.ndarray") -> list[_Hit]:
        hits = []
        for matcher in (self._lower, self._exact):
            for match_id, start, end in matcher(doc):
                topic, term = self._keys[match_id]
                hits.append(_Hit(topic, term, start, end, int(offsets[start])))
        return hits

    @staticmethod
    def _longest(hits: Iterable[_Hit]) -> list[_Hit]:
        """Drop hits inside a longer hit: "trade" inside "international trade" (same topic) and
        "guard" inside "guard of honour" (another topic: the longer phrase says what it means)."""
        ordered = sorted(hits, key=lambda h: (-(h.end - h.start), h.start))
        kept: list[_Hit] = []
        covering: dict[int, list[_Hit]] = defaultdict(list)  # token -> kept hits over it
        for hit in ordered:
            size = hit.end - hit.start
            if any(hit.end <= k.end and (k.topic == hit.topic or k.end - k.start > size) for k in covering[hit.start]):
                continue
            kept.append(hit)
            for i in range(hit.start, hit.end):
                covering[i].append(hit)
        return kept

    def evidence(
        self,
        doc: Doc,
        *,
        title: str = "",
        entities: Sequence[Entity] = (),
        excluded: Sequence[tuple[int, int]] = (),
    ) -> dict[str, TopicEvidence]:
        """The evidence for every taxonomy topic in `doc`. `excluded` char ranges (linked headlines
        of other stories) never count; neither do words inside names ("Bill", "Rice")."""
        # Names are not topic words: "Bill" and "Rice" are people, "Financial Times" and "Wall
        # Street Journal" are newspapers whatever the story; a known organisation ("World Health
        # Organization") counts once, through its cue.
        blocked = list(excluded) + [
            (m.start, m.end) for e in entities if e.type in {"PERSON", "ORG"} or e.id in self._cued for m in e.mentions
        ]

        starts, ends = _merged(blocked)
        # Token data read once per doc as arrays (speed: iterating Token objects per doc cost
        # ~7 ms per article in the enricher's profile).
        table = doc.to_array(["IDX", "IS_PUNCT", "IS_SPACE"]).reshape(-1, 3)
        offsets = table[:, 0]
        free = _allowed(offsets, starts, ends)
        body = [h for h in self._longest(self._hits(doc, offsets)) if free[h.start]]
        heading: list[_Hit] = []
        title_doc = None
        if title.strip():
            title_doc = self._nlp.make_doc(title)
            heading = self._longest(self._hits(title_doc, title_doc.to_array(["IDX"]).reshape(-1)))
        words = int(np.count_nonzero(free & (table[:, 1] == 0) & (table[:, 2] == 0)))
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        surface: dict[tuple[str, str], str] = {}
        for hit in body:
            counts[hit.topic][hit.term] += 1
            if (hit.topic, hit.term) not in surface:  # a Span per repeat was most of the cost
                surface[(hit.topic, hit.term)] = doc[hit.start : hit.end].text
        title_terms: dict[str, set[str]] = defaultdict(set)
        for hit in heading:
            title_terms[hit.topic].add(hit.term)
            surface.setdefault((hit.topic, hit.term), hit.term)
        entity_ids = {e.id for e in entities}
        # Organisation names as " word word " once per article, for every topic's name words.
        org_names = [
            (e.id, f" {' '.join(e.name.replace(',', ' ').split())} ")
            for e in entities
            if e.type == "ORG" and e.id not in self._cued
        ]
        titled = {eid: written for eid, written in self._title_names(title_doc) if eid not in entity_ids}
        kind_cues = self._kinds_found(entities, titled=titled)
        names = {**titled, **{e.id: e.name for e in entities}}
        found: dict[str, TopicEvidence] = {}
        for item in self.taxonomy.topics:
            weights = self._weights.get(item.id, {})
            contributions: dict[str, float] = defaultdict(float)
            for term, count in counts[item.id].items():
                contributions[surface[(item.id, term)]] += weights[term] * (1.0 + 0.5 * math.log(count))
            in_title = 0.0
            for term in sorted(title_terms[item.id]):
                contributions[surface[(item.id, term)]] += self.calibration.title_weight * weights[term]
                in_title += self.calibration.title_weight * weights[term]
            cues = {eid: w for eid, w in self._cues.get(item.id, {}).items() if eid in entity_ids}
            cues |= self._named_cues(item.id, org_names)
            for entity_id, weight in kind_cues.get(item.id, {}).items():
                cues.setdefault(entity_id, weight)
            shown = {cue: self._cue_name(cue, names) for cue in cues}
            found[item.id] = TopicEvidence(dict(contributions), cues, words, in_title, shown)
        return found

    @staticmethod
    def _cue_name(cue: str, names: dict[str, str]) -> str:
        """How a cue reads in the evidence: the entity's name, or both leaders' names of a pair."""
        return " and ".join(names.get(part, part) for part in cue.split("+"))

    def _kinds_found(self, entities: Sequence[Entity], *, titled: Iterable[str] = ()) -> dict[str, dict[str, float]]:
        """topic -> {cue: weight} for the article's entities of kinds the lexicon ties to a topic (an
        entity counts once per topic, with its strongest kind), for the organisations only the
        headline names (`titled`, of the lexicon's `title_kinds` alone), and for a `pair_cue`: two
        entities of its kinds from different countries ("head of state" and "foreign minister": a
        meeting between governments is diplomacy even when no diplomacy word is written), counted once."""
        out: dict[str, dict[str, float]] = defaultdict(dict)
        found: list[tuple[str, Iterable[str]]] = [(e.id, self._kinds.get(e.id, ())) for e in entities]
        found += [(eid, self._title_kinds.intersection(self._kinds.get(eid, ()))) for eid in titled]
        for entity_id, its_kinds in found:
            for kind in its_kinds:
                for topic, weight in self._kind_cues.get(kind, {}).items():
                    out[topic][entity_id] = max(weight, out[topic].get(entity_id, 0.0))
        for topic, (kinds, weight) in self._pair_cues.items():
            countries: dict[str, str] = {}
            for entity in entities:
                if entity.country and kinds.intersection(self._kinds.get(entity.id, ())):
                    countries.setdefault(entity.country, entity.id)
            if len(countries) >= 2:
                first, second = sorted(countries.values())[:2]
                out[topic][f"{first}+{second}"] = weight
        return out

    def _title_names(self, title_doc: Doc | None) -> list[tuple[str, str]]:
        """Organisation and person ids of the lexicon's `title_kinds` a headline names by two
        capitalised words or more ("Texas Rangers' shortstop ...", "Brad Pitt's new film"), longest
        first: the linker reads only the body, and a snippet often names the team or the star in its
        headline alone. One word ("Arsenal", "Heat", "Adele") is too ambiguous without the linker's
        context, so never counts here. Pairs of (id, name as written)."""
        if title_doc is None or not self._title_kinds:
            return []
        words = [t.text for t in title_doc]
        found: list[tuple[str, str]] = []
        taken: set[int] = set()
        for size in range(min(_TITLE_NAME_WORDS, len(words)), 1, -1):
            for i in range(len(words) - size + 1):
                span = words[i : i + size]
                if taken.intersection(range(i, i + size)) or not all(w[:1].isupper() or w[:1].isdigit() for w in span):
                    continue
                slug = slugify(" ".join(span))
                for entity_id in (f"org:{slug}", f"person:{slug}"):
                    if self._title_kinds.intersection(self._kinds.get(entity_id, ())):
                        found.append((entity_id, " ".join(span)))
                        taken.update(range(i, i + size))
                        break
        return found

    def _named_cues(self, topic: str, org_names: Sequence[tuple[str, str]]) -> dict[str, float]:
        """Organisations no cue lists whose names say what they do ("Ministry of Defense of
        Ukraine", "Central Bank of Nigeria"): each counts once, like a listed organisation.
        `org_names` are (entity id, " name words ") of the article's uncued organisations."""
        words = self._name_words.get(topic)
        if not words or not org_names:
            return {}
        found: dict[str, float] = {}
        for entity_id, name in org_names:
            weight = max((w for phrase, w in words.items() if f" {phrase} " in name), default=0.0)
            if weight:
                found[entity_id] = weight
        return found

    def score(
        self,
        doc: Doc,
        *,
        title: str = "",
        entities: Sequence[Entity] = (),
        excluded: Sequence[tuple[int, int]] = (),
    ) -> list[Topic]:
        """The topics `doc` has evidence for and scores at `SCORE_FLOOR` or more, highest first
        (without weights: every taxonomy topic)."""
        found = self.evidence(doc, title=title, entities=entities, excluded=excluded)
        return self.scores(found)

    def scores(self, found: dict[str, TopicEvidence]) -> list[Topic]:
        """Scores from evidence already gathered (see `score`)."""
        probability = self.probabilities(found)
        topics: list[Topic] = []
        for item in self.taxonomy.topics:
            ev = found[item.id]
            score = round(probability[item.id], 4)
            if self.scorer is not None and (score < SCORE_FLOOR or not (ev.phrases or ev.cues)):
                continue
            # Phrases first, strongest first; then the entities that count for the topic, so a topic
            # scored from a club or a head of government still says why.
            phrases = sorted(ev.phrases, key=lambda p: (-ev.phrases[p], p))
            named = [ev.cue_names.get(c, c) for c in sorted(ev.cues, key=lambda c: (-ev.cues[c], c))]
            evidence = list(dict.fromkeys(phrases + [n for n in named if n not in ev.phrases]))[:_MAX_EVIDENCE]
            topics.append(Topic(id=item.id, label=item.label, score=score, evidence=evidence))
        order_of = {t: i for i, t in enumerate(self.taxonomy.ids)}
        topics.sort(key=lambda t: (-t.score, order_of[t.id]))
        return topics

    def probabilities(self, found: dict[str, TopicEvidence]) -> dict[str, float]:
        """Every taxonomy topic's score, unrounded and unfiltered (for evaluation and training)."""
        if self.scorer is None:
            return {t: self.calibration.score(ev, midpoint=self._midpoints.get(t)) for t, ev in found.items()}
        rows = self.features(found)
        return {t: self.scorer.probability(t, rows[t]) for t in found}

    def features(self, found: dict[str, TopicEvidence]) -> dict[str, list[float]]:
        """The learned scorer's features of every topic (`topic_scorer.FEATURES`)."""
        return feature_rows(found, self.calibration, self._midpoints)
