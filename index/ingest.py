"""From the knowledge folder to passages: read, clean, repair OCR, find structure, chunk.

Example:
    >>> corpus = Ingestor(default_owner="Heim kommune").ingest_folder(Path("knowledge"))
    >>> corpus.passages[0].document_id
    'heim-styring-og-ledelse'
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from index.chunk import chunk_sections
from index.clean import clean_text
from index.debris import drop_figure_debris
from index.documents import DocumentMeta, Passage
from index.errors import ConfigError
from index.lexicon import NorwegianLexicon
from index.ocr import OcrRepairer, RepairReport
from index.owners import OwnerNames
from index.readers import SUPPORTED_SUFFIXES, read_file
from index.scan import ScanDetector
from index.structure import markdown_blocks, plain_blocks, sections

log = logging.getLogger(__name__)

SOURCES_FILE = "sources.yaml"
_IGNORED_NAMES = {"readme.md", "readme.txt"}


@dataclass(frozen=True)
class IngestedDocument:
    meta: DocumentMeta
    sha256: str
    passages: list[Passage]
    ocr: RepairReport | None = None


@dataclass(frozen=True)
class PreparedDocument:
    """A document after cleaning and repair: ``text`` is exactly what the chunker receives."""

    path: Path
    meta: DocumentMeta
    markdown: bool
    text: str
    ocr: RepairReport | None = None


@dataclass
class Corpus:
    documents: list[IngestedDocument] = field(default_factory=list)

    @property
    def passages(self) -> list[Passage]:
        return [p for d in self.documents for p in d.passages]


def load_sources(folder: Path) -> dict[str, dict[str, object]]:
    """The ``documents`` mapping of ``sources.yaml`` (empty when the file is absent)."""
    path = folder / SOURCES_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} er ikke gyldig YAML: {exc}") from exc
    documents = data.get("documents", {}) if isinstance(data, dict) else {}
    if not isinstance(documents, dict):
        raise ConfigError(f"{path}: 'documents' må være en mapping fra filnavn til metadata")
    return documents


def load_out_of_scope(folder: Path) -> list[str]:
    """The topics lederbot does not answer (``out_of_scope.yaml``), for the confidence decision."""
    path = folder / "out_of_scope.yaml"
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} er ikke gyldig YAML: {exc}") from exc
    topics = data.get("topics", []) if isinstance(data, dict) else []
    if not isinstance(topics, list) or not all(isinstance(t, str) and t.strip() for t in topics):
        raise ConfigError(f"{path}: 'topics' må være en liste med tekster")
    return [t.strip() for t in topics]


def document_files(folder: Path) -> list[Path]:
    """The documents in ``folder`` (not its subfolders, which hold other data such as reflections)."""
    if not folder.is_dir():
        raise ConfigError(f"Kunnskapsmappen {folder} finnes ikke.")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and p.name.lower() not in _IGNORED_NAMES
    )


def file_digest(path: Path) -> str:
    """The fingerprint a build records per file, to tell later whether the file has changed."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def changes_since(manifest: dict[str, Any], folder: Path) -> dict[str, str]:
    """Each file, built or on disk, and its state against the index's manifest: "removed", "new",
    "changed" or "built"."""
    built = {doc["file"]: doc for doc in manifest.get("documents", {}).values()}
    on_disk = {p.name: p for p in document_files(folder)} if folder.is_dir() else {}
    states: dict[str, str] = {}
    for name in sorted(set(built) | set(on_disk)):
        if name not in on_disk:
            states[name] = "removed"
        elif name not in built:
            states[name] = "new"
        else:
            states[name] = "changed" if file_digest(on_disk[name]) != built[name]["sha256"] else "built"
    return states


def document_id(path: Path, entry: Mapping[str, object] | None) -> str:
    """A document's id: its ``sources.yaml`` ``id``, else the file name as a slug (known without reading it)."""
    given = (entry or {}).get("id")
    return str(given) if given else re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "dokument"


