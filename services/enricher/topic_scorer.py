"""Learned topic scores: a small logistic model over the lexicon's evidence, fitted on labelled news.

The lexicon (`data/topic_lexicon.yaml`) finds the phrases and organisations that support each
topic; this module turns one article's evidence for all topics into calibrated scores. For each
topic it reads six features:

- `density`: log(1 + evidence per length), as `Calibration.density` computes it;
- `share`: the topic's part of all the article's evidence;
- `top`: 1 when no topic has more evidence;
- `margin`: (own - strongest other) / (own + strongest other), in [-1, 1];
- `title`: log(1 + the evidence found in the headline);
- `breadth`: log(1 + distinct phrases and organisations).

The weights are shared by every topic (a story's strongest topic is usually what it is about,
whatever the topic), plus a bias and a density slope per topic (lexicons differ in how specific
their words are). Competition between topics is what makes the model hold on real news: a
football report with one "penalty" has far more sport than crime-justice evidence, so
crime-justice stays low; a headline and lead with two words of one topic still put it first.
A final Platt step (`calibration: {a, c}`), fitted on a held-out split, maps the logit to a
probability, so 0.5 means "about it" as the contract says.

Weights live in `data/topic_weights.yaml`, written by `python -m newswire.enricher.topic_training`.
"""

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["FEATURES", "LearnedScorer", "feature_rows"]

logger = logging.getLogger(__name__)

FEATURES = ("density", "share", "top", "margin", "title", "breadth")


class _Evidence(Protocol):
    phrases: dict[str, float]
    cues: dict[str, float]
    title: float

    @property
    def total(self) -> float: ...


class _Density(Protocol):
    def density(self, evidence: Any) -> float: ...


def feature_rows(found: Mapping[str, _Evidence], calibration: _Density) -> dict[str, list[float]]:
    """The features of every topic of one article, in `FEATURES` order."""
    totals = {topic: ev.total for topic, ev in found.items()}
    grand = sum(totals.values())
    ranked = sorted(totals.values(), reverse=True)
    best = ranked[0] if ranked else 0.0
    second = ranked[1] if len(ranked) > 1 else 0.0
    rows: dict[str, list[float]] = {}
    for topic, ev in found.items():
        own = totals[topic]
        other = second if own >= best else best
        rows[topic] = [
            math.log1p(calibration.density(ev)),
            own / grand if grand > 0 else 0.0,
            1.0 if own > 0 and own >= best else 0.0,
            (own - other) / (own + other) if own + other > 0 else 0.0,
            math.log1p(ev.title),
            math.log1p(len(ev.phrases) + len(ev.cues)),
        ]
    return rows


@dataclass(frozen=True, slots=True)
class LearnedScorer:
    """Shared feature weights, per-topic bias and density slope, and a Platt calibration."""

    weights: tuple[float, ...]
    bias: Mapping[str, float]
    density_slope: Mapping[str, float]
    a: float = 1.0
    c: float = 0.0

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, topics: list[str]) -> "LearnedScorer":
        names = list(data["features"])
        if names != list(FEATURES):
            raise ValueError(f"topic weights are for features {names}, this scorer reads {list(FEATURES)}")
        missing = set(topics) - set(data["bias"])
        if missing:
            raise ValueError(f"topic weights have no bias for {sorted(missing)}")
        calibration = data.get("calibration") or {}
        return cls(
            weights=tuple(float(w) for w in data["weights"]),
            bias={k: float(v) for k, v in data["bias"].items()},
            density_slope={k: float(v) for k, v in (data.get("density_slope") or {}).items()},
            a=float(calibration.get("a", 1.0)),
            c=float(calibration.get("c", 0.0)),
        )

    def logit(self, topic: str, row: list[float]) -> float:
        z = self.bias.get(topic, 0.0) + self.density_slope.get(topic, 0.0) * row[0]
        return z + sum(w * x for w, x in zip(self.weights, row, strict=True))

    def probability(self, topic: str, row: list[float]) -> float:
        z = self.a * self.logit(topic, row) + self.c
        if z < -35:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))
