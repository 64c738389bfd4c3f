"""OCR repair: measured on the Heim document, and on words it must and must not touch."""

from __future__ import annotations

import re

import pytest

from index.clean import clean_text
from index.ingest import Corpus
from index.ocr import NorwegianLexicon, OcrRepairer
from tests.conftest import KNOWLEDGE

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def repairer() -> OcrRepairer:
    lexicon = NorwegianLexicon()
    for name in (
        "ks-guide-til-god-ledelse.md",
        "lorenskog-lederplattform.txt",
        "levanger-ledelsesplattform.txt",
        "trondheim-helhetlig-ledelse.txt",
    ):
        lexicon.add_corpus_words(re.findall(r"[^\W\d_]+", (KNOWLEDGE / name).read_text(encoding="utf-8")))
    return OcrRepairer(lexicon)


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("radmannen", "rådmannen"),
        ("Rddmannen", "Rådmannen"),
        ("rdidmannen", "rådmannen"),
        ("gjennomfere", "gjennomføre"),
        ("@konomi", "Økonomi"),
        ("brukerundersgkelser", "brukerundersøkelser"),
        ("giennom", "gjennom"),
        ("mélstyring", "målstyring"),
        ("tonivamodellen", "tonivåmodellen"),
    ],
)
def test_damaged_words_are_repaired(repairer: OcrRepairer, damaged: str, repaired: str) -> None:
    assert repairer.repair_word(damaged, real_words=True) == repaired


@pytest.mark.parametrize("word", ["delegering", "myndighet", "Levanger", "IKT", "operasjonalisert", "for", "lov"])
def test_correct_words_are_left_alone(repairer: OcrRepairer, word: str) -> None:
    assert repairer.repair(word, damaged=True) == word


def test_real_word_errors_only_in_damaged_text(repairer: OcrRepairer) -> None:
    line = "Resultatet ma veies opp mot malene."
    assert repairer.repair(line, damaged=True) == "Resultatet må veies opp mot målene."
    assert repairer.repair(line, damaged=False) == line


def test_digits_bullets_and_ampersand(repairer: OcrRepairer) -> None:
    text = "e Snakke med — og ikke om.\nDet er viktig at dokumentet forankres 1 kommunestyret og & folge opp."
    fixed = repairer.repair(text, damaged=True)
    assert fixed.startswith("- Snakke med")
    assert "forankres i kommunestyret" in fixed
    assert "å følge opp" in fixed


def test_urls_are_not_words(repairer: OcrRepairer) -> None:
    assert (
        repairer.repair("https://no.wikipedia.org/wiki/Fullmakt", damaged=True)
        == "https://no.wikipedia.org/wiki/Fullmakt"
    )


def test_heim_document_before_and_after(repairer: OcrRepairer) -> None:
    raw = clean_text((KNOWLEDGE / "heim-styring-og-ledelse.txt").read_text(encoding="utf-8"))
    assert repairer.damage_rate(raw) > 0.03
    fixed = repairer.repair(raw, damaged=True)
    report = repairer.report(raw, fixed, damaged=True)
    assert report.share_before < 0.95
    assert report.share_after > 0.99
    flat = " ".join(fixed.split())
    assert "Ledere på fullmaktsnivå 2 kan videredelegere" in flat
    assert "Rådmannen delegerer myndighet til en enhetsleder eller stabsleder, men sitter igjen med ansvaret" in flat


def test_clean_documents_are_not_damaged(repairer: OcrRepairer) -> None:
    text = (KNOWLEDGE / "ks-guide-til-god-ledelse.md").read_text(encoding="utf-8")
    assert repairer.damage_rate(text) < 0.005


def test_ingestion_repairs_only_the_scanned_document(corpus: Corpus) -> None:
    reports = {d.meta.id: d.ocr for d in corpus.documents}
    assert reports["heim-styring-og-ledelse"] is not None
    assert reports["heim-styring-og-ledelse"].share_after > reports["heim-styring-og-ledelse"].share_before
    assert all(r is None for doc_id, r in reports.items() if doc_id != "heim-styring-og-ledelse")
