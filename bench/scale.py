"""Scale: a corpus of 100,000 passages generated from the real ones.

Usage:  python bench/scale.py [--passages 100000] [--queries 200]

Texts are the real passages' sentences recombined; their vectors are the real passage vectors plus
noise (embedding 100,000 passages with the CPU model would take hours here: it embeds about six
long passages a second, which is reported). Queries are embedded with the real model. Reported:
build time and peak memory for exact (flat) FAISS and for HNSW, query p50/p95 through the real
SearchService (dense + BM25 + fusion + confidence), and HNSW's recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from bot.config import SearchSettings, Settings  # noqa: E402
from bot.search import SearchService  # noqa: E402
from index.chunk import split_sentences  # noqa: E402
from index.documents import Passage  # noqa: E402
from index.embed import BundledEmbedder  # noqa: E402
from index.ingest import Corpus, IngestedDocument  # noqa: E402
from index.store import IndexBuilder, load_index  # noqa: E402


class PrecomputedPassages(BundledEmbedder):
    """The real model for queries; the generated vectors for the generated passages."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        super().__init__()
        self._vectors = vectors

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    np_rng = np.random.default_rng(7)
    settings = Settings.load()
    real = load_index(settings.index_dir, BundledEmbedder())
    real_vectors = np.load(settings.index_dir / "vectors.npy")
    sentences = [s for p in real.passages for s in split_sentences(p.text)]

    from index.store import embedded_text

    started = time.perf_counter()
    passages, vectors = [], {}
    for i in range(args.passages):
        source = i % len(real.passages)
        base = real.passages[source]
        text = " ".join(rng.sample(sentences, k=min(6, len(sentences))))[:1100] + f" (utdrag {i})"
        passage = Passage(
            id=f"gen#{i}",
            document_id=f"gen-{i // 1000}",
            title=base.title,
            owner=base.owner,
            heading_path=base.heading_path,
            position=i % 1000,
            text=text,
        )
        vector = real_vectors[source] + np_rng.normal(0, 0.02, real_vectors.shape[1]).astype(np.float32)
        vectors[embedded_text(passage)] = vector / np.linalg.norm(vector)
        passages.append(passage)
    generated_s = time.perf_counter() - started
    corpus = Corpus([IngestedDocument(meta=_meta(), sha256="0" * 64, passages=passages)])

    items = yaml.safe_load((ROOT.parent / "shared" / "eval" / "dev.yaml").read_text(encoding="utf-8"))
    questions = [" ".join(q["q"].split()) for q in items]
    questions = (questions * (args.queries // len(questions) + 1))[: args.queries]
    report: dict[str, object] = {"passages": args.passages, "generate_s": round(generated_s, 1)}
    hits: dict[str, list[list[str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, threshold in (("flat", args.passages + 1), ("hnsw", 1)):
            folder = Path(tmp) / kind
            embedder = PrecomputedPassages(vectors)
            before = peak_mb()
            started = time.perf_counter()
            IndexBuilder(embedder=embedder, hnsw_threshold=threshold, batch_size=4096).build(corpus, folder)
            build_s = time.perf_counter() - started
            service = SearchService(
                index_dir=folder, embedder=embedder, settings=SearchSettings(), ef_search=settings.index.hnsw_ef_search
            )
            service.load()
            times, dense_ids = [], []
            for question in questions:
                t0 = time.perf_counter()
                result = service.search(question, top_k=10)
                times.append(time.perf_counter() - t0)
                vector = embedder.embed_queries([question])
                _, ids = service.index.dense.search(vector, 10)
                dense_ids.append([str(i) for i in ids[0]])
            hits[kind] = dense_ids
            assert result.hits
            report[kind] = {
                "build_s": round(build_s, 1),
                "peak_rss_mb": round(max(peak_mb(), before), 0),
                "index_mb": round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1),
                "query_ms_p50": round(1000 * percentile(times, 0.5), 1),
                "query_ms_p95": round(1000 * percentile(times, 0.95), 1),
            }
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(hits["flat"], hits["hnsw"], strict=True)])
    report["hnsw_recall_at_10"] = round(float(recall), 3)
    report["embedding_passages_per_s_measured"] = 5.8  # bench of the real build: 153 passages in ~26 s
    report["embedding_100k_estimate_h"] = round(args.passages / 5.8 / 3600, 1)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def _meta():  # type: ignore[no-untyped-def]
    from index.documents import DocumentMeta

    return DocumentMeta(id="gen", file="gen.txt", title="Generert", owner="Heim kommune")


if __name__ == "__main__":
    sys.exit(main())
