"""Search benchmark: quality on the dev set, warm time per question beside the bare embedding time,
and cold start to the first answer.

Usage:  python bench/search.py [EVAL.yaml] [--repeat N]

Quality follows ../shared/eval/score.py (a hit is a passage whose folded text contains an
`expect` phrase). Warm time is measured per question for the whole search (normalisation,
query embedding, FAISS, windows, BM25, fusion, tiers) and for the whole answer (the same plus
sentence choice, shown window and "Se også"), and beside them, in the same run and on the same
questions, the bare query embedding of the bundled model; answer/embedding is the figure to keep
<= 1.2 (timed passes interleave the three per question, so load on the machine hits all alike).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bench.text import fold_text  # noqa: E402
from bot.assistant import build_assistant  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.query import normalise_query  # noqa: E402


def cold_start(question: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "handlers.cli", "ask", question], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    default = next(
        (
            str(p)
            for p in (ROOT.parent / "shared/eval/dev.yaml", ROOT.parent.parent / "shared/eval/dev.yaml")
            if p.is_file()
        ),
        "dev.yaml",
    )
    parser.add_argument("eval", nargs="?", default=default)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the questions")
    args = parser.parse_args()
    items = yaml.safe_load(Path(args.eval).read_text(encoding="utf-8"))

    settings = Settings.load()
    assistant = build_assistant(settings)
    assistant.load()
    service = assistant.search_service
    embedder = service._embedder  # the same loaded model the search uses

    ranks: list[int | None] = []
    oos_declined = oos_total = false_abstain = 0
    for item in items:
        result = assistant.search(" ".join(item["q"].split()), top_k=10)
        if item.get("out_of_scope"):
            oos_total += 1
            oos_declined += not result.answered
            continue
        if not result.answered:
            false_abstain += 1
            ranks.append(None)
            continue
        rank = next(
            (
                r
                for r, h in enumerate(result.hits, 1)
                if any(e in fold_text(h.passage.text[:1500]) for e in item["expect"])
            ),
            None,
        )
        ranks.append(rank)
    n = len(ranks)

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / n

    mrr = sum(1 / r for r in ranks if r) / n

    questions = [" ".join(item["q"].split()) for item in items]
    search_times: list[float] = []
    embed_times: list[float] = []
    answer_times: list[float] = []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            embedder.embed_queries([normalise_query(question)])
            embed_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            assistant.search(question)
            search_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            assistant.ask(question)
            answer_times.append(time.perf_counter() - started)

    cold = [cold_start("Hva er en delegeringssperre?") for _ in range(3)]
    report = {
        "questions": len(items),
        "in_scope": n,
        "R@1": round(recall(1), 3),
        "R@3": round(recall(3), 3),
        "R@5": round(recall(5), 3),
        "MRR@10": round(mrr, 3),
        "out_of_scope_declined": f"{oos_declined}/{oos_total}",
        "in_scope_declined": f"{false_abstain}/{n}",
        "embed_ms_p50": round(1000 * percentile(embed_times, 0.5), 2),
        "embed_ms_p95": round(1000 * percentile(embed_times, 0.95), 2),
        "search_ms_p50": round(1000 * percentile(search_times, 0.5), 2),
        "search_ms_p95": round(1000 * percentile(search_times, 0.95), 2),
        "search_over_embed_p50": round(percentile(search_times, 0.5) / percentile(embed_times, 0.5), 2),
        "search_over_embed_p95": round(percentile(search_times, 0.95) / percentile(embed_times, 0.95), 2),
        "answer_ms_p50": round(1000 * percentile(answer_times, 0.5), 2),
        "answer_ms_p95": round(1000 * percentile(answer_times, 0.95), 2),
        "answer_over_embed_p50": round(percentile(answer_times, 0.5) / percentile(embed_times, 0.5), 2),
        "answer_over_embed_p95": round(percentile(answer_times, 0.95) / percentile(embed_times, 0.95), 2),
        "cold_start_s_median": round(statistics.median(cold), 2),
        "passages": len(service.index.passages),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "search.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
