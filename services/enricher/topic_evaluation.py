"""Topic quality on labelled news: the shipped model next to the previous one, in one run.

Sets: the team's evaluation set (`eval/enricher/{dev,test}`, `team`) and the Wikinews real-news set
(`eval/topics/wikinews/articles.jsonl`, splits `train`, `dev` and the frozen `test`), each also as
headline + lead snippets, and the Wikinews 2004 set (`eval/topics/wikinews2004/articles.jsonl`, splits
`wn2004-dev` and the frozen `wn2004-test`), whose labels are the articles' own Wikinews categories mapped
onto our topics: a category maps to several topics, so for it only the top-topic share and the share
with no topic at 0.5 are printed. The same holds for the HuffPost snippet set
(`eval/topics/huffpost/snippets.jsonl`: headline + standfirst, labelled by the section HuffPost filed
them under; splits `hp-train`, `hp-dev` and the frozen `hp-test`): a section's own topic is the label,
the other topics its readers would accept (`also`) count as a right top topic but are not gold.
For every set and model: per-topic P/R/F1 at 0.5, the share of articles
whose top topic is a gold one, the share with no topic at 0.5, and (for the new model) a
reliability table: score bins against the share of (article, topic) pairs that are gold.

The previous model (`previous`) is the topic model of the last release, kept unchanged in
`data/topic_lexicon_previous.yaml` and `data/topic_weights_previous.yaml`. Both read the same spaCy
docs and linked entities, so differences come from the topic models alone. Per-topic rows of the
frozen set are printed for topics with at least `MIN_SUPPORT` gold articles (fewer say little).
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .gazetteer import read_data
from .pipeline import Enricher, clean_text
from .topics_model import TopicEvidence, TopicModel

__all__ = [
    "WIKINEWS",
    "WIKINEWS_2004",
    "Labelled",
    "TopicRun",
    "gather",
    "lead_snippet",
    "load_labelled",
    "reliability",
    "topic_report",
]

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
WIKINEWS = REPO / "eval" / "topics" / "wikinews" / "articles.jsonl"
#: labels from the source's own categories (several topics per category): top topic only
WIKINEWS_2004 = REPO / "eval" / "topics" / "wikinews2004" / "articles.jsonl"
_PREFIX_2004 = "wn2004-"
#: headline + standfirst snippets labelled by their HuffPost section: top topic only
HUFFPOST = REPO / "eval" / "topics" / "huffpost" / "snippets.jsonl"
_PREFIX_HUFFPOST = "hp-"
#: sets whose labels come from a source's sections (several acceptable topics): top topic only
_TOP_ONLY = (_PREFIX_2004, _PREFIX_HUFFPOST)
#: the team set, both its splits (dev/ and the frozen test/)
TEAM = REPO / "eval" / "enricher"
THRESHOLD = 0.5
#: per-topic rows of the frozen sets are printed from this many gold articles
MIN_SUPPORT = 10
BINS = (0.0, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.0001)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’]?\s+(?=[A-Z\"“‘'])")


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    title: str
    text: str
    topics: tuple[str, ...]
    split: str
    #: topics that are also a right top topic without being gold (a source section's neighbours)
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicRun:
    """One article's evidence and scores under one model."""

    article: Labelled
    found: dict[str, TopicEvidence]
    scores: dict[str, float]


def load_labelled(
    *,
    team: Path = TEAM,
    wikinews: Path = WIKINEWS,
    wikinews_2004: Path = WIKINEWS_2004,
    huffpost: Path = HUFFPOST,
) -> list[Labelled]:
    """The team set (split `team`), the Wikinews set (its own splits), the Wikinews 2004 set (its
    splits prefixed `wn2004-`) and the HuffPost snippets (prefixed `hp-`; the section's own topic is
    gold, the others it accepts go to `also`)."""
    out: list[Labelled] = []
    for path in sorted([*team.glob("*.json"), *team.glob("*/*.json")], key=lambda p: p.name):
        data = orjson.loads(path.read_bytes())
        out.append(Labelled(data["id"], data.get("title", ""), data["text"], tuple(data["gold"]["topics"]), "team"))
    for path, prefix in ((wikinews, ""), (wikinews_2004, _PREFIX_2004)):
        if not path.exists():
            continue
        for line in path.read_bytes().splitlines():
            data = orjson.loads(line)
            split = prefix + data["split"]
            out.append(Labelled(data["id"], data["title"], data["text"], tuple(data["topics"]), split))
    if huffpost.exists():
        for line in huffpost.read_bytes().splitlines():
            data = orjson.loads(line)
            first, *rest = data["topics"]
            split = _PREFIX_HUFFPOST + data["split"]
            out.append(Labelled(data["id"], data["title"], data["text"], (first,), split, tuple(rest)))
    return out


