"""Answer composition: marked sentences, source line, home-first ordering, the no-answer message."""

from __future__ import annotations

import pytest

from bot.answer import Answer, AnswerComposer, render_text
from bot.assistant import Assistant
from bot.search import Hit, SearchResult
from index.documents import Passage
from index.text import terms

LABELS = {
    "heim": "Heim kommune – styringsdokument",
    "ks": "KS – nasjonal veileder",
    "lev": "Levanger kommune – saksframlegg",
}


def _passage(doc: str, owner: str, text: str, section: tuple[str, ...] = ("3.1 Delegering",)) -> Passage:
    return Passage(
        id=f"{doc}#0", document_id=doc, title=f"Tittel {doc}", owner=owner, heading_path=section, position=0, text=text
    )


def _composer() -> AnswerComposer:
    return AnswerComposer(
        home="Heim kommune", hr_contact="HR på 12345678", labels=LABELS, idf=lambda t: 1.0, terms=lambda x: terms(x)
    )


HEIM = _passage(
    "heim",
    "Heim kommune",
    "Delegering vil si overføring av myndighet. Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen "
    "med ansvaret. Dette gjelder alle ledd. Været er fint.",
)
KS = _passage(
    "ks",
    "KS (Kommunesektorens organisasjon)",
    "Rådmannen delegerer ansvar og myndighet til ledere.",
    ("Å skape tillit",),
)
LEV = _passage("lev", "Levanger kommune", "Rådmannen har myndighet til å vedta ny ledelsesplattform.", ("Vurdering",))


@pytest.mark.unit
def test_sentences_are_marked_and_sourced() -> None:
    result = SearchResult("Hvem har ansvaret når myndighet delegeres?", True, (Hit(HEIM, 1.0, 0.9, 5.0),), 0.1, 0.0)
    answer = _composer().compose(result)
    assert answer.answered
    assert answer.sentences == ("Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen med ansvaret.",)
    assert answer.source is not None and answer.source.line() == (
        "Kilde: Tittel heim, 3.1 Delegering – Heim kommune – styringsdokument"
    )
    text = render_text(answer)
    assert "»Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen med ansvaret.«" in text
    assert "Været er fint." in text  # the passage around the sentence, unmarked
    assert answer.example_from is None


@pytest.mark.unit
def test_home_municipality_leads_when_nearly_as_good() -> None:
    hits = (Hit(KS, 1.0, 0.90, 3.0), Hit(HEIM, 0.9, 0.88, 2.0), Hit(LEV, 0.8, 0.87, 1.0))
    answer = _composer().compose(SearchResult("Hvem delegerer myndighet?", True, hits, 0.1, 0.0))
    assert answer.source is not None and answer.source.document_id == "heim"
    assert [s.document_id for s in answer.see_also] == ["ks", "lev"]
    assert "Se også: Tittel ks, Å skape tillit – KS – nasjonal veileder" in render_text(answer)


@pytest.mark.unit
def test_other_municipality_is_marked_as_example() -> None:
    hits = (Hit(LEV, 1.0, 0.90, 3.0), Hit(HEIM, 0.9, 0.80, 2.0))
    answer = _composer().compose(SearchResult("Hvem vedtar ledelsesplattformen?", True, hits, 0.1, 0.0))
    assert answer.source is not None and answer.source.document_id == "lev"
    assert answer.example_from == "Levanger kommune"
    assert render_text(answer).startswith("(Eksempel fra Levanger kommune)")
    assert answer.see_also == ()  # Heim's passage is far from the question: no "Se også"


@pytest.mark.unit
def test_no_answer_message() -> None:
    answer = _composer().compose(SearchResult("Hva er lunsjmenyen?", False, (Hit(HEIM, 1.0, 0.7, 0.0),), -0.1, 0.0))
    assert not answer.answered
    text = render_text(answer)
    assert text.startswith("Jeg fant ikke noe sikkert svar")
    assert "spørre på en annen måte" in text
    assert "HR på 12345678" in text
    assert "Delegering" not in text  # nothing from a passage it is not sure of


@pytest.mark.unit
def test_lead_in_brings_its_list_items() -> None:
    passage = _passage(
        "heim",
        "Heim kommune",
        "Begrepet er viktig.\nMed lojalitet forstår vi:\n- Snakke med og ikke om.\n- Stå for avgjørelser.\nAndre ting.",
        ("10.1 Lojalitet",),
    )
    sentences = _composer().best_sentences("Hva forstår vi med lojalitet?", passage)
    assert sentences == ["Med lojalitet forstår vi:", "- Snakke med og ikke om.", "- Stå for avgjørelser."]


@pytest.mark.integration
def test_real_answer_for_delegation_block(assistant: Assistant) -> None:
    answer = assistant.ask("Hva er en delegeringssperre?")
    assert answer.answered and answer.source is not None
    assert answer.source.document_id == "heim-styring-og-ledelse"
    assert any("delegeringssperre" in s for s in answer.sentences)
    assert "Enhetsleder / stabsleder selv" in answer.passage


@pytest.mark.integration
@pytest.mark.parametrize("text", ["", "   ", "<@U0123ABC>", ":tada: :wave:", "!!! ???"])
def test_input_without_a_question(assistant: Assistant, text: str) -> None:
    answer = assistant.ask(text)
    assert answer.invalid and not answer.answered
    assert render_text(answer).startswith(("Skriv et spørsmål", "Jeg fant ingen ord"))


@pytest.mark.integration
def test_huge_question_is_cut_and_still_answered(assistant: Assistant) -> None:
    answer = assistant.ask("Hva er en delegeringssperre? " + "bla " * 10_000)
    assert isinstance(answer, Answer)
    assert answer.note is not None and "de første" in answer.note
