"""Fusion and the confidence model: pure functions over the scores of a question's candidates,
with their weights read from a data file that ``bench/fit_confidence.py`` writes.

Fusion is a weighted sum of three scores of each candidate passage: its passage cosine, the
cosine of its best sentence window, and its BM25 score relative to the best BM25 score of the
question; when the question names a document's owner, that owner's passages get a fitted weight
more (the dense scores are the question's without the name, so the name steers only here and on
the BM25 side). The confidence is a logistic regression over features of the ranked list (how close
the best window is, the margin to the runner-up, how much of the question's vocabulary the
documents know, how much closer the question is to the documents than to the out-of-scope
topics, how much of the first passage's lexical match is only its owner's name, ...) giving the
probability that the first passage answers, and a second one over the same features giving the
probability that the documents answer the question at all. The features are judged on the question
without the names of the documents' owners when it names one (index/owners.py): the name steers the
ranking, but a question about the Christmas party in Levanger is not answered by Levanger's
leadership platform just because both say "Levanger". ``none``
when the second is below its threshold (nothing in the documents is about this), else ``sure``
when the first is at or above its threshold, else ``unsure``. Everything is fit by
cross-validation on the dev sets; the file records the cross-validated figures it was chosen by.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ConfigError

FITTED_FILE = Path(__file__).with_name("fitted.json")
FEATURES = (
    "fused",
    "window",
    "passage",
    "margin",
    "bm25",
    "coverage",
    "out_of_scope",
    "english",
    "length",
    "owner",
)


@dataclass(frozen=True)
class Candidates:
    """Scores of a question's candidate passages (parallel arrays)."""

    ids: np.ndarray  # passage index
    passage: np.ndarray  # cosine of the passage vector
    window: np.ndarray  # cosine of the best window
    bm25: np.ndarray  # raw BM25 score
    coverage: float  # IDF-weighted share of the question's terms the documents know
    anchor: float  # cosine to the nearest out-of-scope topic
    english: bool
    words: int
    # 1 for the passages of the owners the question names; None when it names none.
    named: np.ndarray | None = None
    # The same passages (same order) scored for the question without the owners' names; None when
    # it names no owner.
    topic: Candidates | None = None


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over standardised features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Logistic:
        model = cls(
            mean=tuple(float(x) for x in data["mean"]),
            scale=tuple(float(x) for x in data["scale"]),
            coef=tuple(float(x) for x in data["coef"]),
            intercept=float(data["intercept"]),
        )
        if not (len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES)):
            raise ValueError(f"expected {len(FEATURES)} features ({', '.join(FEATURES)})")
        return model

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    def probability(self, features: np.ndarray) -> float:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1 / (1 + math.exp(-(float(np.dot(z, self.coef)) + self.intercept))))


@dataclass(frozen=True)
class FittedModel:
    """Fusion weights, query options, the confidence model and its tier thresholds."""

    fusion: dict[str, float]
    correct: Logistic  # P(the first passage answers)
    in_scope: Logistic  # P(the documents answer the question at all)
    sure: float  # P(correct) at or above which the answer is shown as the answer
    scope: float  # P(in scope) below which the answer is "nothing certain"
    query: dict[str, bool] = field(default_factory=dict)
    answer: dict[str, float] = field(default_factory=dict)  # bot.answer.ComposeSettings
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = FITTED_FILE) -> FittedModel:
        """Read the fitted model; a missing or malformed file is a clear error naming the refit command."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                fusion={
                    **{k: float(data["fusion"][k]) for k in ("passage", "window", "bm25")},
                    "owner": float(data["fusion"].get("owner", 0.0)),
                },
                correct=Logistic.from_json(data["correct"]),
                in_scope=Logistic.from_json(data["in_scope"]),
                sure=float(data["tiers"]["sure"]),
                scope=float(data["tiers"]["scope"]),
                query={k: bool(v) for k, v in data.get("query", {}).items()},
                answer={k: float(v) for k, v in data.get("answer", {}).items()},
                report=dict(data.get("report", {})),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"Kunne ikke lese den tilpassede modellen i {path} ({type(exc).__name__}: {exc}). "
                "Tilpass den på nytt med «python bench/fit_confidence.py»."
            ) from exc
        if not (0 <= model.sure <= 1 and 0 <= model.scope <= 1):
            raise ConfigError(f"{path}: tersklene må ligge mellom 0 og 1, fikk {model.sure} og {model.scope}.")
        return model

    def to_json(self) -> dict[str, Any]:
        return {
            "fusion": self.fusion,
            "query": self.query,
            "answer": self.answer,
            "correct": self.correct.to_json(),
            "in_scope": self.in_scope.to_json(),
            "tiers": {"sure": self.sure, "scope": self.scope},
            "report": self.report,
        }

    def decide(self, features: np.ndarray) -> tuple[str, float]:
        """The tier and the probability that the first passage answers."""
        correct = self.correct.probability(features)
        if self.in_scope.probability(features) < self.scope:
            return "none", correct
        return ("sure" if correct >= self.sure else "unsure"), correct


def fuse(candidates: Candidates, weights: dict[str, float]) -> np.ndarray:
    """The fused score of every candidate (higher is better)."""
    top = float(candidates.bm25.max()) if len(candidates.bm25) else 0.0
    relative = candidates.bm25 / top if top > 0 else np.zeros_like(candidates.bm25)
    fused = weights["passage"] * candidates.passage + weights["window"] * candidates.window + weights["bm25"] * relative
    if candidates.named is not None:
        fused = fused + weights.get("owner", 0.0) * candidates.named  # a municipality the question names leads
    return fused


def order(candidates: Candidates, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Positions into the candidate arrays, best first, and the fused scores."""
    fused = fuse(candidates, weights)
    return np.lexsort((candidates.ids, -fused)), fused


def features(candidates: Candidates, ranked: np.ndarray, fused: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """The confidence model's features (in FEATURES order) for a ranked candidate list.

    The passages are taken in the order of the whole question; their scores are the topic's (the
    question without the owners' names) when it names an owner.
    """
    topic = candidates.topic
    judged, scores = (topic, fuse(topic, weights)) if topic is not None else (candidates, fused)
    if not len(ranked):
        return np.array([0.0, 0.0, 0.0, 0.0, 0.0, judged.coverage, -1.0, float(judged.english), 0.0, 0.0])
    first = ranked[0]
    # The runner-up is the best of the other candidates on the judged scores: under a named owner the
    # name can put a weak passage of the same document second, and a margin against that one would
    # make "the Christmas party in Skaun" look as sure as a question its document answers.
    second = float(np.delete(scores, first).max()) if len(scores) > 1 else scores[first] - 0.1
    matched = float(candidates.bm25[first])
    # The share of the first passage's BM25 score that only the owner's name earned.
    owner = 1 - float(topic.bm25[first]) / matched if topic is not None and matched > 0 else 0.0
    return np.array(
        [
            scores[first],
            judged.window[first],
            judged.passage[first],
            scores[first] - second,
            math.log1p(float(judged.bm25.max())),
            judged.coverage,
            float(judged.window.max()) - judged.anchor,
            float(judged.english),
            math.log1p(judged.words),
            min(max(owner, 0.0), 1.0),
        ]
    )
