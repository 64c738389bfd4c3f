"""Read each supported file format into plain text or structured blocks.

Formats: .md (Markdown headings), .txt (plain text, headings found later by ``structure``),
.html (main content via trafilatura), .pdf (pypdf), .docx (python-docx, heading styles kept).
Every reader returns ``RawDocument``: either Markdown-like text with ``#`` headings or plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class RawDocument:
    """A file's text before cleaning. ``markdown`` says whether ``#`` lines are headings."""

    text: str
    markdown: bool


def read_file(path: Path) -> RawDocument:
    """Read ``path`` by its suffix.

    Raises:
        ValueError: the suffix is not one of ``SUPPORTED_SUFFIXES``.
    """
    suffix = path.suffix.lower()
    if suffix == ".md":
        return RawDocument(path.read_text(encoding="utf-8", errors="replace"), markdown=True)
    if suffix == ".txt":
        return RawDocument(path.read_text(encoding="utf-8", errors="replace"), markdown=False)
    if suffix in (".html", ".htm"):
        return _read_html(path.read_bytes())
    if suffix == ".pdf":
        return _read_pdf(path)
    if suffix == ".docx":
        return _read_docx(path)
    raise ValueError(f"unsupported document format {path.suffix!r} for {path.name}")


def _read_html(data: bytes) -> RawDocument:
    import trafilatura

    # trafilatura drops navigation, menus and footers; Markdown output keeps the headings.
    text = trafilatura.extract(
        data,
        output_format="markdown",
        include_formatting=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    return RawDocument(text or "", markdown=True)


def _read_pdf(path: Path) -> RawDocument:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [page.extract_text() or "" for page in reader.pages]
    # A form feed between pages, so that cleaning can tell running headers and footers.
    return RawDocument("\n\f\n".join(pages), markdown=False)


_HEADING_STYLE_PREFIXES = ("heading", "overskrift")


def _read_docx(path: Path) -> RawDocument:
    import docx

    document = docx.Document(str(path))
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        level = 0
        if style == "title":
            level = 1
        elif style.startswith(_HEADING_STYLE_PREFIXES):
            digits = "".join(ch for ch in style if ch.isdigit())
            level = min(int(digits), 6) if digits else 1
        elif "list" in style:
            text = f"- {text}"
        lines.append(f"{'#' * level} {text}" if level else text)
        lines.append("")
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(" | ".join(cells))
        lines.append("")
    return RawDocument("\n".join(lines), markdown=True)
