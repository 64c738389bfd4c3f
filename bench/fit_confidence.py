"""Fit the search's fusion weights, query options and confidence tiers by cross-validation.

Usage:  python bench/fit_confidence.py [EVAL.yaml ...] [--folds 5] [--output bot/fitted.json]

Default eval sets: dev.yaml and dev2.yaml from the shared eval folder (../shared/eval or
../../shared/eval from the repository). Run after `lederbot index build`; rerun whenever the
documents, the cleaning or the model change.

Each question is embedded once; its candidates are scored for every query option (the nynorsk
mapping and compound splitting on the BM25 side). Then, for each of K folds stratified by style
(out-of-scope questions form a style of their own), everything is fit on the other folds only:
  1. the query options and fusion weights (a grid on the simplex) by MRR;
  2. a logistic regression over the ranking features (bot/ranking.FEATURES), label = the first
     passage holds an expected phrase (out-of-scope questions: 0);
  3. a second logistic regression over the same features, label = in scope (the documents
     answer it);
  4. the thresholds on inner cross-validated probabilities of the training part: ``none`` below
     the highest in-scope probability that declines at most IN_NONE of the in-scope training
     questions, ``sure`` from the lowest answer probability where sure-and-wrong stays under
     SURE_WRONG of the training questions;
  5. the answer's settings (bot.answer.ComposeSettings) by passage@1, answer@1 and in view;
and the fold's held-out questions are scored with it. The cross-validated figures per style are
printed; the final model is fit the same way on all questions and written as JSON with the
figures it was chosen by.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.text import fold_text  # noqa: E402
from bot.answer import AnswerComposer, ComposeSettings  # noqa: E402
from bot.assistant import build_assistant  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.query import normalise_query  # noqa: E402
from bot.ranking import FEATURES, FITTED_FILE, Candidates, FittedModel, Logistic, features, order  # noqa: E402
from bot.search import SearchService  # noqa: E402
from index.errors import ConfigError  # noqa: E402

MAX_CHARS = 1500  # as score.py: only the first 1,500 characters of a passage count
SURE_WRONG = 0.02  # share of the training questions allowed to be sure and wrong
IN_NONE = 0.03  # share of the training in-scope questions allowed to be declined
INNER_REPEATS = 5  # inner cross-validations whose thresholds are pooled (median)
OPTIONS = [{"nynorsk": n, "compounds": c} for n in (False, True) for c in (False, True)]
# Fusion: the window cosine counts 1; the passage cosine and the relative BM25 score are added
# with these weights (cosines of one question differ by hundredths, so BM25 weights are small).
GRID = [
    {"passage": p, "window": 1.0, "bm25": b, "owner": o}
    for p in (0.0, 0.25, 0.5, 1.0)
    for b in (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08)
    for o in (0.0, 0.02, 0.05, 0.1)
]
STYLES = ("plain", "casual", "paraphrase", "nynorsk", "english", "keyword")


@dataclass
class Question:
    text: str
    style: str  # STYLES or "out_of_scope"
    relevant: frozenset[int]  # passages holding an expected phrase
    candidates: list[Candidates]  # by OPTIONS index
    expect: list[str]
    vector: np.ndarray


def default_sets() -> list[Path]:
    for base in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"):
        if (base / "dev.yaml").is_file():
            return [base / "dev.yaml", base / "dev2.yaml"]
    raise SystemExit("Fant ikke ../shared/eval/dev.yaml; oppgi eval-filene.")


def load_questions(service: SearchService, paths: list[Path]) -> list[Question]:
    index = service.index
    folded = [fold_text(p.text[:MAX_CHARS]) for p in index.passages]
    out = []
    for path in paths:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            text = normalise_query(" ".join(item["q"].split()))
            vector = service.query_vector(text)  # the question without the owners' names, embedded once
            style = "out_of_scope" if item.get("out_of_scope") else item.get("style", "plain")
            expect = [fold_text(e) for e in item.get("expect", [])]
            relevant = frozenset(i for i, t in enumerate(folded) if any(e in t for e in expect))
            candidates = [service.candidates(text, vector, o) for o in OPTIONS]
            out.append(Question(text, style, relevant, candidates, expect, vector))
    return out


def first_relevant(q: Question, option: int, weights: dict[str, float]) -> tuple[int | None, np.ndarray]:
    c = q.candidates[option]
    ranked, fused = order(c, weights)
    for rank, pos in enumerate(ranked[:10], 1):
        if int(c.ids[pos]) in q.relevant:
            return rank, features(c, ranked, fused, weights)
    return None, features(c, ranked, fused, weights)


def mrr(questions: list[Question], option: int, weights: dict[str, float]) -> float:
    ranks = [first_relevant(q, option, weights)[0] for q in questions if q.style != "out_of_scope"]
    return sum(1 / r for r in ranks if r) / max(len(ranks), 1)


def fit_ranking(questions: list[Question]) -> tuple[int, dict[str, float]]:
    scored = [((mrr(questions, o, w)), o, w) for o in range(len(OPTIONS)) for w in GRID]
    best = max(s for s, _, _ in scored)
    # Among (near-)ties prefer fewer rules, then the order of the grid: the simplest that fits.
    _, option, weights = next(t for t in scored if t[0] >= best - 1e-9)
    return option, weights


def design(questions: list[Question], option: int, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for q in questions:
        rank, f = first_relevant(q, option, weights)
        rows.append(f)
        labels.append(int(rank == 1 and q.style != "out_of_scope"))
    return np.array(rows), np.array(labels)


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def predict(params: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray) -> np.ndarray:
    mean, scale, coef, intercept = params
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ coef + intercept)))


def folds_by_style(questions: list[Question], k: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    assignment = [0] * len(questions)
    by_style: dict[str, list[int]] = collections.defaultdict(list)
    for i, q in enumerate(questions):
        by_style[q.style].append(i)
    offset = 0
    for style in sorted(by_style):
        members = list(rng.permutation(by_style[style]))
        for n, i in enumerate(members):
            assignment[int(i)] = (n + offset) % k
        offset += len(members)
    return assignment


def fit_thresholds(correct: np.ndarray, scope: np.ndarray, y: np.ndarray, in_scope: np.ndarray) -> tuple[float, float]:
    """(sure, scope) thresholds: scope at the highest value that declines at most IN_NONE of the
    in-scope questions; sure at the lowest that keeps sure-and-wrong within SURE_WRONG."""
    n, n_in = len(correct), max(int(in_scope.sum()), 1)
    scope_t = 0.0
    for t in sorted(set(np.round(scope, 4)) | {0.0}, reverse=True):
        if ((scope < t) & in_scope).sum() / n_in <= IN_NONE:
            scope_t = float(t)
            break
    shown = scope >= scope_t
    sure = 1.0
    for t in sorted(set(np.round(correct, 4)) | {1.0}):
        if (shown & (correct >= t) & (y == 0)).sum() / n <= SURE_WRONG:
            sure = float(t)
            break
    return sure, scope_t


def _logistic(params: tuple[np.ndarray, np.ndarray, np.ndarray, float]) -> Logistic:
    mean, scale, coef, intercept = params
    return Logistic(tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, coef)), float(intercept))


def fit_all(questions: list[Question], seed: int) -> FittedModel:
    option, weights = fit_ranking(questions)
    x, y = design(questions, option, weights)
    in_scope = np.array([q.style != "out_of_scope" for q in questions])
    # Thresholds from probabilities the models give questions they were not fit on (inner 5-fold),
    # the median over INNER_REPEATS splits: one split's threshold hangs on a single question.
    found = []
    for repeat in range(INNER_REPEATS):
        inner = folds_by_style(questions, 5, seed + 1 + repeat)
        correct, scope = np.zeros(len(questions)), np.zeros(len(questions))
        for f in range(5):
            train = np.array([a != f for a in inner])
            correct[~train] = predict(fit_logistic(x[train], y[train]), x[~train])
            scope[~train] = predict(fit_logistic(x[train], in_scope[train].astype(int)), x[~train])
        found.append(fit_thresholds(correct, scope, y, in_scope))
    sure, scope_t = (float(v) for v in np.median(np.array(found), axis=0))
    return FittedModel(
        fusion=weights,
        correct=_logistic(fit_logistic(x, y)),
        in_scope=_logistic(fit_logistic(x, in_scope.astype(int))),
        sure=sure,
        scope=scope_t,
        query=dict(OPTIONS[option]),
    )


HOME_MARGINS = (0.0, 0.005, 0.01, 0.02)
LEXICAL = (0.0, 0.02, 0.05, 0.1, 0.2)
LENGTH = (-0.03, -0.02, -0.01, 0.0, 0.01)
SEE_ALSO = (0.01, 0.02, 0.03, 0.05)


def answer_hits(
    service: SearchService, composer: AnswerComposer, model: FittedModel, settings: ComposeSettings, q: Question
) -> tuple[bool, bool, bool]:
    """(answer@1, passage@1, in view) of the composed answer, as answers.py counts them."""
    service._model = model  # the fold's model, so nothing of the held-out part is used
    composer._settings = settings
    result = service.rank(q.text, q.candidates[option_index(model)], top_k=5, started=0.0)
    answer = composer.compose(result, vector=q.vector)
    if not answer.answered:
        return False, False, False
    a1 = any(e in fold_text(" ".join(answer.sentences)) for e in q.expect)
    p1 = any(e in fold_text(answer.passage[:MAX_CHARS]) for e in q.expect)
    also = any(e in fold_text(" ".join(s.sentence for s in answer.see_also)) for e in q.expect)
    return a1, p1, a1 or also


def fit_answer(
    service: SearchService, composer: AnswerComposer, model: FittedModel, questions: list[Question]
) -> ComposeSettings:
    """Home margin by passage@1, then the sentence weights by answer@1, then the "Se også" margin by
    in view; each on ``questions`` only (ties: the first of the grid, the most conservative)."""
    questions = [q for q in questions if q.style != "out_of_scope"]

    def total(settings: ComposeSettings, which: int) -> int:
        return sum(answer_hits(service, composer, model, settings, q)[which] for q in questions)

    base = ComposeSettings()
    home = max(HOME_MARGINS, key=lambda m: total(ComposeSettings(**{**base.__dict__, "home_margin": m}), 1))
    base = ComposeSettings(**{**base.__dict__, "home_margin": home})
    lexical, length = max(
        itertools.product(LEXICAL, LENGTH),
        key=lambda p: total(ComposeSettings(**{**base.__dict__, "lexical_weight": p[0], "length_penalty": p[1]}), 0),
    )
    base = ComposeSettings(**{**base.__dict__, "lexical_weight": lexical, "length_penalty": length})
    see_also = max(SEE_ALSO, key=lambda m: total(ComposeSettings(**{**base.__dict__, "see_also_margin": m}), 2))
    return ComposeSettings(**{**base.__dict__, "see_also_margin": see_also})


def neutral_model() -> FittedModel:
    zero = Logistic((0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), 0.0)
    return FittedModel(fusion=GRID[0], correct=zero, in_scope=zero, sure=1.0, scope=0.0, query=dict(OPTIONS[0]))


def option_index(model: FittedModel) -> int:
    return OPTIONS.index({"nynorsk": model.query["nynorsk"], "compounds": model.query["compounds"]})


def evaluate(
    model: FittedModel, questions: list[Question], service: SearchService, composer: AnswerComposer
) -> list[dict[str, Any]]:
    rows = []
    option = option_index(model)
    settings = ComposeSettings(**model.answer)
    for q in questions:
        rank, f = first_relevant(q, option, model.fusion)
        a1, p1, view = answer_hits(service, composer, model, settings, q) if q.style != "out_of_scope" else (0, 0, 0)
        rows.append({"style": q.style, "rank": rank, "tier": model.decide(f)[0], "a1": a1, "p1": p1, "view": view})
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["style"]].append(r)
        groups["all in-scope" if r["style"] != "out_of_scope" else "_oos"].append(r)
    for style, rs in groups.items():
        n = len(rs)
        tiers = collections.Counter(r["tier"] for r in rs)
        ranks = [r["rank"] for r in rs]
        out[style] = {
            "n": n,
            "R@1": sum(1 for r in ranks if r == 1) / n,
            "R@5": sum(1 for r in ranks if r and r <= 5) / n,
            "MRR": sum(1 / r for r in ranks if r) / n,
            "answer@1": sum(r.get("a1", 0) for r in rs) / n,
            "passage@1": sum(r.get("p1", 0) for r in rs) / n,
            "in view": sum(r.get("view", 0) for r in rs) / n,
            "sure": tiers["sure"],
            "unsure": tiers["unsure"],
            "none": tiers["none"],
            "sure_wrong": sum(
                1 for r in rs if r["tier"] == "sure" and (r["style"] == "out_of_scope" or r["rank"] != 1)
            ),
        }
    total = len(rows)
    out["all"] = {
        "n": total,
        "confident_wrong": sum(v["sure_wrong"] for k, v in out.items() if k in STYLES or k == "out_of_scope") / total,
    }
    return out


def print_table(title: str, summary: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(
        f"{'style':14s} {'n':>4s} {'R@1':>6s} {'R@5':>6s} {'MRR':>6s} {'ans@1':>6s} {'pas@1':>6s} {'view':>6s} "
        f"{'sure':>5s} {'unsure':>6s} {'none':>5s} {'sure&wrong':>10s}"
    )
    for style in (*STYLES, "all in-scope", "out_of_scope"):
        s = summary.get(style)
        if not s:
            continue
        print(
            f"{style:14s} {s['n']:4d} {s['R@1']:6.3f} {s['R@5']:6.3f} {s['MRR']:6.3f} {s['answer@1']:6.3f} "
            f"{s['passage@1']:6.3f} {s['in view']:6.3f} {s['sure']:5d} {s['unsure']:6d} "
            f"{s['none']:5d} {s['sure_wrong']:10d}"
        )
    print(f"confident-wrong (sure & wrong + out-of-scope sure) / all: {summary['all']['confident_wrong']:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--output", type=Path, default=FITTED_FILE)
    parser.add_argument("--config", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings.load(args.config)
    assistant = build_assistant(settings)
    try:
        FittedModel.load(FITTED_FILE)
    except ConfigError:
        # The shipped model was fit for other features: the search loads with a neutral one, since
        # the fit uses only the candidates' scores and sets every model it evaluates itself.
        assistant.search_service._model = neutral_model()
    assistant.load()
    service = assistant.search_service
    composer = assistant.composer
    questions = load_questions(service, args.sets or default_sets())
    assignment = folds_by_style(questions, args.folds, args.seed)
    rows: list[dict[str, Any]] = []
    per_option: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    chosen = []
    for f in range(args.folds):
        train = [q for q, a in zip(questions, assignment, strict=True) if a != f]
        test = [q for q, a in zip(questions, assignment, strict=True) if a == f]
        model = fit_all(train, args.seed)
        model = FittedModel(**{**model.__dict__, "answer": fit_answer(service, composer, model, train).__dict__})
        chosen.append(model)
        rows += evaluate(model, test, service, composer)
        for o in range(len(OPTIONS)):  # what each query rule is worth, each with weights fit on train
            weights = max(GRID, key=lambda w, o=o: mrr(train, o, w))
            per_option[o] += [
                {"style": q.style, "rank": first_relevant(q, o, weights)[0], "tier": "none"} for q in test
            ]
    cv = summarise(rows)
    print_table(f"Cross-validated ({args.folds} folds, stratified by style), {len(questions)} questions", cv)
    print("\nQuery rules, cross-validated MRR by style (weights fit on the training folds):")
    print(f"{'rules':28s} " + " ".join(f"{s:>10s}" for s in (*STYLES, "all in-scope")))
    for o, option in enumerate(OPTIONS):
        s = summarise(per_option[o])
        print(f"{json.dumps(option):28s} " + " ".join(f"{s[st]['MRR']:10.3f}" for st in (*STYLES, "all in-scope")))
    print("\nPer fold:")
    for m in chosen:
        print(f"  {m.query} {m.fusion} sure≥{m.sure:.2f} scope≥{m.scope:.2f} {m.answer}")
    final = fit_all(questions, args.seed)
    final = FittedModel(**{**final.__dict__, "answer": fit_answer(service, composer, final, questions).__dict__})
    report = {
        "fit_on": [str(p.name) for p in (args.sets or default_sets())],
        "folds": args.folds,
        "cross_validated": {k: {m: round(v, 4) for m, v in d.items()} for k, d in cv.items()},
    }
    final = FittedModel(**{**final.__dict__, "report": report})
    args.output.write_text(json.dumps(final.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nFinal: {final.query} {final.fusion} sure≥{final.sure:.3f} scope≥{final.scope:.3f} {final.answer}")
    for name, logistic in (("correct", final.correct), ("in scope", final.in_scope)):
        print(f"{name}: " + ", ".join(f"{n} {c:+.2f}" for n, c in zip(FEATURES, logistic.coef, strict=True)))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
