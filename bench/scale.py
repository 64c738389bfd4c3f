"""Scale: a corpus of 100,000 passages (with their 1–3 sentence windows) generated from the real ones.

Usage:  python bench/scale.py [--passages 100000] [--queries 100]

Texts are the real passages' sentences recombined; every passage and window gets a vector near one
of the real passage vectors (chosen by a hash of its text, plus noise): embedding ~1.5 million
texts with the CPU model would take days here, so the model embeds only the queries. Reported:
build time, disk and peak memory; query p50/p95 through the real SearchService (passage ANN,
window ANN, BM25, exact rescoring of the candidates, fusion, tiers) beside the bare query
embedding time of the same run; and recall@10 of the window search against exact search (the ten
passages with the best window by brute force over every window, against the ten the service's
candidates give).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bot.config import SearchSettings, Settings  # noqa: E402
from bot.search import SearchService  # noqa: E402
from index.build import IndexBuilder  # noqa: E402
from index.chunk import split_sentences  # noqa: E402
from index.documents import Passage  # noqa: E402
from index.embed import BundledEmbedder  # noqa: E402
from index.ingest import Corpus, IngestedDocument  # noqa: E402
from index.load import load_index  # noqa: E402


class GeneratedVectors(BundledEmbedder):
    """The real model for queries; for passages and windows a real passage vector plus noise."""

    def __init__(self, real: np.ndarray) -> None:
        super().__init__()
        self._real = real
        self._rng = np.random.default_rng(7)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        rows = [zlib.crc32(t.encode()) % len(self._real) for t in texts]
        vectors = self._real[rows] + self._rng.normal(0, 0.02, (len(texts), self._real.shape[1])).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    settings = Settings.load()
    real = load_index(settings.index_dir, BundledEmbedder())
    real_vectors = np.load(settings.index_dir / "vectors.npy")
    sentences = [s for p in real.passages for s in split_sentences(p.text)]

    started = time.perf_counter()
    passages = []
    for i in range(args.passages):
        base = real.passages[i % len(real.passages)]
        text = " ".join(rng.sample(sentences, k=min(6, len(sentences))))[:1100] + f" (utdrag {i})"
        passages.append(
            Passage(
                id=f"gen#{i}",
                document_id=f"gen-{i // 1000}",
                title=base.title,
                owner=base.owner,
                heading_path=base.heading_path,
                position=i % 1000,
                text=text,
            )
        )
    generated_s = time.perf_counter() - started
    corpus = Corpus([IngestedDocument(meta=_meta(), sha256="0" * 64, passages=passages)])
    questions = [" ".join(q["q"].split()) for path in _eval_sets() for q in yaml.safe_load(path.read_text("utf-8"))]
    questions = (questions * (args.queries // len(questions) + 1))[: args.queries]
    report: dict[str, object] = {"passages": args.passages, "generate_s": round(generated_s, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        embedder = GeneratedVectors(real_vectors)
        started = time.perf_counter()
        built = IndexBuilder(embedder=embedder, hnsw_threshold=50_000, batch_size=8192).build(corpus, folder)
        report["build_s"] = round(time.perf_counter() - started, 1)
        del corpus, passages
        service = SearchService(
            index_dir=folder, embedder=embedder, settings=SearchSettings(), ef_search=settings.index.hnsw_ef_search
        )
        service.load()
        index = service.index
        report["windows"] = len(index.windows)
        report["dense"] = f"passages {index.manifest['dense']}, windows {index.manifest['window_dense']}"
        times, embed_times, recalls = [], [], []
        window_vectors = np.asarray(index.window_vectors)
        owner = index.windows[:, 0]
        for question in questions:
            t0 = time.perf_counter()
            vector = embedder.embed_queries([question])[0]
            embed_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result = service.search(question, top_k=10)
            times.append(time.perf_counter() - t0)
            assert result.hits
            candidates = service.candidates(question, vector, service.model.query)
            found = set(candidates.ids[np.argsort(-candidates.window)[:10]].tolist())
            best = np.full(len(index.passages), -np.inf, dtype=np.float32)
            for start in range(0, len(window_vectors), 262_144):  # exact: every window, in slices
                scores = window_vectors[start : start + 262_144].astype(np.float32) @ vector
                np.maximum.at(best, owner[start : start + 262_144], scores)
            best[~index.answerable] = -np.inf
            exact = set(np.argsort(-best)[:10].tolist())
            recalls.append(len(found & exact) / 10)
        report.update(
            {
                "embedded_texts": built.embedded,
                "index_mb": round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1),
                "peak_rss_mb": round(peak_mb(), 0),
                "embed_ms_p50": round(1000 * percentile(embed_times, 0.5), 1),
                "embed_ms_p95": round(1000 * percentile(embed_times, 0.95), 1),
                "query_ms_p50": round(1000 * percentile(times, 0.5), 1),
                "query_ms_p95": round(1000 * percentile(times, 0.95), 1),
                "query_over_embed_p95": round(percentile(times, 0.95) / percentile(embed_times, 0.95), 2),
                "window_recall_at_10": round(float(np.mean(recalls)), 3),
            }
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def _eval_sets() -> list[Path]:
    for base in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"):
        if (base / "dev.yaml").is_file():
            return [base / "dev.yaml", base / "dev2.yaml"]
    raise SystemExit("Fant ikke ../shared/eval/dev.yaml.")


def _meta():  # type: ignore[no-untyped-def]
    from index.documents import DocumentMeta

    return DocumentMeta(id="gen", file="gen.txt", title="Generert", owner="Heim kommune")


if __name__ == "__main__":
    sys.exit(main())