def describe(path: Path, entry: dict[str, object] | None, *, default_owner: str, first_line: str) -> DocumentMeta:
    """Metadata for one file: its ``sources.yaml`` entry, or what can be read off the file."""
    entry = entry or {}
    known = {f for f in DocumentMeta.__dataclass_fields__ if f != "file"}
    unknown = set(entry) - known - {"seed"}
    if unknown:
        raise ConfigError(f"{SOURCES_FILE}: ukjente felt for {path.name}: {sorted(unknown)}")
    values = {k: (str(v) if v is not None else None) for k, v in entry.items() if k in known and k != "id"}
    return DocumentMeta(
        file=path.name,
        id=document_id(path, entry),
        title=values.pop("title", None) or first_line or path.stem,
        owner=values.pop("owner", None) or default_owner,
        **{k: v for k, v in values.items() if v is not None},
    )


class Ingestor:
    """Turns files into passages. The lexicon for OCR repair loads in ``load()``."""

    def __init__(self, *, max_passage_chars: int = 1200, default_owner: str = "Ukjent eier") -> None:
        if max_passage_chars < 100:
            raise ValueError(f"max_passage_chars must be at least 100, got {max_passage_chars}")
        self._max = max_passage_chars
        self._default_owner = default_owner
        self._lexicon: NorwegianLexicon | None = None

    def load(self) -> None:
        if self._lexicon is None:
            self._lexicon = NorwegianLexicon()

    def prepare_folder(self, folder: Path) -> list[PreparedDocument]:
        """Every document in ``folder`` read, cleaned and repaired: the text the chunker receives.

        Clean documents go first so that their words help repair the scanned ones.
        """
        self.load()
        assert self._lexicon is not None
        sources = load_sources(folder)
        unknown = set(sources) - {p.name for p in document_files(folder)}
        if unknown:
            log.warning("sources.yaml names files that are not in %s: %s", folder, sorted(unknown))
        detector = ScanDetector(self._lexicon)
        repairer = OcrRepairer(self._lexicon)
        staged = []
        for path in document_files(folder):
            raw = read_file(path)
            entry = sources.get(path.name)
            language = str((entry or {}).get("language") or "nb")
            names = tuple(str((entry or {}).get(k) or "") for k in ("title", "owner")) + (self._default_owner,)
            text = clean_text(raw.text, names=names)
            scan = detector.scan(text, language=language)
            if scan.damaged or path.suffix.lower() == ".pdf":
                # Figures leave debris in scans and PDF extraction; a web page's short lines are its text.
                text = drop_figure_debris(text)
                scan = detector.scan(text, language=language)
            staged.append((path, raw.markdown, text, scan, entry))
        for _, _, text, scan, _ in staged:
            if not scan.damaged:
                self._lexicon.add_corpus_words(re.findall(r"[^\W\d_]+", text))
        self._lexicon.add_corpus_text(text for _, _, text, scan, _ in staged if not scan.damaged)
        prepared: list[PreparedDocument] = []
        for path, markdown, text, scan, entry in staged:
            report = None
            if scan.damaged:
                repaired = repairer.repair_segments(text, scan)
                report = repairer.report(text, repaired)
                log.info(
                    "OCR repair of %s: valid words %.1f%% -> %.1f%%",
                    path.name,
                    100 * report.share_before,
                    100 * report.share_after,
                )
                text = repaired
            first_line = next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "")
            meta = describe(path, entry, default_owner=self._default_owner, first_line=first_line)
            prepared.append(PreparedDocument(path=path, meta=meta, markdown=markdown, text=text, ocr=report))
        ids = [d.meta.id for d in prepared]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ConfigError(f"To dokumenter har samme id: {sorted(duplicates)}")
        return prepared

    def ingest_folder(self, folder: Path) -> Corpus:
        """Every document in ``folder`` as passages."""
        corpus = Corpus()
        for doc in self.prepare_folder(folder):
            blocks = markdown_blocks(doc.text) if doc.markdown else plain_blocks(doc.text)
            owner = OwnerNames(n for n in (doc.meta.owner, doc.meta.short_owner) if n)
            found = sections(blocks, split_long_paragraphs_at=self._max, owner=owner)
            passages = chunk_sections(doc.meta, found, max_chars=self._max)
            digest = file_digest(doc.path)
            corpus.documents.append(IngestedDocument(meta=doc.meta, sha256=digest, passages=passages, ocr=doc.ocr))
        return corpus
