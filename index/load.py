"""Reading the index folder (index/manifest.py names its files) for searching: every file checked
against the manifest and the configured model, so a damaged or foreign index fails with a rebuild
hint instead of answering from the wrong vectors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.documents import Passage
from index.embed import Embedder
from index.errors import IndexCorruptError
from index.manifest import (
    ANCHORS,
    BM25_DIR,
    DENSE,
    PASSAGES,
    VECTORS,
    WINDOW_DENSE,
    WINDOW_VECTORS,
    WINDOWS,
    check_compatible,
    read_manifest,
)
from index.text import norwegian_stopwords


@dataclass
class LoadedIndex:
    """An index read from disk, ready to search."""

    manifest: dict[str, Any]
    passages: list[Passage]
    dense: Any  # faiss.Index
    bm25: Any  # bm25s.BM25
    stopwords: frozenset[str]
    anchors: np.ndarray  # out-of-scope topic vectors, shape (n, dimension)
    document_frequency: np.ndarray  # passages that contain each BM25 term, by term id
    vectors: np.ndarray  # passage vectors (memory-mapped)
    windows: np.ndarray  # (n, 3) int32: passage, first sentence, number of sentences
    window_vectors: np.ndarray  # window vectors (memory-mapped)
    window_dense: Any  # faiss.Index over the windows
    window_offsets: np.ndarray  # windows of passage i are rows window_offsets[i]:window_offsets[i + 1]
    answerable: np.ndarray  # bool per passage: an answer candidate

    def documents(self) -> dict[str, dict[str, Any]]:
        return dict(self.manifest.get("documents", {}))


def load_index(folder: Path, embedder: Embedder, *, ef_search: int = 128) -> LoadedIndex:
    """Read and check the index in ``folder`` for searching with ``embedder``."""
    import bm25s
    import faiss

    manifest = read_manifest(folder)
    embedder.load()
    check_compatible(manifest, embedder, folder)
    try:
        passages = []
        with (folder / PASSAGES).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                row.pop("embed_key", None)
                row["heading_path"] = tuple(row["heading_path"])
                passages.append(Passage(**row))
        with (folder / WINDOWS).open(encoding="utf-8") as lines:
            windows = np.array([json.loads(line)[:3] for line in lines], dtype=np.int32).reshape(-1, 3)
        dense = faiss.read_index(str(folder / DENSE))
        window_dense = faiss.read_index(str(folder / WINDOW_DENSE))
        vectors = np.load(folder / VECTORS, mmap_mode="r", allow_pickle=False)
        window_vectors = np.load(folder / WINDOW_VECTORS, mmap_mode="r", allow_pickle=False)
        bm25 = bm25s.BM25.load(str(folder / BM25_DIR), load_corpus=False, mmap=True, show_progress=False)
        anchors = np.load(folder / ANCHORS, allow_pickle=False)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(
            f"Indeksen i {folder} er skadet eller ufullstendig ({type(exc).__name__}). "
            "Bygg den på nytt med «lederbot index build»."
        ) from exc
    if (
        dense.ntotal != len(passages)
        or dense.d != manifest.get("dimension")
        or len(passages) != manifest.get("passages")
        or len(windows) != manifest.get("windows")
        or window_dense.ntotal != len(windows)
        or window_vectors.shape != (len(windows), dense.d)
        or vectors.shape != (len(passages), dense.d)
        or (len(windows) and (windows[:, 0].max() >= len(passages) or np.any(np.diff(windows[:, 0]) < 0)))
    ):
        raise IndexCorruptError(
            f"Indeksen i {folder} henger ikke sammen (antall passasjer eller dimensjon stemmer ikke med manifestet). "
            "Bygg den på nytt med «lederbot index build»."
        )
    for loaded in (dense, window_dense):
        if hasattr(loaded, "hnsw"):
            loaded.hnsw.efSearch = ef_search
        if hasattr(loaded, "nprobe"):
            loaded.nprobe = max(1, ef_search // 2)  # the same setting sizes the inverted file's search
    if anchors.ndim != 2 or (len(anchors) and anchors.shape[1] != dense.d):
        raise IndexCorruptError(
            f"Indeksen i {folder} er skadet ({ANCHORS}). Bygg den på nytt med «lederbot index build»."
        )
    # bm25s keeps one column per term: its stored entries are the passages that contain it.
    document_frequency = np.diff(np.asarray(bm25.scores["indptr"]))
    return LoadedIndex(
        manifest=manifest,
        passages=passages,
        dense=dense,
        bm25=bm25,
        stopwords=norwegian_stopwords(),
        anchors=anchors,
        document_frequency=document_frequency,
        vectors=vectors,
        windows=windows,
        window_vectors=window_vectors,
        window_dense=window_dense,
        window_offsets=np.searchsorted(windows[:, 0], np.arange(len(passages) + 1)).astype(np.int64),
        answerable=np.array([p.extra.get("answer", "1") == "1" for p in passages], dtype=bool),
    )