def lead_snippet(article: Labelled) -> Labelled:
    """Headline + the first sentence of the body (a dateline stays: feeds keep it)."""
    first = article.text.strip().split("\n", 1)[0]
    sentence = _SENTENCE_END.split(first, 1)[0]
    return Labelled(article.id, article.title, sentence, article.topics, article.split + "-snippet", article.also)


def gather(
    enricher: Enricher, articles: Sequence[Labelled], models: dict[str, TopicModel]
) -> dict[str, list[TopicRun]]:
    """Runs every model on the same docs and linked entities."""
    cleaned = [clean_text(a.text, enricher.rules) for a in articles]
    docs = enricher.nlp.pipe((c.text for c in cleaned), batch_size=enricher.batch_size)
    runs: dict[str, list[TopicRun]] = {name: [] for name in models}
    for article, clean, doc in zip(articles, cleaned, docs, strict=True):
        try:
            entities = enricher.linker.link(doc, title=article.title, related=clean.related)
        except Exception:  # an entity-linking bug must not hide the topic numbers; it is logged
            logger.exception("entity linking failed on %s; topics scored without entities", article.id)
            entities = []
        for name, model in models.items():
            found = model.evidence(doc, title=article.title, entities=entities, excluded=clean.related)
            runs[name].append(TopicRun(article, found, model.probabilities(found)))
    return runs


def previous_model(enricher: Enricher) -> TopicModel:
    """The last release's topic model (lexicon and learned weights), for the side-by-side numbers."""
    return TopicModel(
        enricher.nlp,
        lexicon=read_data("topic_lexicon_previous.yaml"),
        weights=read_data("topic_weights_previous.yaml"),
        kinds=enricher.kinds,
    )


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def topic_report(runs: Sequence[TopicRun], topic_ids: Sequence[str]) -> dict[str, Any]:
    """Per-topic P/R/F1 at 0.5, micro F1, top-topic accuracy and uncovered share."""
    per: dict[str, dict[str, Any]] = {}
    totals = [0, 0, 0]
    for topic in topic_ids:
        tp = sum(1 for r in runs if topic in r.article.topics and r.scores[topic] >= THRESHOLD)
        fp = sum(1 for r in runs if topic not in r.article.topics and r.scores[topic] >= THRESHOLD)
        fn = sum(1 for r in runs if topic in r.article.topics and r.scores[topic] < THRESHOLD)
        p, rec, f1 = _prf(tp, fp, fn)
        per[topic] = {
            "support": tp + fn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(p, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
        }
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    labelled = [r for r in runs if r.article.topics]
    top_right = sum(
        1 for r in labelled if max(r.scores, key=lambda t: r.scores[t]) in (*r.article.topics, *r.article.also)
    )
    uncovered = sum(1 for r in labelled if max(r.scores.values()) < THRESHOLD)
    p, rec, f1 = _prf(*totals)
    return {
        "articles": len(runs),
        "per_topic": per,
        "micro": {"precision": round(p, 4), "recall": round(rec, 4), "f1": round(f1, 4)},
        "top_topic_accuracy": round(top_right / len(labelled), 4) if labelled else 0.0,
        "no_topic_at_threshold": round(uncovered / len(labelled), 4) if labelled else 0.0,
    }


def reliability(runs: Sequence[TopicRun], topic_ids: Sequence[str]) -> list[dict[str, Any]]:
    """(article, topic) pairs by score bin: how many, mean score, share that is gold."""
    rows = []
    for low, high in zip(BINS, BINS[1:], strict=False):
        pairs = [(r.scores[t], t in r.article.topics) for r in runs for t in topic_ids if low <= r.scores[t] < high]
        if not pairs:
            continue
        rows.append(
            {
                "bin": f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}",
                "pairs": len(pairs),
                "mean_score": round(sum(s for s, _ in pairs) / len(pairs), 4),
                "share_gold": round(sum(1 for _, g in pairs if g) / len(pairs), 4),
            }
        )
    return rows


def format_comparison(
    name: str, new: dict[str, Any], old: dict[str, Any], *, min_support: int = 1, top_only: bool = False
) -> str:
    lines = [f"{name}: {new['articles']} articles"]
    if not top_only:
        lines += _topic_rows(new, old, min_support=min_support)
    lines.append(
        f"  top topic right {new['top_topic_accuracy']:.3f} (previous {old['top_topic_accuracy']:.3f}); "
        f"no topic at {THRESHOLD}: {new['no_topic_at_threshold']:.3f} (previous {old['no_topic_at_threshold']:.3f})"
    )
    return "\n".join(lines)


