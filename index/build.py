"""Building the index folder (index/manifest.py names its files): embed, index, write atomically.

A rebuild reuses the vectors of passages and windows whose embedded text did not change, so adding
one document embeds only that document. The folder is written beside the old one and swapped in,
so a failed build (a full disk) leaves the previous index as it was.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.documents import Passage
from index.embed import Embedder
from index.errors import IndexCorruptError, IndexMismatchError
from index.ingest import Corpus
from index.manifest import (
    ANCHORS,
    BM25_DIR,
    DENSE,
    FORMAT_VERSION,
    MANIFEST,
    PASSAGES,
    VECTORS,
    WINDOW_DENSE,
    WINDOW_VECTORS,
    WINDOWS,
    check_compatible,
    manifest_for,
)
from index.text import norwegian_stopwords, terms
from index.windows import Window, head, is_answer_candidate, passage_windows, window_embedded_text

_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


def embedded_text(passage: Passage) -> str:
    """What the dense model sees: the title, heading path and owner give a passage its topic and
    make "lederne i Melhus" find Melhus' documents."""
    return f"{head(passage)}\n{passage.text}"


def indexed_terms_text(passage: Passage) -> str:
    """What BM25 sees: the owner, title and heading path once each, then the text."""
    return f"{passage.owner}\n{passage.title}\n{' '.join(passage.heading_path)}\n{passage.text}"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class BuildReport:
    passages: int
    embedded: int
    reused: int
    seconds: float
    dense_kind: str


class IndexBuilder:
    """Builds the index folder from a corpus.

    Example:
        >>> builder = IndexBuilder(embedder=BundledEmbedder(), hnsw_threshold=50_000)
        >>> report = builder.build(corpus, Path("data/index"))
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        hnsw_threshold: int = 50_000,
        hnsw_m: int = 32,
        batch_size: int = 16,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if hnsw_threshold < 1 or hnsw_m < 4 or batch_size < 1:
            raise ValueError(f"bad index parameters: hnsw_threshold={hnsw_threshold}, hnsw_m={hnsw_m}")
        self._embedder = embedder
        self._hnsw_threshold = hnsw_threshold
        self._hnsw_m = hnsw_m
        self._batch = batch_size
        self._progress = progress

    def build(self, corpus: Corpus, folder: Path, *, out_of_scope: list[str] | None = None) -> BuildReport:
        """Write the index for ``corpus`` to ``folder`` (atomically: a failed build leaves the old one)."""
        import bm25s
        import faiss
        from bm25s.tokenization import Tokenizer

        started = time.perf_counter()
        self._embedder.load()
        passages = corpus.passages
        if not passages:
            raise IndexCorruptError("Fant ingen tekst å indeksere i kunnskapsmappen.")
        keys = [_key(embedded_text(p)) for p in passages]
        windows: list[Window] = [w for i, p in enumerate(passages) for w in passage_windows(p, i)]
        window_texts = [window_embedded_text(passages[w.passage], w) for w in windows]
        window_keys = [_key(t) for t in window_texts]
        cached = _reusable_vectors(folder, self._embedder)
        # The progress counts the texts this build embeds: passages and their windows, less those reused.
        todo = sum(k not in cached for k in keys) + sum(k not in cached for k in window_keys)
        done = 0

        def count_embedded(count: int) -> None:
            nonlocal done
            done += count
            if self._progress is not None:
                self._progress(done, todo)

        vectors, embedded_passages = self._vectors([embedded_text(p) for p in passages], keys, cached, count_embedded)
        # Many windows (a large corpus): half-precision vectors and a quantised inverted-file index
        # keep memory within bounds; the exact rescoring of candidates reads the float16 rows.
        large = len(windows) > self._hnsw_threshold
        window_vectors, embedded_windows = self._vectors(
            window_texts, window_keys, cached, count_embedded, dtype=np.float16 if large else np.float32
        )

        topics = list(out_of_scope or [])
        # A topic is compared with questions, not with passages: embedded as a query (e5's symmetric
        # use), a question about a holiday is nearer the pay-and-terms topic than the documents are
        # (measured: out-of-scope separation AUC 0.872 -> 0.952 on added documents, 0.942 -> 0.946 on the seeds).
        anchors = (
            self._embedder.embed_queries(topics) if topics else np.zeros((0, self._embedder.dimension), np.float32)
        )

        dense_kind = "hnsw" if len(passages) > self._hnsw_threshold else "flat"
        dense = _dense_index(vectors, dense_kind, self._hnsw_m)
        window_kind = "ivf-sq8" if large else "flat"
        window_dense = _dense_index(window_vectors, window_kind, self._hnsw_m)

        stop = norwegian_stopwords()
        # bm25s' tokenizer with our Norwegian terms as its splitter (stems, folded, stopwords out), so
        # the passages get exactly the terms a question is matched with (bot/search.py uses terms too).
        tokenizer = Tokenizer(lower=False, splitter=lambda text: terms(text, stopwords=stop), stopwords=None)
        tokenized = tokenizer.tokenize(
            [indexed_terms_text(p) for p in passages], return_as="tuple", show_progress=False
        )
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(tokenized, show_progress=False)

        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".index-", dir=folder.parent))
        try:
            with (staging / PASSAGES).open("w", encoding="utf-8") as out:
                for passage, key in zip(passages, keys, strict=True):
                    row = asdict(passage)
                    row["heading_path"] = list(passage.heading_path)
                    row["embed_key"] = key
                    row["extra"] = {**passage.extra, "answer": "1" if is_answer_candidate(passage) else "0"}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            with (staging / WINDOWS).open("w", encoding="utf-8") as out:
                for window, key in zip(windows, window_keys, strict=True):
                    out.write(json.dumps([window.passage, window.start, window.size, key]) + "\n")
            np.save(staging / VECTORS, vectors, allow_pickle=False)
            np.save(staging / WINDOW_VECTORS, window_vectors, allow_pickle=False)
            faiss.write_index(window_dense, str(staging / WINDOW_DENSE))
            np.save(staging / ANCHORS, anchors, allow_pickle=False)
            faiss.write_index(dense, str(staging / DENSE))
            retriever.save(str(staging / BM25_DIR), show_progress=False)
            manifest = manifest_for(
                corpus,
                self._embedder,
                dense=dense_kind,
                windows=len(windows),
                window_dense=window_kind,
                topics=len(topics),
            )
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            _replace_folder(staging, folder)
        except (OSError, RuntimeError) as exc:
            # numpy and json raise OSError; FAISS raises RuntimeError for the same failed write.
            shutil.rmtree(staging, ignore_errors=True)
            no_space = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
            # numpy reports a write the disk cut short as a bare OSError ("4608 requested and 1151 written").
            short_write = _SHORT_WRITE.search(str(exc)) is not None
            if no_space or short_write or "No space" in str(exc) or "File too large" in str(exc):
                raise IndexCorruptError(
                    f"Ikke nok diskplass til indeksen i {folder}. Frigjør plass (eller velg en annen mappe med "
                    "LEDERBOT_DATA_DIR) og kjør «lederbot index build» igjen. Den forrige indeksen er urørt."
                ) from exc
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise IndexCorruptError(f"Kunne ikke skrive indeksen til {folder}: {reason}") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        embedded = embedded_passages + embedded_windows
        return BuildReport(
            passages=len(passages),
            embedded=embedded,
            reused=len(passages) + len(windows) - embedded,
            seconds=time.perf_counter() - started,
            dense_kind=dense_kind,
        )

    def _vectors(
        self,
        texts: list[str],
        keys: list[str],
        cached: dict[str, np.ndarray],
        count_embedded: Callable[[int], None],
        *,
        dtype: Any = np.float32,
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts``: reused by key where the previous build embedded the same text."""
        vectors = np.zeros((len(texts), self._embedder.dimension), dtype=dtype)
        todo = []
        for i, key in enumerate(keys):
            if key in cached:
                vectors[i] = cached[key]
            else:
                todo.append(i)
        for start in range(0, len(todo), self._batch):
            batch = todo[start : start + self._batch]
            vectors[batch] = self._embedder.embed_passages([texts[i] for i in batch])
            count_embedded(len(batch))
        return vectors, len(todo)


