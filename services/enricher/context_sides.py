"""The two sides of a match are the same kind of entity: "Nadal beat Federer 6-3" pits a person
against a person, "Lazio won 3-1 against Torino" a club against a club. A score cue says "this is
a match", not "this is an organisation": NER's ORG for "Federer 6-3" comes from the score glued to
the name, and the other side being a person says which it is.

- A side NER or the cues called an organisation, which the knowledge base does not know, facing a
  person across a result ("beat", "won ... against", a score), is a person.
- NER's ORG that came with a score glued on ("Venus 6-2"), for a name the knowledge base knows no
  organisation of, no organisation noun in it and no football words in its sentence, is a person:
  clubs in fixtures are in the knowledge base; players of tennis, snooker or chess are not.
- A one-word "person" the knowledge base knows as an organisation, facing an organisation the
  knowledge base knows across a result or "and" ("Benfica and Sporting meet"), is that
  organisation.

The link words live in `data/context_cues.yaml` (`result_links`); candidates are the linker's
mutable `_Candidate` objects, duck-typed as in `context`.
"""

import logging
from collections.abc import Callable, Sequence
from typing import Any

from .context import SCORE_CUT, ContextCues, score_width, to_org
from .doc_view import DocView

__all__ = ["match_sides"]

logger = logging.getLogger(__name__)


def _link(doc: DocView, a: Any, b: Any, cues: ContextCues) -> str | None:
    """ "result" when only result words and scores stand between a and b and a score is there (or
    right after b); "and" when only "and" does; else None."""
    between = [t for t in doc[a.end : b.start]]
    if not between:
        return None
    if len(between) == 1 and between[0].lower_ in {"and", "&"}:
        return "and"
    scored = False
    i, stop = a.end, b.start
    while i < stop:
        width = score_width(doc, i, stop, cues)
        if width:
            scored, i = True, i + width
            continue
        if doc[i].lower_ not in cues.result_links:
            return None
        i += 1
    if not scored:
        scored = bool(score_width(doc, b.end, min(b.end + 3, len(doc)), cues))
    verbs = any(t.lower_ in cues.result_verbs for t in between)
    return "result" if scored and verbs else None


def match_sides(
    doc: DocView,
    cands: Sequence[Any],
    *,
    cues: ContextCues,
    known_org: Callable[[str], bool],
    org_word: Callable[[str], bool],
) -> None:
    """Give both sides of a match one kind (see the module's docstring). `known_org(text)`: the
    knowledge base knows an organisation of that name; `org_word(word)`: an organisation noun."""
    score_cut = doc.memo.get(SCORE_CUT, set())
    for cand in cands:
        if (
            cand.type == "ORG"
            and (cand.start, cand.end) in score_cut
            and cand.entry is None
            and not cand.known_org
            and not known_org(cand.text)
            and len(cand.text.split()) <= 3
            and not any(org_word(w) or not w[:1].isupper() for w in cand.text.split())
            and not any(t.lower_ in cues.sport_words for t in doc[slice(*doc.sentence(cand.start))])
        ):
            _to_person(cand)
    ordered = sorted((c for c in cands if c.type in {"PERSON", "ORG"}), key=lambda c: c.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.type == b.type:
            continue
        link = _link(doc, a, b, cues)
        if link is None:
            continue
        person, org = (a, b) if a.type == "PERSON" else (b, a)
        org_known = org.known_org or known_org(org.text)
        one_word = len(person.text.split()) == 1
        if one_word and person.entry is None and known_org(person.text) and org_known:
            to_org(person)
            person.known_org = True
        elif link == "result" and not org_known and org.entry is None and len(org.text.split()) <= 3:
            _to_person(org)  # the other side is a person, so is this one


def _to_person(cand: Any) -> None:
    cand.type, cand.key, cand.country, cand.name = "PERSON", "", None, ""
