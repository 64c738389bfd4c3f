"""OCR repair: measured on the Heim document, and on words it must and must not touch."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from index.clean import clean_text
from index.ingest import Corpus, Ingestor
from index.lexicon import NorwegianLexicon
from index.ocr import OcrRepairer
from index.scan import ScanDetector
from index.structure import plain_blocks, sections
from tests.conftest import KNOWLEDGE, ROOT

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def lexicon() -> NorwegianLexicon:
    lexicon = NorwegianLexicon()
    for name in (
        "ks-guide-til-god-ledelse.md",
        "lorenskog-lederplattform.txt",
        "levanger-ledelsesplattform.txt",
        "trondheim-helhetlig-ledelse.txt",
    ):
        text = (KNOWLEDGE / name).read_text(encoding="utf-8")
        lexicon.add_corpus_words(re.findall(r"[^\W\d_]+", text))
        lexicon.add_corpus_text([text])
    return lexicon


@pytest.fixture(scope="module")
def repairer(lexicon: NorwegianLexicon) -> OcrRepairer:
    return OcrRepairer(lexicon)


@pytest.fixture(scope="module")
def detector(lexicon: NorwegianLexicon) -> ScanDetector:
    return ScanDetector(lexicon)


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


def test_heim_document_before_and_after(repairer: OcrRepairer, detector: ScanDetector) -> None:
    raw = clean_text((KNOWLEDGE / "heim-styring-og-ledelse.txt").read_text(encoding="utf-8"))
    assert detector.scan(raw).rate > 0.03
    fixed = repairer.repair(raw, damaged=True)
    report = repairer.report(raw, fixed)
    assert report.share_before < 0.95
    assert 0.99 < report.share_after <= 1.0  # a share of the words after (split glued words count)
    flat = " ".join(fixed.split())
    assert "Ledere på fullmaktsnivå 2 kan videredelegere" in flat
    assert "Rådmannen delegerer myndighet til en enhetsleder eller stabsleder, men sitter igjen med ansvaret" in flat


def test_clean_documents_are_not_damaged(detector: ScanDetector) -> None:
    text = (KNOWLEDGE / "ks-guide-til-god-ledelse.md").read_text(encoding="utf-8")
    assert detector.scan(text).rate < 0.005


def test_ingestion_repairs_only_the_scanned_document(corpus: Corpus) -> None:
    reports = {d.meta.id: d.ocr for d in corpus.documents}
    assert reports["heim-styring-og-ledelse"] is not None
    assert reports["heim-styring-og-ledelse"].share_after > reports["heim-styring-og-ledelse"].share_before
    assert all(r is None for doc_id, r in reports.items() if doc_id != "heim-styring-og-ledelse")


# -- scan detection in both written standards (texts written here, in the shapes of real ones) --------

NYNORSK = (
    "Delegeringsreglementet vart vedteke av kommunestyret i juni. Reglementet vert nytta når "
    "kommunedirektøren gjer vedtak i såkalla kurante saker, og det nærast same gjeld for "
    "einingsleiarane. All delegert mynde må brukast i samsvar med lover, føresegner og "
    "retningsliner gjevne av overordna organ, og innanfor budsjettrammene og føresetnadene "
    "for tenestene. Organ som får oppgåver gjennom delegering, har høve til å delegere vidare "
    "til underordna organ, med mindre det er sagt noko anna. Kommunestyret kan so gjere om "
    "vedtak som er gjorde etter delegert mynde, og kan når som helst ta myndigheita tilbake."
)
BOKMAL_SCAN = (
    "Radmannen har ansvar for at vedtak blir gjennomfert. Enhetslederne far delegert myndighet "
    "fra rddmannen og ma felge opp oppgavene i sin enhet. Delegeringen skal veere skriftlig, og "
    "den som delegerer star fortsatt til ansvar for at myndigheten blir utevd pa en forsvarlig "
    "mate. Lederne skal serge for at medarbeiderne er kjent med reglementet og at arbeidet "
    "gjennomferes innenfor de rammer som er gitt av kommunestyret og rddmannen."
)


def _knowledge(tmp_path: Path, files: dict[str, tuple[str, str]]) -> Path:
    lines = ["documents:"]
    for name, (text, language) in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        lines += [f"  {name}:", f"    title: {name}", "    owner: Fjellvik kommune", f"    language: {language}"]
    (tmp_path / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def ingestor() -> Ingestor:
    ingestor = Ingestor(default_owner="Fjellvik kommune")
    ingestor.load()
    return ingestor


def test_clean_nynorsk_document_goes_through_unchanged(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = _knowledge(tmp_path, {"delegering-nn.txt": (f"Delegering\n\n{NYNORSK}\n", "nn")})
    (doc,) = ingestor.prepare_folder(folder)
    assert doc.ocr is None
    assert doc.text == f"Delegering\n\n{NYNORSK}\n"  # not one word changed: vedteke, vert, såkalla, so ...


def test_scanned_document_is_repaired(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = _knowledge(tmp_path, {"delegering-scan.txt": (f"Delegering\n\n{BOKMAL_SCAN}\n", "nb")})
    (doc,) = ingestor.prepare_folder(folder)
    assert doc.ocr is not None and doc.ocr.share_after > doc.ocr.share_before
    for word in ("Rådmannen", "gjennomført", "rådmannen", "følge", "utøvd", "sørge", "gjennomføres"):
        assert word in doc.text


def test_mixed_document_is_repaired_only_where_it_is_scanned(tmp_path: Path, ingestor: Ingestor) -> None:
    text = f"Delegering\n\n{NYNORSK}\n\n{NYNORSK}\n\nVedlegg\n\n{BOKMAL_SCAN}\n\n{BOKMAL_SCAN}\n"
    folder = _knowledge(tmp_path, {"blanda.txt": (text, "nn")})
    (doc,) = ingestor.prepare_folder(folder)
    assert doc.text.startswith(f"Delegering\n\n{NYNORSK}\n\n{NYNORSK}\n\n")  # the clean pages untouched
    assert "Radmannen" not in doc.text and "Rådmannen har ansvar" in doc.text


def test_digit_one_read_for_i_across_a_line_break(repairer: OcrRepairer) -> None:
    text = "Det er viktig at dokumentet forankres 1\nkommunestyret. 1 praksis er det slik.\nNivå 1 og 2 gjelder."
    fixed = repairer.repair(text, damaged=True)
    assert "forankres i\nkommunestyret. I praksis" in fixed
    assert "Nivå 1 og 2" in fixed  # a number that counts stays


def test_letters_written_as_their_ascii_pairs_are_repaired_in_damaged_text(repairer: OcrRepairer) -> None:
    text = "Verdiene skal vaere synlige og sikre gjennomfoering av noe av det paa temaer og arenaer."
    fixed = repairer.repair(text, damaged=True)
    assert fixed == "Verdiene skal være synlige og sikre gjennomføring av noe av det på temaer og arenaer."
    assert repairer.repair(text, damaged=False).count("vaere") == 1  # a clean text is the author's


def test_i_and_aa_read_as_digits_or_a_before_names_and_infinitives(repairer: OcrRepairer) -> None:
    text = (
        "Styring i Heim kommune er beskrevet for alle ledere i Heim.\n"
        "Med lojalitet 1 Heim forstår vi:\n*A være lojal betyr mye. Sjansene for 4 lykkes blir mindre.\n"
        "Se kapittel 1 Innledning. Plattformen har 4 verdier på nivå 1 og 2."
    )
    fixed = repairer.repair(text, damaged=True)
    assert "lojalitet i Heim" in fixed and "\nÅ være lojal" in fixed and "for å lykkes" in fixed
    assert "kapittel 1 Innledning" in fixed and "har 4 verdier" in fixed and "nivå 1 og 2" in fixed


def test_a_numbered_heading_is_not_read_as_i(repairer: OcrRepairer) -> None:
    text = "Styring og ledelse i Heim kommune\n\n1 Innledning\n\nDette dokumentet beskriver styringen.\n"
    fixed = repairer.repair(text, damaged=True)
    assert "\n1 Innledning\n" in fixed
    assert ("1 Innledning",) in {s.heading_path for s in sections(plain_blocks(fixed))}


@pytest.mark.parametrize(
    "text",
    [
        "Kapittel 1 Innledning beskriver planen.",
        "Nivå 1 Rådmannen har ansvar.",
        "Gruppe 1 Rådmannen og ledergruppen.",
        "Tiltak 1 Opplæring startet i fjor.",
        "Se Vedlegg 1 Delegeringsreglement.",
        "Tiltak 4 gjennomføres i 2021.",
        "Sak 4 behandles i neste møte.",
        "Enhet A ledes av rådmannen. A ledes av rådmannen.",
        "Kotter (1996). A force for change.",
        "Samarbeidet med St. Olavs hospital er godt.",
        "Rådmann Paal Boe og Kaare Staal leder arbeidet.",
    ],
)
def test_counts_names_and_abbreviations_in_a_scan_stay_as_written(repairer: OcrRepairer, text: str) -> None:
    assert repairer.repair(text, damaged=True) == text


def test_abbreviations_are_not_misread_words(repairer: OcrRepairer) -> None:
    text = "Føringene står i avtalens (pkt. 6), to ganger pr. år. Målene skal nds. De skal også"
    fixed = repairer.repair(text, damaged=True)
    assert "(pkt. 6)" in fixed and "pr. år" in fixed  # not "økt." and "på." (a vowel-less abbreviation)
    assert "nås. De" in fixed  # a misread word that ends its sentence is still repaired


def test_real_word_error_mended_by_its_neighbours(repairer: OcrRepairer) -> None:
    # "mal" is a word (a template), but next to "og" and "strategier" the clean documents say "mål".
    assert "mål og strategier" in repairer.repair("Kommunen setter mal og strategier for arbeidet.", damaged=True)
    assert repairer.repair("Kommunen setter mal og strategier for arbeidet.", damaged=False).count("mal og") == 1


def test_index_text_command_prints_what_the_chunker_receives(tmp_path: Path) -> None:
    (tmp_path / "k").mkdir()
    folder = _knowledge(tmp_path / "k", {"delegering-nn.txt": (f"Delegering\n\n{NYNORSK}\n", "nn")})
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDERBOT_")}
    env.update(LEDERBOT_DATA_DIR=str(tmp_path / "data"), LEDERBOT_INDEX__KNOWLEDGE_DIR=str(folder))
    command = [sys.executable, "-m", "handlers.cli", "index", "text"]
    out = subprocess.run([*command, "delegering-nn"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout == f"Delegering\n\n{NYNORSK}\n"
    missing = subprocess.run([*command, "finnes-ikke"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2
    assert "Fant ikke dokumentet 'finnes-ikke'" in missing.stderr and "delegering-nn" in missing.stderr
