"""The linker as spaCy pipeline components, after `ner` (`nlp.pipe_names` shows the order):

1. `newswire_candidates`: NER spans repaired and cleaned, gazetteer hits, datelines, routes and
   events (span groups `doc.spans["newswire_gazetteer"]`, `["newswire_ner"]`, `["newswire_events"]`);
2. `newswire_resolve`: overlaps resolved, split names joined, knowledge-base organisations folded in;
3. `newswire_context`: types decided from context, places linked;
4. `newswire_link`: people and organisations keyed, one `Entity` per key (`doc._.newswire_entities`,
   and every mention in `doc.spans["newswire_entities"]`, labelled with its type, `kb_id` its id).

Inputs per document: `doc._.newswire_title` and `doc._.newswire_related` (char ranges of linked
headlines), set before `nlp.pipe` (which takes `Doc`s). The work in progress between components
is `doc._.newswire_link` (a `LinkState`), cleared by the last one. The components find their
`EntityLinker` through `attach`, which `Enricher` calls once the gazetteers are loaded: the
gazetteers are data of the process, not of the spaCy config.
"""

import logging
from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .link_base import _Candidate
from .linking import EntityLinker, LinkState

__all__ = ["STAGES", "LinkerStage", "add_linker", "attach"]

logger = logging.getLogger(__name__)

_STATE = "newswire_link"
for _name, _default in (("newswire_title", ""), ("newswire_related", ()), ("newswire_entities", None), (_STATE, None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)

#: component name -> the linker stage it runs, in pipeline order
STAGES: dict[str, str] = {
    "newswire_candidates": "find_candidates",
    "newswire_resolve": "resolve",
    "newswire_context": "decide",
    "newswire_link": "finish",
}


class LinkerStage:
    """One stage of the `EntityLinker` as a pipeline component."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.linker: EntityLinker | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.linker is None:
            raise RuntimeError(f"pipeline component {self.name!r} has no linker: call link_components.attach")
        linker = self.linker
        if self.name == "newswire_candidates":
            state = linker.start(doc, title=doc._.newswire_title, related=doc._.newswire_related)
            doc._.set(_STATE, state)
            linker.find_candidates(state)
            _span_group(doc, "newswire_gazetteer", state.gazetteer)
            _span_group(doc, "newswire_ner", state.ner)
            _span_group(doc, "newswire_events", state.events)
            return doc
        state = doc._.get(_STATE)
        if not isinstance(state, LinkState):
            raise RuntimeError(f"pipeline component {self.name!r} runs after newswire_candidates")
        if self.name == "newswire_link":
            entities = linker.finish(state)
            doc._.set("newswire_entities", entities)
            doc.spans["newswire_entities"] = _mention_spans(doc, entities)
            doc._.set(_STATE, None)
            return doc
        step: Callable[[LinkState], Any] = getattr(linker, STAGES[self.name])
        step(state)
        return doc


def _span_group(doc: Doc, key: str, cands: list[_Candidate]) -> None:
    doc.spans[key] = [Span(doc, c.start, c.end, label=c.type) for c in cands]


def _mention_spans(doc: Doc, entities: list[Any]) -> list[Span]:
    """Every mention as a span of the doc, labelled with the entity's type and id."""
    spans = []
    for entity in entities:
        for mention in entity.mentions:
            span = doc.char_span(mention.start, mention.end, label=entity.type, kb_id=entity.id)
            if span is not None:
                spans.append(span)
    return spans


for _component in STAGES:
    Language.factory(_component, func=lambda nlp, name: LinkerStage(name))


def add_linker(nlp: Language) -> None:
    """Add the linker's components after `ner` (idempotent)."""
    for name in STAGES:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, last=True)


def attach(nlp: Language, linker: EntityLinker) -> None:
    """Give the components of `nlp` the linker they run."""
    for name in STAGES:
        component = nlp.get_pipe(name)
        if isinstance(component, LinkerStage):
            component.linker = linker
