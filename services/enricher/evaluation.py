"""`python -m newswire.enricher.evaluation` (`make eval`): entity and topic P/R/F1 of the enricher
on the shipped evaluation set, with plain spaCy NER as the entity baseline.

Each article file in `eval/enricher/{dev,test}/` is `{"id", "title", "text", "source", "gold":
{"entities": [{"name", "type", "id"?, "aliases"?, "surface"?, ...}], "topics": [...]}}`.

Entities are compared per article as sets: a predicted entity matches a gold one of the same
type when the ids agree (where the gold has an id), else when the normalised gold name or any of
its aliases/surface forms equals the prediction's name, one of its aliases or a mention's text.
Topics are predicted where the score is at least 0.5. The baseline is `en_core_web_sm` with its
full pipeline and no linking: PERSON, ORG and GPE/LOC spans compared as PER, ORG and LOC.
Unless `--no-topics`, the topic comparison of `topic_evaluation.py` follows: the shipped topic
model next to the previous one on the team set, the Wikinews real-news set (frozen test split) and
the Wikinews 2004 set labelled by its own categories (top-topic share only).
"""

import argparse
import logging
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from newswire.schemas import EnrichedArticle, load_taxonomy

from .pipeline import DEFAULT_MODEL, ENRICHER_VERSION, EnricherError, raw_from_text, shared_enricher
from .topic_evaluation import WIKINEWS, WIKINEWS_2004, compare, print_comparison

__all__ = [
    "Counts",
    "EvalArticle",
    "GoldEntity",
    "Predicted",
    "baseline_entities",
    "load_articles",
    "main",
    "predicted_entities",
    "score_entities",
    "score_topics",
]

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
#: both splits (dev/ and the frozen test/); `entity_eval` scores them apart
DEFAULT_ARTICLES = REPO / "eval" / "enricher"
DEFAULT_OUTPUT = REPO / "bench" / "results" / "eval.json"
THRESHOLD = 0.5

Granularity = Literal["fine", "coarse"]
#: contract types -> the PER/ORG/LOC classes that NER benchmarks and the baseline use
COARSE = {"PERSON": "PER", "ORG": "ORG", "COUNTRY": "LOC", "CITY": "LOC", "REGION": "LOC", "EVENT": "EVENT"}
_SPACY_COARSE = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalise(name: str) -> str:
    """NFKC, quotes straightened, case-folded, a leading "the" and possessive dropped."""
    text = " ".join(unicodedata.normalize("NFKC", name).translate(_QUOTES).casefold().split())
    text = text.removeprefix("the ")
    return text.removesuffix("'s")


@dataclass(frozen=True, slots=True)
class GoldEntity:
    type: str
    name: str
    id: str | None
    forms: frozenset[str]


@dataclass(frozen=True, slots=True)
class EvalArticle:
    id: str
    title: str
    text: str
    entities: tuple[GoldEntity, ...]
    topics: frozenset[str]


@dataclass(frozen=True, slots=True)
class Predicted:
    type: str
    id: str | None
    forms: frozenset[str]


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(slots=True)
class Report:
    per_class: dict[str, Counts] = field(default_factory=dict)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.per_class.values():
            total.add(counts)
        return total

    @property
    def macro_f1(self) -> float:
        scored = [c for c in self.per_class.values() if c.tp + c.fp + c.fn]
        return sum(c.f1 for c in scored) / len(scored) if scored else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "per_class": {k: v.as_dict() for k, v in sorted(self.per_class.items())},
            "micro": self.micro.as_dict(),
            "macro_f1": round(self.macro_f1, 4),
        }


