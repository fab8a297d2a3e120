"""`python -m newswire.enricher.topic_training` (`make train-topics`): fit `data/topic_weights.yaml`.

Training data: the team's evaluation set and the `train` split of the Wikinews set, each article
also as a headline + lead snippet (short items are a large part of real feeds). The logistic model
of `topic_scorer.py` is fitted by full-batch gradient descent (Adam) on the mean log-loss of every
(article, topic) pair, with L2 penalties that keep the per-topic parameters near the shared ones:
a few hundred articles cannot support more. The Platt calibration is then fitted on the `dev`
split (articles and snippets). The frozen `test` split is never read here.

numpy only (it comes with spaCy): nothing is added to the runtime or the install.
"""

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import yaml

from newswire.schemas import load_taxonomy

from .gazetteer import read_data
from .pipeline import shared_enricher
from .topic_evaluation import Labelled, TopicRun, gather, lead_snippet, load_labelled
from .topic_scorer import FEATURES
from .topics_model import TopicModel

__all__ = ["fit", "fit_platt", "main"]

logger = logging.getLogger(__name__)

OUTPUT = Path(__file__).resolve().parent / "data" / "topic_weights.yaml"
#: L2 strengths: shared weights barely, per-topic biases and slopes more (few examples per topic)
L2_SHARED, L2_BIAS, L2_SLOPE = 1e-4, 2e-3, 2e-2
#: see topic_scorer: from this many strong phrases the lexicon's own score is a floor
MIN_STRONG = 2


def _matrix(runs: list[TopicRun], model: TopicModel, topics: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ts, ys = [], [], []
    for run in runs:
        rows = model.features(run.found)
        for k, topic in enumerate(topics):
            xs.append(rows[topic])
            ts.append(k)
            ys.append(1.0 if topic in run.article.topics else 0.0)
    return np.array(xs), np.array(ts), np.array(ys)


def fit(
    x: np.ndarray, t: np.ndarray, y: np.ndarray, n_topics: int, *, weight: np.ndarray, steps: int = 4000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shared weights `w`, per-topic bias `b` and `prior` slope `v` minimising weighted log-loss."""
    w = np.zeros(x.shape[1])
    b = np.zeros(n_topics)
    v = np.zeros(n_topics)
    params = [w, b, v]
    m = [np.zeros_like(p) for p in params]
    s = [np.zeros_like(p) for p in params]
    total = weight.sum()
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        z = x @ w + b[t] + v[t] * x[:, 0]
        p = 1.0 / (1.0 + np.exp(-z))
        g = (p - y) * weight / total
        grads = [
            x.T @ g + 2 * L2_SHARED * w,
            np.bincount(t, weights=g, minlength=n_topics) + 2 * L2_BIAS * b,
            np.bincount(t, weights=g * x[:, 0], minlength=n_topics) + 2 * L2_SLOPE * v,
        ]
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            m[i] = beta1 * m[i] + (1 - beta1) * grad
            s[i] = beta2 * s[i] + (1 - beta2) * grad**2
            param -= lr * (m[i] / (1 - beta1**step)) / (np.sqrt(s[i] / (1 - beta2**step)) + 1e-8)
    return w, b, v


def fit_platt(z: np.ndarray, y: np.ndarray, *, steps: int = 3000) -> tuple[float, float]:
    """a, c with sigmoid(a z + c) calibrated on held-out pairs (a kept near 1 by a small prior)."""
    a, c = 1.0, 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(a * z + c)))
        ga = float(np.mean((p - y) * z)) + 1e-3 * (a - 1.0)
        gc = float(np.mean(p - y))
        a -= 0.5 * ga
        c -= 0.5 * gc
    return a, c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newswire.enricher.topic_training", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    topics = list(load_taxonomy().ids)
    enricher = shared_enricher()
    model = TopicModel(enricher.nlp, lexicon=read_data("topic_lexicon.yaml"), weights=None, kinds=enricher.kinds)
    labelled = [a for a in load_labelled() if a.split in {"team", "train", "dev"}]
    articles: list[Labelled] = labelled + [lead_snippet(a) for a in labelled]
    runs = gather(enricher, articles, {"new": model})["new"]
    train = [r for r in runs if r.article.split.split("-")[0] in {"team", "train"}]
    dev = [r for r in runs if r.article.split.split("-")[0] == "dev"]
    x, t, y = _matrix(train, model, topics)
    # Snippets count half: they teach short texts without outweighing the articles.
    weight = np.array([0.5 if r.article.split.endswith("snippet") else 1.0 for r in train for _ in topics])
    w, b, v = fit(x, t, y, len(topics), weight=weight)
    xd, td, yd = _matrix(dev, model, topics)
    a, c = fit_platt(xd @ w + b[td] + v[td] * xd[:, 0], yd)
    data = {
        "version": 1,
        "features": list(FEATURES),
        "weights": [round(float(x_), 4) for x_ in w],
        "bias": {topic: round(float(b[k]), 4) for k, topic in enumerate(topics)},
        "prior_slope": {topic: round(float(v[k]), 4) for k, topic in enumerate(topics)},
        "calibration": {"a": round(a, 4), "c": round(c, 4)},
        "min_strong": MIN_STRONG,
        "trained_on": {
            "articles": sum(1 for r in train if not r.article.split.endswith("snippet")),
            "snippets": sum(1 for r in train if r.article.split.endswith("snippet")),
            "calibrated_on": len(dev),
            "sets": "eval/enricher (team, all), eval/topics/wikinews (train); calibration: wikinews dev",
            "date": datetime.now(UTC).date().isoformat(),
        },
    }
    header = (
        "# Learned topic weights (topic_scorer.py), written by `make train-topics`\n"
        "# (python -m newswire.enricher.topic_training). Source data: eval/enricher (CC BY 4.0, newswire) and\n"
        "# eval/topics/wikinews train/dev (texts CC BY 2.5 Wikinews, labels CC BY 4.0 newswire).\n"
        "# Licence of this file: CC BY 4.0, the newswire authors.\n"
    )
    args.output.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    logger.info("weights %s, calibration a=%.3f c=%.3f -> %s", data["weights"], a, c, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
