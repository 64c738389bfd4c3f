"""Each input format is read into text with its headings, from fixtures made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import Ingestor
from index.readers import read_file
from index.structure import markdown_blocks, plain_blocks, sections

pytestmark = pytest.mark.unit

DELEGATION = (
    "Delegering vil si overføring av myndighet. Ansvaret vil ligge igjen hos den som avgir myndighet. "
    "Enhetslederen kan videredelegere hvis det ikke er lagt inn en delegeringssperre."
)


def _headings(blocks: list) -> list[str]:
    return [b.text for b in blocks if b.is_heading]


def test_markdown_headings_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "plattform.md"
    path.write_text(
        f"# Lederplattform\n\n## **Delegering**\n\n{DELEGATION}\n\n- Tydelig\n- Engasjert\n", encoding="utf-8"
    )
    raw = read_file(path)
    blocks = markdown_blocks(raw.text)
    assert _headings(blocks) == ["Lederplattform", "Delegering"]
    assert any(b.text == "- Tydelig\n- Engasjert" for b in blocks)
    found = sections(blocks)
    assert found[0].heading_path == ("Lederplattform", "Delegering")


def test_plain_text_numbered_sections(tmp_path: Path) -> None:
    path = tmp_path / "styring.txt"
    path.write_text(
        f"3. Enhetsoppgavene\nTekst om enhetene her som er lang nok.\n\n3.1 Delegering\n\n{DELEGATION}\n",
        encoding="utf-8",
    )
    blocks = plain_blocks(read_file(path).text)
    assert _headings(blocks) == ["3 Enhetsoppgavene", "3.1 Delegering"]
    found = sections(blocks)
    assert found[-1].heading_path == ("3 Enhetsoppgavene", "3.1 Delegering")


def test_numbered_list_is_not_a_heading() -> None:
    blocks = plain_blocks(
        "Kjernekompetanser:\n\n 1. Organisasjonsforståelse\n 2. Personalforvaltning og HMS\n 3. Økonomistyring\n"
    )
    assert _headings(blocks) == []


def test_html_keeps_content_and_drops_navigation(tmp_path: Path) -> None:
    path = tmp_path / "side.html"
    path.write_text(
        "<html><head><title>Delegering</title></head><body>"
        "<nav><ul><li><a href='/'>Forsiden</a></li><li><a href='/meny'>Globalmeny</a></li></ul></nav>"
        f"<main><article><h1>Delegering i kommunen</h1><p>{DELEGATION}</p>"
        f"<h2>Lojalitet</h2><p>{DELEGATION.replace('Delegering', 'Lojalitet')}</p></article></main>"
        "<footer>Postadresse: Boks 1, 7600 Levanger. Telefon 74 00 00 00</footer></body></html>",
        encoding="utf-8",
    )
    raw = read_file(path)
    assert raw.markdown
    assert "delegeringssperre" in raw.text
    assert "Globalmeny" not in raw.text and "Postadresse" not in raw.text
    assert "Lojalitet" in _headings(markdown_blocks(raw.text))


def test_pdf_text(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "delegering.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 800, "3.1 Delegering")
    pdf.drawString(72, 770, "Delegering vil si overføring av myndighet.")
    pdf.drawString(72, 755, "Ansvaret vil ligge igjen hos den som avgir myndighet.")
    pdf.showPage()
    pdf.drawString(72, 800, "10.1 Lojalitet")
    pdf.drawString(72, 770, "Å være lojal betyr å snakke med og ikke om.")
    pdf.save()
    raw = read_file(path)
    assert not raw.markdown
    assert "overføring av myndighet" in raw.text
    assert "Å være lojal" in raw.text
    assert "10.1 Lojalitet" in _headings(plain_blocks(raw.text))


def test_docx_heading_styles(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Lederplattform", level=1)
    document.add_heading("Delegering", level=2)
    document.add_paragraph(DELEGATION)
    document.add_paragraph("Tydelig", style="List Bullet")
    path = tmp_path / "plattform.docx"
    document.save(str(path))
    raw = read_file(path)
    blocks = markdown_blocks(raw.text)
    assert _headings(blocks) == ["Lederplattform", "Delegering"]
    assert any("delegeringssperre" in b.text for b in blocks)
    assert any(b.text == "- Tydelig" for b in blocks)


def test_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "tabell.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(ValueError, match="xlsx"):
        read_file(path)


def test_dropped_file_is_ingested_without_metadata(tmp_path: Path) -> None:
    (tmp_path / "ny-rutine.md").write_text(f"# Ny rutine for delegering\n\n{DELEGATION}\n", encoding="utf-8")
    corpus = Ingestor(default_owner="Heim kommune").ingest_folder(tmp_path)
    [doc] = corpus.documents
    assert doc.meta.id == "ny-rutine"
    assert doc.meta.title == "Ny rutine for delegering"
    assert doc.meta.owner == "Heim kommune"
    assert doc.passages and doc.passages[0].heading_path == ("Ny rutine for delegering",)
