"""Learned topic scores: a small logistic model over the lexicon's evidence, fitted on labelled news.

The lexicon (`data/topic_lexicon.yaml`) finds the phrases and organisations that support each
topic; this module turns one article's evidence for all topics into calibrated scores. For each
topic it reads eight features:

- `prior`: the previous scorer's logit, slope * (density - the topic's `midpoint`), clipped to
  [-10, 10]: how much evidence the topic has for an article of this length, against what the
  lexicon's authors judged enough for that topic;
- `density`: log(1 + evidence per length), as `Calibration.density` computes it;
- `share`: the topic's part of all the article's evidence;
- `top`: 1 when no topic has more evidence;
- `margin`: (own - strongest other) / (own + strongest other), in [-1, 1];
- `title`: log(1 + the evidence found in the headline);
- `breadth`: log(1 + distinct phrases and organisations);
- `strong`: log(1 + distinct phrases contributing 3 or more, and organisations weighing 2 or more).

The weights are shared by every topic (a story's strongest topic is usually what it is about,
whatever the topic), plus a bias and a `prior` slope per topic (lexicons differ in how specific
their words are). Competition between topics is what makes the model hold on real news: a
football report with one "penalty" has far more sport than crime-justice evidence, so
crime-justice stays low; a headline and lead with two words of one topic still put it first.
A final Platt step (`calibration: {a, c}`), fitted on a held-out split, maps the logit to a
probability, so 0.5 means "about it" as the contract says.

Competition also lowers real second topics (a state visit that is also about trade). Where a
topic has at least `min_strong` distinct strong phrases or organisations, its score is never
below the lexicon's own judgement, sigmoid(`prior`): two specific phrases ("export
destination", "international trade") are not an incidental mention. On the evaluation sets
this lifts second topics and leaves the top-topic numbers unchanged (README, quality section).

Weights live in `data/topic_weights.yaml`, written by `python -m newswire.enricher.topic_training`.
"""

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["FEATURES", "LearnedScorer", "feature_rows", "strong_count"]

logger = logging.getLogger(__name__)

FEATURES = ("prior", "density", "share", "top", "margin", "title", "breadth", "strong")
_PRIOR_CLIP = 10.0


# Read-only members (properties): the evidence and calibration classes are frozen dataclasses.
class _Evidence(Protocol):
    @property
    def phrases(self) -> dict[str, float]: ...
    @property
    def cues(self) -> dict[str, float]: ...
    @property
    def title(self) -> float: ...
    @property
    def total(self) -> float: ...


def strong_count(ev: _Evidence) -> int:
    """Distinct phrases contributing 3 or more and organisations weighing 2 or more."""
    return sum(1 for x in ev.phrases.values() if x >= 3.0) + sum(1 for x in ev.cues.values() if x >= 2.0)


class _Density(Protocol):
    @property
    def midpoint(self) -> float: ...
    @property
    def slope(self) -> float: ...

    def density(self, evidence: Any) -> float: ...


def feature_rows(
    found: Mapping[str, _Evidence], calibration: _Density, midpoints: Mapping[str, float]
) -> dict[str, list[float]]:
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
        density = calibration.density(ev)
        prior = calibration.slope * (density - midpoints.get(topic, calibration.midpoint))
        rows[topic] = [
            max(-_PRIOR_CLIP, min(_PRIOR_CLIP, prior)),
            math.log1p(density),
            own / grand if grand > 0 else 0.0,
            1.0 if own > 0 and own >= best else 0.0,
            (own - other) / (own + other) if own + other > 0 else 0.0,
            math.log1p(ev.title),
            math.log1p(len(ev.phrases) + len(ev.cues)),
            math.log1p(strong_count(ev)),
        ]
    return rows


@dataclass(frozen=True, slots=True)
class LearnedScorer:
    """Shared feature weights, per-topic bias and `prior` slope, and a Platt calibration."""

    weights: tuple[float, ...]
    bias: Mapping[str, float]
    prior_slope: Mapping[str, float]
    a: float = 1.0
    c: float = 0.0
    #: strong phrases from which the lexicon's own score (sigmoid of `prior`) is a floor; 0 = never
    min_strong: int = 0

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
            prior_slope={k: float(v) for k, v in (data.get("prior_slope") or {}).items()},
            a=float(calibration.get("a", 1.0)),
            c=float(calibration.get("c", 0.0)),
            min_strong=int(data.get("min_strong", 0)),
        )

    def logit(self, topic: str, row: list[float]) -> float:
        z = self.bias.get(topic, 0.0) + self.prior_slope.get(topic, 0.0) * row[0]
        return z + sum(w * x for w, x in zip(self.weights, row, strict=True))

    def probability(self, topic: str, row: list[float]) -> float:
        learned = _sigmoid(self.a * self.logit(topic, row) + self.c)
        if self.min_strong and round(math.expm1(row[FEATURES.index("strong")])) >= self.min_strong:
            return max(learned, _sigmoid(row[0]))
        return learned


def _sigmoid(z: float) -> float:
    return 0.0 if z < -35 else 1.0 / (1.0 + math.exp(-z))
