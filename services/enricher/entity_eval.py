"""`python -m newswire.enricher.entity_eval` (part of `make eval`): entity quality on three sets
side by side, each next to plain spaCy NER measured in the same run.

- `dev`: `eval/enricher/dev/`, the articles rules may be written against;
- `test`: `eval/enricher/test/`, frozen: no rule is written against it;
- `gum-<split>`: real Wikinews text nobody on the team wrote (`eval/gum-wikinews/`, the GUM
  corpus's sentence file with spans PER/ORG/LOC; see its SOURCE.md), its `test` split frozen.

The eval articles carry no positions, so they are scored per article as entity sets (as
`evaluation.score_entities`, coarse PER/ORG/LOC); GUM is scored on exact character spans, which is
what the standard news NER benchmarks do. Both are reported typed and type-agnostic: GUM types an
entity by its role in context (a country acting as an agent is an organisation), so a span found
with the "wrong" type is not always wrong there.

Type-agnostic per type: a gold item of type T counts as found when any prediction of any type
matches it; a prediction of type T counts as spurious when it matches no gold item.
"""

import argparse
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from newswire.schemas import EnrichedArticle

from .evaluation import _SPACY_COARSE, COARSE, Counts, EvalArticle, Predicted, Report, load_articles, normalise
from .pipeline import DEFAULT_MODEL, raw_from_text, shared_enricher

__all__ = [
    "GumDoc",
    "Span3",
    "enricher_spans",
    "load_gum",
    "main",
    "score_sets",
    "score_spans",
    "spacy_spans",
]

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
EVAL_DIR = REPO / "eval" / "enricher"
GUM_FILE = Path(
    os.environ.get("NEWSWIRE_GUM_SENTENCES", REPO / "eval" / "gum-wikinews" / "gum_wikinews_sentences_ner.jsonl")
)
DEFAULT_OUTPUT = REPO / "bench" / "results" / "entity_eval.json"
LABELS = ("PER", "ORG", "LOC")
#: mention kinds that are not spans of a name (a demonym mentions its country but is no LOC span)
_NOT_NAME_KINDS = frozenset({"demonym"})

Span3 = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class GumDoc:
    id: str
    text: str
    spans: tuple[Span3, ...]


def load_gum(path: Path, *, split: str) -> list[GumDoc]:
    """The sentence file's lines of one split, joined per document with newlines (offsets shifted)."""
    by_doc: dict[str, tuple[list[str], list[Span3]]] = {}
    with path.open("rb") as handle:
        for line in handle:
            row = orjson.loads(line)
            if row["split"] != split:
                continue
            texts, spans = by_doc.setdefault(row["doc_id"], ([], []))
            offset = sum(len(t) + 1 for t in texts)
            texts.append(row["text"])
            spans.extend((offset + e["start"], offset + e["end"], e["label"]) for e in row["entities"])
    return [GumDoc(doc_id, "\n".join(texts), tuple(spans)) for doc_id, (texts, spans) in by_doc.items()]


def enricher_spans(article: EnrichedArticle) -> set[Span3]:
    """Every mention of a PER/ORG/LOC entity as a span; events and demonym mentions left out."""
    spans: set[Span3] = set()
    for entity in article.entities:
        label = COARSE.get(entity.type)
        if label not in LABELS:
            continue
        for mention in entity.mentions:
            if getattr(mention, "kind", None) in _NOT_NAME_KINDS:
                continue
            spans.add((mention.start, mention.end, label))
    return spans


def spacy_spans(doc: Any) -> set[Span3]:
    return {
        (ent.start_char, ent.end_char, _SPACY_COARSE[ent.label_]) for ent in doc.ents if ent.label_ in _SPACY_COARSE
    }


def score_spans(pairs: Iterable[tuple[Sequence[Span3], Iterable[Span3]]], *, typed: bool) -> Report:
    """Exact-span P/R/F1 per label over documents."""
    report = Report(per_class={label: Counts() for label in LABELS})
    for gold, predicted in pairs:
        gold_set = set(gold)
        pred_set = set(predicted)
        if typed:
            for label in LABELS:
                g = {s for s in gold_set if s[2] == label}
                p = {s for s in pred_set if s[2] == label}
                c = report.per_class[label]
                c.tp += len(g & p)
                c.fn += len(g - p)
                c.fp += len(p - g)
        else:
            gold_ranges = {(s, e) for s, e, _ in gold_set}
            pred_ranges = {(s, e) for s, e, _ in pred_set}
            for s, e, label in gold_set:
                c = report.per_class[label]
                if (s, e) in pred_ranges:
                    c.tp += 1
                else:
                    c.fn += 1
            for s, e, label in pred_set:
                if (s, e) not in gold_ranges:
                    report.per_class[label].fp += 1
    return report


def score_sets(pairs: Iterable[tuple[EvalArticle, Sequence[Predicted]]], *, typed: bool) -> Report:
    """Per-article entity sets of the eval articles, coarse PER/ORG/LOC (events left out)."""
    report = Report(per_class={label: Counts() for label in LABELS})
    for article, predictions in pairs:
        unmatched = [p for p in predictions if p.type in LABELS]
        for gold in article.entities:
            label = COARSE[gold.type]
            if label not in LABELS:
                continue
            hit = next((p for p in unmatched if _set_match(gold, p, label, typed=typed)), None)
            counts = report.per_class[label]
            if hit is None:
                counts.fn += 1
            else:
                counts.tp += 1
                unmatched.remove(hit)
        for pred in unmatched:
            report.per_class[pred.type].fp += 1
    return report