def load_articles(folder: Path) -> list[EvalArticle]:
    """Every `*.json` article in `folder` or its sub-folders, sorted by file name."""
    articles = []
    for path in sorted([*folder.glob("*.json"), *folder.glob("*/*.json")], key=lambda p: p.name):
        data = orjson.loads(path.read_bytes())
        gold = data["gold"]
        entities = tuple(
            GoldEntity(
                type=e["type"],
                name=e["name"],
                id=e.get("id"),
                forms=frozenset(normalise(f) for f in [e["name"], *e.get("aliases", []), *e.get("surface", [])]),
            )
            for e in gold["entities"]
        )
        articles.append(
            EvalArticle(data["id"], data.get("title", ""), data["text"], entities, frozenset(gold["topics"]))
        )
    return articles


def predicted_entities(article: EnrichedArticle) -> list[Predicted]:
    return [
        Predicted(
            type=e.type,
            id=e.id,
            forms=frozenset(normalise(f) for f in [e.name, *e.aliases, *(m.text for m in e.mentions)]),
        )
        for e in article.entities
    ]


def baseline_entities(doc: Any) -> list[Predicted]:
    """Plain spaCy NER spans as predictions, one per distinct (class, text)."""
    seen: dict[tuple[str, str], Predicted] = {}
    for ent in doc.ents:
        coarse = _SPACY_COARSE.get(ent.label_)
        if coarse is None:
            continue
        form = normalise(ent.text)
        seen.setdefault((coarse, form), Predicted(type=coarse, id=None, forms=frozenset({form})))
    return list(seen.values())


def _matches(gold: GoldEntity, pred: Predicted, gold_type: str) -> bool:
    if gold_type != pred.type:
        return False
    if gold.id is not None and pred.id is not None and pred.id.split(":")[0] == gold.id.split(":")[0]:
        return pred.id == gold.id
    return bool(gold.forms & pred.forms)


def score_entities(
    pairs: Iterable[tuple[Sequence[GoldEntity], Sequence[Predicted]]], *, granularity: Granularity
) -> Report:
    """Per-class counts over articles; each gold entity matches at most one prediction."""
    report = Report()
    for gold_entities, predictions in pairs:
        unmatched = list(predictions)
        for gold in gold_entities:
            gold_type = COARSE[gold.type] if granularity == "coarse" else gold.type
            counts = report.per_class.setdefault(gold_type, Counts())
            hit = next((p for p in unmatched if _matches(gold, p, gold_type)), None)
            if hit is None:
                counts.fn += 1
            else:
                counts.tp += 1
                unmatched.remove(hit)
        for pred in unmatched:
            report.per_class.setdefault(pred.type, Counts()).fp += 1
    return report


def score_topics(pairs: Iterable[tuple[frozenset[str], set[str]]], topic_ids: Sequence[str]) -> Report:
    report = Report(per_class={t: Counts() for t in topic_ids})
    for gold, predicted in pairs:
        for topic in topic_ids:
            counts = report.per_class[topic]
            if topic in gold and topic in predicted:
                counts.tp += 1
            elif topic in predicted:
                counts.fp += 1
            elif topic in gold:
                counts.fn += 1
    return report


def _coarse(predictions: Sequence[Predicted]) -> list[Predicted]:
    return [Predicted(COARSE[p.type], p.id, p.forms) for p in predictions if COARSE[p.type] != "EVENT"]


