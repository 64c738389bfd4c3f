"""The index folder's layout and its manifest: the file names, the format version, what a build
records, and the checks a folder passes before anything in it is read. No pickle.

Layout::

    manifest.json     backend, model, dimension, version, document hashes, dense index kind
    passages.jsonl    one passage per line, with the key of its embedded text
    vectors.npy       float32 embeddings, row i for passage i
    dense.faiss       FAISS index over the passage vectors (exact inner product, or HNSW above a size)
    windows.jsonl     the sentence windows of the answer candidates (index/windows.py): passage, start, size, key
    window_vectors.npy  float32 embeddings, row j for window j
    windows.faiss     FAISS index over the window vectors
    bm25/             bm25s arrays and vocabulary (JSON + .npy)
    anchors.npy       embeddings of the out-of-scope topics (knowledge/out_of_scope.yaml)

index/build.py writes the folder, index/load.py reads it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.embed import Embedder
from index.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from index.ingest import Corpus

FORMAT_VERSION = 3  # 3: out-of-scope topics embedded as queries
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
VECTORS = "vectors.npy"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
ANCHORS = "anchors.npy"
WINDOWS = "windows.jsonl"
WINDOW_VECTORS = "window_vectors.npy"
WINDOW_DENSE = "windows.faiss"


def manifest_for(
    corpus: Corpus, embedder: Embedder, *, dense: str, windows: int, window_dense: str, topics: int
) -> dict[str, Any]:
    """What a build of ``corpus`` records: the model (checked on load), the counts the arrays must
    match, and each document's hash (``lederbot index status`` compares them with the files)."""
    return {
        "version": FORMAT_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": embedder.backend,
        "model": embedder.model,
        "dimension": embedder.dimension,
        "passages": len(corpus.passages),
        "dense": dense,
        "windows": windows,
        "window_dense": window_dense,
        "out_of_scope_topics": topics,
        "documents": {
            d.meta.id: {
                "file": d.meta.file,
                "sha256": d.sha256,
                "passages": len(d.passages),
                "title": d.meta.title,
                "owner": d.meta.owner,
                "kind": d.meta.kind,
                "scope": d.meta.scope,
                "short_owner": d.meta.short_owner,
                **(
                    {
                        "ocr_valid_before": round(d.ocr.share_before, 4),
                        "ocr_valid_after": round(d.ocr.share_after, 4),
                    }
                    if d.ocr
                    else {}
                ),
            }
            for d in corpus.documents
        },
    }


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the index in ``folder``.

    Raises:
        IndexMissingError: there is no index there.
        IndexCorruptError: the manifest cannot be read.
    """
    path = folder / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"Fant ingen indeks i {folder}. Bygg den med «lederbot index build».")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"Indeksen i {folder} er skadet ({MANIFEST} kan ikke leses). Bygg den på nytt med «lederbot index build»."
        ) from exc
    version = manifest.get("version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"Indeksen i {folder} har et annet format (versjon {version}, forventet {FORMAT_VERSION}). "
            "Bygg den på nytt med «lederbot index build»."
        )
    return manifest


def check_compatible(manifest: dict[str, Any], embedder: Embedder, folder: Path) -> None:
    """Refuse an index built by another backend or model: its vectors mean something else."""
    built = (manifest.get("backend"), manifest.get("model"))
    wanted = (embedder.backend, embedder.model)
    if built != wanted:
        raise IndexMismatchError(
            f"Indeksen i {folder} er bygget med {built[0]} / {built[1]}, men konfigurasjonen bruker "
            f"{wanted[0]} / {wanted[1]}. Bygg indeksen på nytt med «lederbot index build»."
        )