def _set_match(gold: Any, pred: Predicted, label: str, *, typed: bool) -> bool:
    if typed and pred.type != label:
        return False
    if gold.id is not None and pred.id is not None and pred.id.split(":")[0] == gold.id.split(":")[0]:
        return pred.id == gold.id
    return bool(gold.forms & pred.forms)


def _predicted_sets(article: EnrichedArticle) -> list[Predicted]:
    out = []
    for e in article.entities:
        label = COARSE.get(e.type)
        if label not in LABELS:
            continue
        forms = [e.name, *e.aliases, *(m.text for m in e.mentions)]
        out.append(Predicted(type=label, id=e.id, forms=frozenset(normalise(f) for f in forms)))
    return out


def _baseline_sets(doc: Any) -> list[Predicted]:
    seen: dict[tuple[str, str], Predicted] = {}
    for ent in doc.ents:
        label = _SPACY_COARSE.get(ent.label_)
        if label is not None:
            form = normalise(ent.text)
            seen.setdefault((label, form), Predicted(type=label, id=None, forms=frozenset({form})))
    return list(seen.values())


def _reports(gold_pred: list[tuple[Any, Any]], scorer: Any) -> dict[str, Report]:
    return {"typed": scorer(gold_pred, typed=True), "untyped": scorer(gold_pred, typed=False)}


def evaluate(*, model: str, baseline_model: str, gum_file: Path, gum_splits: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{set name: {"enricher": {typed, untyped}, "baseline": {typed, untyped}, "size": n}}."""
    import spacy

    enricher = shared_enricher(model)
    plain = spacy.load(baseline_model)
    results: dict[str, dict[str, Any]] = {}
    for split in ("dev", "test"):
        articles = load_articles(EVAL_DIR / split)
        raws = [raw_from_text(a.text, title=a.title, url=f"urn:newswire:eval:{a.id}", source="eval") for a in articles]
        enriched = enricher.enrich_many(raws)
        docs = plain.pipe((a.text for a in articles), batch_size=16)
        results[split] = {
            "size": len(articles),
            "enricher": _reports(list(zip(articles, map(_predicted_sets, enriched), strict=True)), score_sets),
            "baseline": _reports(list(zip(articles, map(_baseline_sets, docs), strict=True)), score_sets),
        }
    if gum_file.exists():
        for split in gum_splits:
            gum = load_gum(gum_file, split=split)
            raws = [raw_from_text(d.text, url=f"urn:newswire:gum:{d.id}", source="eval") for d in gum]
            enriched = enricher.enrich_many(raws)
            docs = plain.pipe((d.text for d in gum), batch_size=16)
            golds = [d.spans for d in gum]
            results[f"gum-{split}"] = {
                "size": len(gum),
                "enricher": _reports(list(zip(golds, map(enricher_spans, enriched), strict=True)), score_spans),
                "baseline": _reports(list(zip(golds, map(spacy_spans, docs), strict=True)), score_spans),
            }
    else:
        logger.warning("GUM sentence file %s not found: GUM sets skipped", gum_file)
    return results


def _cell(report: Report, label: str | None) -> str:
    c = report.micro if label is None else report.per_class[label]
    return f"{c.f1:.3f}"


def format_table(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    head = f"{'':<22}" + "".join(f"{n + ' (' + str(results[n]['size']) + ')':>24}" for n in names)
    sub = f"{'F1':<22}" + "".join(f"{'enricher':>13}{'spaCy':>11}" for _ in names)
    lines = [head, sub]
    for mode in ("typed", "untyped"):
        for label in (*LABELS, None):
            row = f"  {mode + ' ' + (label or 'all'):<20}"
            for n in names:
                row += f"{_cell(results[n]['enricher'][mode], label):>13}{_cell(results[n]['baseline'][mode], label):>11}"
            lines.append(row)
    lines.append("dev/test: per-article entity sets; gum-*: exact character spans (sentence file). test and gum-test are frozen.")
    return "\n".join(lines)


def as_json(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        name: {
            "size": r["size"],
            **{who: {mode: rep.as_dict() for mode, rep in r[who].items()} for who in ("enricher", "baseline")},
        }
        for name, r in results.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.enricher.entity_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model of the enricher")
    parser.add_argument("--baseline-model", default=DEFAULT_MODEL, help="plain spaCy model for the baseline")
    parser.add_argument("--gum", type=Path, default=GUM_FILE, help="GUM Wikinews sentence file (jsonl)")
    parser.add_argument("--gum-splits", default="dev,test", help="comma-separated GUM splits to score")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the JSON results go")
    args = parser.parse_args(argv)
    results = evaluate(
        model=args.model,
        baseline_model=args.baseline_model,
        gum_file=args.gum,
        gum_splits=[s for s in args.gum_splits.split(",") if s],
    )
    print(format_table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(orjson.dumps(as_json(results), option=orjson.OPT_INDENT_2) + b"\n")
    print(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