def _table(title: str, report: Report) -> str:
    lines = [title, f"  {'class':<24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for name, c in sorted(report.per_class.items()):
        lines.append(f"  {name:<24}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}")
    micro = report.micro
    lines.append(
        f"  {'micro':<24}{micro.precision:>7.3f}{micro.recall:>7.3f}{micro.f1:>7.3f}{micro.tp:>6}{micro.fp:>6}{micro.fn:>6}"
    )
    lines.append(f"  {'macro F1':<24}{'':>14}{report.macro_f1:>7.3f}")
    return "\n".join(lines)


def evaluate(articles: Sequence[EvalArticle], *, model: str, baseline_model: str | None) -> dict[str, Any]:
    enricher = shared_enricher(model)
    raws = [raw_from_text(a.text, title=a.title, url=f"urn:newswire:eval:{a.id}", source="eval") for a in articles]
    started = time.perf_counter()
    enriched = enricher.enrich_many(raws)
    elapsed = time.perf_counter() - started
    gold_coarse = [tuple(g for g in a.entities if COARSE[g.type] != "EVENT") for a in articles]
    preds = [predicted_entities(e) for e in enriched]
    fine = score_entities(zip((a.entities for a in articles), preds, strict=True), granularity="fine")
    coarse = score_entities(zip(gold_coarse, (_coarse(p) for p in preds), strict=True), granularity="coarse")
    topic_ids = load_taxonomy().ids
    topics = score_topics(
        ((a.topics, {t.id for t in e.topics if t.score >= THRESHOLD}) for a, e in zip(articles, enriched, strict=True)),
        topic_ids,
    )
    result: dict[str, Any] = {
        "enricher_version": ENRICHER_VERSION,
        "model": model,
        "articles": len(articles),
        "gold_entities": sum(len(a.entities) for a in articles),
        "seconds": round(elapsed, 3),
        "entities": fine.as_dict(),
        "entities_coarse": coarse.as_dict(),
        "topics": topics.as_dict(),
        "per_article": [
            {
                "id": a.id,
                "gold_topics": sorted(a.topics),
                "predicted_topics": [t.id for t in e.topics if t.score >= THRESHOLD],
                "top_scores": {t.id: t.score for t in e.topics[:4]},
                "entities": [f"{x.type}:{x.name}" for x in e.entities],
            }
            for a, e in zip(articles, enriched, strict=True)
        ],
        "_reports": {"fine": fine, "coarse": coarse, "topics": topics},
    }
    if baseline_model:
        import spacy

        nlp = spacy.load(baseline_model)
        docs = nlp.pipe((a.text for a in articles), batch_size=16)
        base = score_entities(zip(gold_coarse, (baseline_entities(d) for d in docs), strict=True), granularity="coarse")
        result["baseline"] = {"model": baseline_model, "entities_coarse": base.as_dict()}
        result["_reports"]["baseline"] = base
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.enricher.evaluation", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES, help="folder of article JSON files")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the JSON results go")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model of the enricher")
    parser.add_argument(
        "--baseline-model", default=DEFAULT_MODEL, help="plain spaCy model for the baseline; '' skips it"
    )
    parser.add_argument(
        "--wikinews", type=Path, default=WIKINEWS, help="labelled real news (JSON lines) for the topic comparison"
    )
    parser.add_argument(
        "--wikinews-2004",
        type=Path,
        default=WIKINEWS_2004,
        help="real news labelled by its source's categories (JSON lines): top-topic share only",
    )
    parser.add_argument(
        "--no-topics", dest="topics", action="store_false", help="skip the topic comparison on the real-news sets"
    )
    args = parser.parse_args(argv)
    articles = load_articles(args.articles)
    if not articles:
        print(f"no evaluation articles in {args.articles}", file=sys.stderr)
        return 1
    try:
        result = evaluate(articles, model=args.model, baseline_model=args.baseline_model or None)
    except EnricherError as exc:
        print(f"evaluation failed: {exc}", file=sys.stderr)
        return 1
    reports = result.pop("_reports")
    print(f"enricher {ENRICHER_VERSION} on {len(articles)} articles ({result['gold_entities']} gold entities)")
    print(_table("Entities by type (type + canonical id, else name/alias):", reports["fine"]))
    print(_table("Entities as PER/ORG/LOC (enricher):", reports["coarse"]))
    if "baseline" in reports:
        print(_table(f"Entities as PER/ORG/LOC (plain {args.baseline_model}, baseline):", reports["baseline"]))
    print(_table(f"Topics (score >= {THRESHOLD}):", reports["topics"]))
    if args.topics:
        result["topic_comparison"] = compare(
            shared_enricher(args.model),
            topic_ids=load_taxonomy().ids,
            team=args.articles,
            wikinews=args.wikinews,
            wikinews_2004=args.wikinews_2004,
        )
        print_comparison(result["topic_comparison"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