def _topic_rows(new: dict[str, Any], old: dict[str, Any], *, min_support: int) -> list[str]:
    lines = [f"  {'topic':<22}{'n':>4}  {'P':>6}{'R':>6}{'F1':>6}  | previous {'P':>6}{'R':>6}{'F1':>6}"]
    for topic, row in new["per_topic"].items():
        if row["support"] < min_support:
            continue
        base = old["per_topic"][topic]
        lines.append(
            f"  {topic:<22}{row['support']:>4}  {row['precision']:>6.3f}{row['recall']:>6.3f}{row['f1']:>6.3f}"
            f"  |          {base['precision']:>6.3f}{base['recall']:>6.3f}{base['f1']:>6.3f}"
        )
    for key in ("micro",):
        lines.append(
            f"  {'micro':<22}{'':>4}  {new[key]['precision']:>6.3f}{new[key]['recall']:>6.3f}{new[key]['f1']:>6.3f}"
            f"  |          {old[key]['precision']:>6.3f}{old[key]['recall']:>6.3f}{old[key]['f1']:>6.3f}"
        )
    return lines


def format_reliability(rows: Sequence[dict[str, Any]]) -> str:
    lines = [f"  {'score bin':<14}{'pairs':>7}{'mean score':>12}{'share gold':>12}"]
    lines += [f"  {r['bin']:<14}{r['pairs']:>7}{r['mean_score']:>12.3f}{r['share_gold']:>12.3f}" for r in rows]
    return "\n".join(lines)


SETS = (
    ("team set (eval/enricher; seen in training)", "team"),
    ("team set, headline + lead", "team-snippet"),
    ("Wikinews dev (calibration)", "dev"),
    ("Wikinews test (frozen)", "test"),
    ("Wikinews test (frozen), headline + lead", "test-snippet"),
    ("Wikinews 2004 dev, labels from Wikinews categories", "wn2004-dev"),
    ("Wikinews 2004 test (frozen), labels from Wikinews categories", "wn2004-test"),
    ("Wikinews 2004 test (frozen), headline + lead", "wn2004-test-snippet"),
    ("HuffPost dev, headline + standfirst, labels from HuffPost sections", "hp-dev"),
    ("HuffPost test (frozen), headline + standfirst, labels from HuffPost sections", "hp-test"),
)


def compare(
    enricher: Enricher,
    *,
    topic_ids: Sequence[str],
    team: Path = TEAM,
    wikinews: Path = WIKINEWS,
    wikinews_2004: Path = WIKINEWS_2004,
    huffpost: Path = HUFFPOST,
) -> dict[str, Any]:
    """Both models on every set; the numbers `make eval` prints and writes."""
    models = {"new": enricher.topics, "previous": previous_model(enricher)}
    wanted = {"team", "dev", "test", _PREFIX_2004 + "dev", _PREFIX_2004 + "test"}
    snippets = {_PREFIX_HUFFPOST + "dev", _PREFIX_HUFFPOST + "test"}  # already headline + standfirst
    everything = load_labelled(team=team, wikinews=wikinews, wikinews_2004=wikinews_2004, huffpost=huffpost)
    labelled = [a for a in everything if a.split in wanted]
    runs = gather(
        enricher,
        labelled + [lead_snippet(a) for a in labelled] + [a for a in everything if a.split in snippets],
        models,
    )
    result: dict[str, Any] = {"sets": {}}
    for _, split in SETS:
        result["sets"][split] = {
            name: topic_report([r for r in model_runs if r.article.split == split], topic_ids)
            for name, model_runs in runs.items()
        }
    # Reliability only where labels are one topic each (the 2004 set's categories map to several).
    frozen = [r for r in runs["new"] if r.article.split.startswith("test")]
    calibration = [r for r in runs["new"] if r.article.split.startswith("dev")]
    result["reliability"] = {
        "test": reliability(frozen, topic_ids),
        "dev": reliability(calibration, topic_ids),
        "test_previous": reliability([r for r in runs["previous"] if r.article.split.startswith("test")], topic_ids),
    }
    return result


def print_comparison(result: dict[str, Any]) -> None:
    for title, split in SETS:
        sets = result["sets"][split]
        support = MIN_SUPPORT if split.startswith("test") else 1
        top_only = split.startswith(_TOP_ONLY)
        print(
            format_comparison(f"Topics, {title}", sets["new"], sets["previous"], min_support=support, top_only=top_only)
        )
    print("Reliability on the frozen Wikinews test set (articles and snippets; every topic of every article):")
    print(format_reliability(result["reliability"]["test"]))
    print("Same pairs, previous model:")
    print(format_reliability(result["reliability"]["test_previous"]))
