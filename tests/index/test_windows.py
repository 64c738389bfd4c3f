"""What of a passage can answer: a box of reflection questions never does, the text after it does."""

from __future__ import annotations

import pytest

from index.documents import Passage
from index.windows import content_flags, is_answer_candidate, is_content, is_text, passage_windows, sentences_of

pytestmark = pytest.mark.unit


def _passage(text: str, heading: str) -> Passage:
    return Passage("p", "d", "Guide", "KS", ("Kjernen i god ledelse", heading), 0, text)


BOX = (
    "Hvilken av de ulike rollene trives du best i, og hvorfor?\n"
    "- Tenk deg en situasjon der rollene kommer i konflikt med hverandre.\n"
    "Hva gjør du da?\n"
)
AFTER = "Uklare rolleavklaringer kan oppleves frustrerende for alle. Tydelige roller reduserer stress og konflikter."


def test_a_box_of_questions_ends_with_its_last_question() -> None:
    passage = _passage(BOX + AFTER, "TIL REFLEKSJON")
    sentences = sentences_of(passage)
    shown = [s for s, ok in zip(sentences, content_flags(passage), strict=True) if ok]
    assert shown == [
        "Uklare rolleavklaringer kan oppleves frustrerende for alle.",
        "Tydelige roller reduserer stress og konflikter.",
    ]
    assert is_answer_candidate(passage)
    windows = passage_windows(passage, 0)
    assert windows and all("Tenk deg" not in w.text and "?" not in w.text for w in windows)


def test_a_box_alone_is_no_answer() -> None:
    assert not is_answer_candidate(_passage(BOX, "TIL REFLEKSJON"))
    assert passage_windows(_passage(BOX, "TIL REFLEKSJON"), 0) == []


def test_a_title_naming_reflection_is_not_a_box() -> None:
    # A book called "Refleksjonshåndbok …" is described in statements: they answer.
    passage = _passage(
        "I boken finner du stoff om lederrollen og etikk i helse- og omsorgstjenestene.", "Refleksjonshåndbok"
    )
    assert is_answer_candidate(passage)


def test_reference_lists_are_no_answer() -> None:
    passage = _passage(
        "(2001): Norske ledere i omskiftelige tider, Bergen, Fagbokforlaget og flere andre steder.", "Referanseliste"
    )
    assert not is_answer_candidate(passage)


@pytest.mark.unit
def test_a_lead_in_with_its_items_flattened_onto_its_line_is_a_sentence() -> None:
    # A PDF put the list on the lead-in's line: the items are the answer.
    assert is_content("Sentrale kommunale styringsdokumenter er: Kommuneplan Økonomiplan Årsbudsjett Utviklingsplan")
    # Labels of a figure, or a heading with a colon, are still no sentence.
    assert not is_content("Enhetsoppgaver Faglig ledelse Økonomistyring Personalledelse")
    assert not is_content("KART OG TERRENG FOR KOMMUNAL LEDELSE: FRIVILLIG SEKTOR")


@pytest.mark.unit
def test_short_sentences_read_as_text_but_table_debris_does_not() -> None:
    assert is_text("Disse benevnes styringsgruppe.") and not is_content("Disse benevnes styringsgruppe.")
    debris = ("Saksgang UtvalgMøtedatoSaksnr.", "32 Referanseliste ..... 4", "(2013): Strategisk ledelse.", "1 Y a")
    for line in debris:
        assert not is_text(line), line
    assert not is_text("Hva mener du om dette?") and not is_text("Les mer på www.ks.no/tillit.")


@pytest.mark.unit
@pytest.mark.parametrize(
    "line",
    [
        "Kapittel 3 Ledelse og styring: Delegering",
        "Vedlegg 2 Oversikt over fullmakter: Rådmann Kommunalsjef Enhetsleder",
        "Du er her: Forside Tjenester Organisasjon Ledelse",
        "Del denne siden: Facebook Twitter LinkedIn E-post",
    ],
)
def test_a_heading_or_site_chrome_with_a_colon_is_no_flattened_list(line: str) -> None:
    assert not is_content(line) and not is_text(line)
    # The commit's own example still is one.
    assert is_content("Sentrale kommunale styringsdokumenter er: Kommuneplan Økonomiplan Årsbudsjett Utviklingsplan")


@pytest.mark.unit
@pytest.mark.parametrize(
    "line", ["Saker arkiveres i ePhorte.", "Lederne bruker iPhone.", "Søknaden sendes i eByggesak."]
)
def test_a_brand_name_is_no_table_debris(line: str) -> None:
    assert is_text(line)