def _reusable_vectors(folder: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the previous build, by embedded-text key, when it used the same model.

    The previous build may be of an older index format: a vector depends only on the model and the
    text it embeds, so a format change does not cost embedding every passage again.
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        check_compatible(manifest, embedder, folder)
        vectors = np.load(folder / VECTORS, allow_pickle=False)
        keys = [json.loads(line)["embed_key"] for line in (folder / PASSAGES).read_text(encoding="utf-8").splitlines()]
        window_vectors = np.load(folder / WINDOW_VECTORS, allow_pickle=False)
        window_keys = [json.loads(line)[3] for line in (folder / WINDOWS).read_text(encoding="utf-8").splitlines()]
    except (IndexMismatchError, OSError, ValueError, KeyError, IndexError, AttributeError, TypeError):
        return {}
    if len(keys) != len(vectors) or len(window_keys) != len(window_vectors):
        return {}
    if not isinstance(manifest.get("version"), int) or manifest["version"] > FORMAT_VERSION:
        return {}  # a newer format than this code knows: its files may mean something else
    if vectors.ndim != 2 or vectors.shape[1] != embedder.dimension or window_vectors.shape[1:] != vectors.shape[1:]:
        return {}
    return {**dict(zip(keys, vectors, strict=True)), **dict(zip(window_keys, window_vectors, strict=True))}


def _dense_index(vectors: np.ndarray, kind: str, hnsw_m: int) -> Any:
    """Exact inner product ("flat"), HNSW, or an inverted file over 8-bit scalar-quantised vectors
    ("ivf-sq8": a quarter of the memory, for millions of sentence windows; searched with nprobe)."""
    import faiss

    dimension = vectors.shape[1]
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 200
    elif kind == "ivf-sq8":
        lists = max(1, int(np.sqrt(len(vectors))))
        index = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dimension), dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        rng = np.random.default_rng(0)
        sample = vectors[np.sort(rng.choice(len(vectors), size=min(len(vectors), 40 * lists), replace=False))]
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
    else:
        index = faiss.IndexFlatIP(dimension)
    for start in range(0, len(vectors), 65_536):  # in slices: a float32 copy of all at once would double memory
        index.add(np.ascontiguousarray(vectors[start : start + 65_536], dtype=np.float32))
    return index


def _replace_folder(staging: Path, folder: Path) -> None:
    if folder.exists():
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, folder)
