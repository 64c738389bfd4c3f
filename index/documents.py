"""Typed records that flow through ingestion: documents, sections and passages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    """What ``knowledge/sources.yaml`` says about one file."""

    id: str
    file: str
    title: str
    owner: str
    kind: str = "dokument"
    scope: str = "municipal"
    language: str = "nb"
    date: str | None = None
    link: str | None = None
    short_owner: str | None = None


@dataclass(frozen=True)
class Block:
    """One piece of a document's text: a heading (with its level) or a paragraph."""

    text: str
    heading_level: int = 0  # 0 for body text, 1.. for headings

    @property
    def is_heading(self) -> bool:
        return self.heading_level > 0


@dataclass(frozen=True)
class Section:
    """Consecutive body text under one heading path."""

    heading_path: tuple[str, ...]
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Passage:
    """The unit of retrieval: at most ~1,200 characters of whole sentences."""

    id: str
    document_id: str
    title: str
    owner: str
    heading_path: tuple[str, ...]
    position: int  # order of the passage within its document
    text: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return " › ".join(self.heading_path)
