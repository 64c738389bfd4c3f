"""Answer composition: marked sentences, the shown window, sources, "Se også", tiers, follow-ups,
and sentence choice over every passage of the real index."""

from __future__ import annotations

import dataclasses
import json
import re
import threading

import numpy as np
import pytest

from bot.answer import Answer, AnswerComposer, ComposeSettings, render_text, shown_passage
from bot.assistant import FOLLOW_UP_SECONDS, Assistant, is_follow_up
from bot.config import Settings
from bot.search import FOLLOW_UP_WEIGHT, Hit, SearchResult
from index.chunk import CARRIED, split_sentences
from index.documents import Passage
from index.text import terms
from index.windows import is_content, is_question, is_text

LABELS = {
    "heim": "Heim kommune – styringsdokument",
    "ks": "KS – nasjonal veileder",
    "lev": "Levanger kommune – saksframlegg",
}
OWNERS = {"Heim kommune": "", "KS (Kommunesektorens organisasjon)": "KS", "Levanger kommune": ""}


def _passage(doc: str, owner: str, text: str, section: tuple[str, ...] = ("3.1 Delegering",)) -> Passage:
    return Passage(
        id=f"{doc}#0", document_id=doc, title=f"Tittel {doc}", owner=owner, heading_path=section, position=0, text=text
    )


def _composer(**settings: float) -> AnswerComposer:
    return AnswerComposer(
        home="Heim kommune",
        hr_contact="HR på 12345678",
        labels=LABELS,
        idf=lambda t: 1.0,
        terms=lambda x: terms(x),
        national=frozenset({"ks"}),
        owners=OWNERS,
        settings=ComposeSettings(**settings),
    )


def _result(question: str, hits: tuple[Hit, ...], tier: str = "sure") -> SearchResult:
    return SearchResult(question, tier != "none", hits, 0.9, 0.0, tier=tier)


HEIM = _passage(
    "heim",
    "Heim kommune",
    "Delegering vil si overføring av myndighet. Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen "
    "med ansvaret. Dette gjelder alle ledd i organisasjonen. Se https://no.wikipedia.org/wiki/Delegering for mer.",
)
KS = _passage(
    "ks",
    "KS (Kommunesektorens organisasjon)",
    "Rådmannen delegerer ansvar og myndighet til ledere i organisasjonen.",
    ("Å skape tillit",),
)
LEV = _passage("lev", "Levanger kommune", "Rådmannen har myndighet til å vedta ny ledelsesplattform.", ("Vurdering",))


@pytest.mark.unit
def test_sentences_are_marked_and_sourced_without_links() -> None:
    answer = _composer().compose(_result("Hvem har ansvaret når myndighet delegeres?", (Hit(HEIM, 1.0, 0.9, 5.0),)))
    assert answer.answered and answer.tier == "sure"
    assert answer.sentences == ("Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen med ansvaret.",)
    assert answer.source is not None and answer.source.line() == (
        "Kilde: Tittel heim, 3.1 Delegering – Heim kommune – styringsdokument"
    )
    text = render_text(answer)
    assert text.splitlines()[0] == "Dette sier dokumentene:"
    assert "»Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen med ansvaret.«" in text
    assert "Dette gjelder alle ledd" in answer.passage  # the passage around the sentence, unmarked
    assert "wikipedia" not in answer.passage and "wikipedia" in answer.full_passage  # "Vis mer" has all
    assert answer.origin == ""  # the home municipality's own passage: no "Eksempel fra …"


@pytest.mark.unit
def test_home_leads_only_within_the_fitted_margin() -> None:
    hits = (Hit(KS, 1.0, 0.90, 3.0), Hit(HEIM, 0.99, 0.88, 2.0), Hit(LEV, 0.98, 0.87, 1.0))
    question = "Hvem delegerer myndighet?"
    near = _composer(home_margin=0.02, see_also_margin=0.05).compose(_result(question, hits))
    assert near.source is not None and near.source.document_id == "heim"
    assert [s.document_id for s in near.see_also] == ["ks", "lev"]
    assert all(s.sentence for s in near.see_also)  # each "Se også" with its best sentence
    assert "Se også: Tittel ks, Å skape tillit – KS – nasjonal veileder" in render_text(near)
    assert "«Rådmannen delegerer ansvar og myndighet til ledere i organisasjonen.»" in render_text(near)
    far = _composer(home_margin=0.0, see_also_margin=0.005).compose(_result(question, hits))
    assert far.source is not None and far.source.document_id == "ks"
    assert far.see_also == ()  # nothing else is nearly as good


@pytest.mark.unit
def test_see_also_may_name_another_section_of_the_same_document() -> None:
    levels = _passage(
        "heim",
        "Heim kommune",
        "Enhetsleder kan delegere videre til avdelingsleder innenfor sin fullmakt.",
        ("3.2 Fullmakter",),
    )
    hits = (Hit(HEIM, 1.0, 0.9, 3.0), Hit(dataclasses.replace(levels, id="heim#7"), 0.99, 0.88, 2.0))
    answer = _composer(see_also_margin=0.05).compose(_result("Kan enhetslederen delegere videre?", hits))
    assert answer.source is not None and answer.source.section == "3.1 Delegering"
    assert [(s.document_id, s.section) for s in answer.see_also] == [("heim", "3.2 Fullmakter")]
    assert answer.see_also[0].sentence == "Enhetsleder kan delegere videre til avdelingsleder innenfor sin fullmakt."


@pytest.mark.unit
def test_see_also_may_name_the_next_passage_of_the_leads_section_but_not_what_the_lead_shows() -> None:
    # A long section is two passages that overlap by a sentence: the overlap is no "Se også", the
    # rest of the section may be.
    overlap = dataclasses.replace(
        HEIM, id="heim#1", text="Rådmannen delegerer myndighet til en enhetsleder, men sitter igjen med ansvaret."
    )
    rest = dataclasses.replace(
        HEIM, id="heim#2", text="Enhetsleder kan videredelegere sin myndighet hvis det ikke er lagt inn en sperre."
    )
    hits = (Hit(HEIM, 1.0, 0.9, 3.0), Hit(overlap, 0.998, 0.89, 2.0), Hit(rest, 0.995, 0.89, 2.0))
    answer = _composer(see_also_margin=0.05).compose(_result("Kan enhetslederen delegere videre?", hits))
    assert [(s.document_id, s.section, s.sentence) for s in answer.see_also] == [
        ("heim", "3.1 Delegering", "Enhetsleder kan videredelegere sin myndighet hvis det ikke er lagt inn en sperre.")
    ]


@pytest.mark.unit
def test_a_sentence_cut_short_by_a_page_break_is_no_see_also() -> None:
    cut = _passage(
        "ks", "KS (Kommunesektorens organisasjon)", "Dine medarbeidere må bruke unødvendig tid til", ("Tid",)
    )
    item = _passage("lev", "Levanger kommune", "- Rådmannen delegerer til enhetsleder", ("Vurdering",))
    hits = (Hit(HEIM, 1.0, 0.9, 3.0), Hit(cut, 0.99, 0.88, 2.0), Hit(item, 0.98, 0.88, 2.0))
    answer = _composer(see_also_margin=0.05).compose(_result("Hvem delegerer myndighet?", hits))
    assert [s.sentence for s in answer.see_also] == [
        "- Rådmannen delegerer til enhetsleder"
    ]  # an item needs no full stop


@pytest.mark.unit
def test_national_guidance_and_other_municipalities_are_labelled() -> None:
    ks = _composer().compose(_result("Hvem delegerer ansvar?", (Hit(KS, 1.0, 0.9, 3.0),)))
    assert ks.origin == "Nasjonal veiledning fra KS"
    assert "Eksempel" not in render_text(ks)
    lev = _composer().compose(_result("Hvem vedtar ledelsesplattformen?", (Hit(LEV, 1.0, 0.9, 3.0),)))
    assert lev.origin == "Eksempel fra Levanger kommune"
    assert render_text(lev).startswith("(Eksempel fra Levanger kommune)")


@pytest.mark.unit
def test_a_named_municipality_leads() -> None:
    hits = (Hit(HEIM, 1.0, 0.9, 3.0), Hit(LEV, 0.9, 0.8, 2.0))
    answer = _composer(home_margin=0.5).compose(_result("Hvem har myndighet i Levanger?", hits))
    assert answer.source is not None and answer.source.document_id == "lev"


@pytest.mark.unit
def test_a_follow_up_naming_another_municipality_drops_the_first_from_its_context() -> None:
    composer = _composer()
    context = "Hva er lederplattformen i Heim kommune?"
    # Typed without æøå, the name is still the name.
    assert composer.without_other_owners(context, "og i levanger?") == "Hva er lederplattformen i?"
    assert composer.without_other_owners(context, "og hva med enhetslederne?") == context
    assert composer.without_other_owners("Hva sier KS om tillit?", "og Heim?") == "Hva sier om tillit?"


@pytest.mark.unit
def test_unsure_is_said_plainly() -> None:
    answer = _composer().compose(_result("Hvem har ansvaret?", (Hit(HEIM, 1.0, 0.9, 5.0),), tier="unsure"))
    assert answer.answered and answer.tier == "unsure"
    assert render_text(answer).startswith("Jeg er ikke sikker, men dette er det nærmeste jeg fant:")
    assert answer.to_json()["confidence"] == "unsure"


@pytest.mark.unit
def test_no_answer_message() -> None:
    answer = _composer().compose(_result("Hva er lunsjmenyen?", (Hit(HEIM, 1.0, 0.7, 0.0),), tier="none"))
    assert not answer.answered
    text = render_text(answer)
    assert text.startswith("Jeg fant ikke noe sikkert svar")
    assert "spørre på en annen måte" in text
    assert "HR på 12345678" in text
    assert "Delegering" not in text  # nothing from a passage it is not sure of
    assert answer.to_json() == {
        "query": "Hva er lunsjmenyen?",
        "confidence": "none",
        "sentences": [],
        "passage": None,
        "see_also": [],
    }


@pytest.mark.unit
def test_lead_in_brings_what_it_introduces() -> None:
    passage = _passage(
        "heim",
        "Heim kommune",
        "Begrepet er viktig.\nMed lojalitet forstår vi:\n- Snakke med og ikke om.\n- Stå for avgjørelser.\nAndre ting.",
        ("10.1 Lojalitet",),
    )
    _, sentences = _composer().answer_sentences("Hva forstår vi med lojalitet?", passage, None)
    assert sentences == ["Med lojalitet forstår vi:", "- Snakke med og ikke om.", "- Stå for avgjørelser."]
    definition = _passage("heim", "Heim kommune", "Begrepet kan defineres slik:\nDe aktiviteter som settes i gang.")
    _, sentences = _composer().answer_sentences("Hvordan defineres begrepet?", definition, None)
    assert sentences == ["Begrepet kan defineres slik:", "De aktiviteter som settes i gang."]


@pytest.mark.unit
def test_a_window_inside_a_list_starts_at_the_list() -> None:
    items = [f"- Punkt {n} om god arbeidsgiverpolitikk i kommunen" for n in range(1, 12)]
    text = "Innledning om temaet her.\nDette kjennetegner en god politikk:\n" + "\n".join(items)
    passage = _passage("ks", "KS (Kommunesektorens organisasjon)", text)
    # Sentence 0 is the introduction, 1 the lead-in, 2.. the items; the best window is items 2-3.
    scored = [(0, 1, 0.80), (3, 2, 0.90), (10, 2, 0.85)]
    composer = AnswerComposer(
        home="Heim kommune",
        hr_contact="HR",
        labels=LABELS,
        idf=lambda t: 1.0,
        terms=lambda x: terms(x),
        windows=lambda p, v: scored,
        settings=ComposeSettings(lexical_weight=0.0),
    )
    _, sentences = composer.answer_sentences("Hva kjennetegner en god politikk?", passage, np.zeros(3))
    assert sentences == ["Dette kjennetegner en god politikk:", *items[:6]]  # a lead-in brings its items
    # Deep in a long list the window stays where it is: the list up to it is too long to show whole.
    scored[:] = [(10, 2, 0.9)]
    _, sentences = composer.answer_sentences("Hva kjennetegner en god politikk?", passage, np.zeros(3))
    assert sentences == items[8:10]


@pytest.mark.unit
def test_shown_passage_is_a_window_without_debris() -> None:
    text = "1 Y a - Lytte og\n" + " ".join(f"Setning nummer {i} handler om ledelse i kommunen." for i in range(40))
    shown = shown_passage(text, [20])
    assert "Setning nummer 19" in shown and "Setning nummer 20" in shown
    assert "1 Y a" not in shown and len(shown) < 1000 < len(text)


@pytest.mark.unit
def test_shown_passage_keeps_short_sentences_and_flattened_lists_but_no_table_debris() -> None:
    text = (
        "Prosjektet organiseres i linjen med deltakelse fra involverte ledere. Disse benevnes styringsgruppe. "
        "Planlegging skjer i prosjektorganisasjonen.\n"
        "Sentrale styringsdokumenter er: Kommuneplan Økonomiplan Årsbudsjett\n"
        "Saksgang UtvalgMøtedatoSaksnr.\n"
        "Ledere har et fag-, økonomi- og personalansvar i hele kommunen."
    )
    shown = shown_passage(text, [0])
    assert "Disse benevnes styringsgruppe." in shown and "Planlegging skjer" in shown
    assert "Kommuneplan Økonomiplan Årsbudsjett" in shown
    assert "UtvalgMøtedato" not in shown and "personalansvar" in shown


@pytest.mark.unit
def test_the_sentence_a_passage_repeats_from_the_one_before_is_shown_only_as_part_of_the_answer() -> None:
    text = (
        "Her kommer begrepene «kvalitetssikring» og «internkontroll» inn.\n"
        "Myndighet kan kun delegeres i linjen. Ledere på nivå 2 kan videredelegere sin myndighet."
    )
    assert shown_passage(text, [2], carried=True).startswith("Myndighet kan kun delegeres")
    assert shown_passage(text, [0, 1], carried=True).startswith("Her kommer begrepene")
    assert shown_passage(text, [2]).startswith("Her kommer begrepene")  # a passage's own first line


@pytest.mark.unit
def test_reflection_questions_listed_after_an_answer_are_not_shown_with_it() -> None:
    text = (
        "Ledere skal stå for verdiene og etterleve dem i hverdagen.\n"
        "- Hvordan kommer verdiene til uttrykk i ditt lederskap?\n"
        "- Tydelige mål og forventninger"
    )
    shown = shown_passage(text, [0])
    assert "Hvordan kommer" not in shown and "- Tydelige mål og forventninger" in shown


@pytest.mark.unit
def test_a_lead_in_brings_its_numbered_items() -> None:
    text = "Kompetansene er beskrevet slik:\n1. Organisasjonsforståelse\n2. Personalledelse og HMS\n3. Økonomistyring"
    passage = _passage("lev", "Levanger kommune", text)
    _, sentences = _composer().answer_sentences("Hvilke kompetanser er beskrevet?", passage, None)
    assert sentences == split_sentences(text)


@pytest.mark.unit
def test_follow_up_shape() -> None:
    assert is_follow_up("og hva med enhetsledere?")
    assert is_follow_up("what about loyalty?")
    assert is_follow_up("hvem bestemmer det?")
    assert not is_follow_up("Hvem kan delegere myndighet videre til enhetslederne i kommunen?")


@pytest.mark.integration
def test_sentence_choice_never_marks_a_heading_question_or_lone_lead_in(assistant: Assistant) -> None:
    """Over every answer passage of the real index, asked with its own heading and with its vector."""
    index = assistant.search_service.index
    composer = assistant.composer
    checked = 0
    for i, passage in enumerate(index.passages):
        if not index.answerable[i]:
            continue
        headings = set(passage.heading_path) | {passage.title}
        for question in (" ".join(passage.heading_path) or passage.title, "Hva sier dokumentet om dette?"):
            chosen, sentences = composer.answer_sentences(question, passage, np.asarray(index.vectors[i]))
            assert 1 <= len(chosen) <= 3 + 6, passage.id
            assert not any(s in headings for s in sentences), (passage.id, sentences)
            assert not any(is_question(s) for s in sentences), (passage.id, sentences)
            assert not (len(sentences) == 1 and sentences[0].endswith(":")), (passage.id, sentences)
            first = sentences[0]
            assert is_content(first) or first.startswith("- "), (passage.id, first)
            all_sentences = split_sentences(passage.text)
            assert chosen == sorted(chosen) and all(
                all_sentences[c] == s for c, s in zip(chosen, sentences, strict=True)
            )
            checked += 1
    assert checked > 200


@pytest.mark.integration
def test_shown_passages_hold_no_links_or_debris(assistant: Assistant) -> None:
    index = assistant.search_service.index
    short: set[str] = set()  # what is shown although it could not be an answer by itself
    for i, passage in enumerate(index.passages):
        if index.answerable[i]:
            chosen, _ = assistant.composer.answer_sentences(passage.title, passage, np.asarray(index.vectors[i]))
            shown = shown_passage(passage.text, chosen, carried=passage.extra.get(CARRIED) == "1")
            assert "http" not in shown and "www." not in shown, passage.id
            marked = {split_sentences(passage.text)[c] for c in chosen}
            for sentence in split_sentences(shown):
                item = re.match(r"- |• |(?:\d{1,2}|[a-z])[.)] ", sentence) and not is_question(sentence)
                if sentence not in marked and not is_content(sentence) and not item:
                    short.add(sentence)
    # Pinned, so that whatever else the rules for text let in is seen in review: short sentences of
    # prose, and one signature fragment.
    assert short == {
        "(Erik Johnsen).",
        "Adm. dir.",
        "De gjennomfører oppgaven.",
        "Disse benevnes styringsgruppe.",
        "Planlegging skjer i prosjektorganisasjonen.",
        "Prosjektmetodikk (DIFT).",
        "Søknadsfristen blir 27. mars.",
    }


@pytest.mark.integration
def test_real_answer_for_delegation_block(assistant: Assistant) -> None:
    answer = assistant.ask("Hva er en delegeringssperre?")
    assert answer.answered and answer.source is not None
    assert answer.source.document_id == "heim-styring-og-ledelse"
    assert any("delegeringssperre" in s for s in answer.sentences)
    assert "Enhetsleder / stabsleder selv" in answer.passage
    row = answer.to_json()
    assert list(row) == ["query", "confidence", "sentences", "passage", "see_also"]
    assert set(row["passage"]) == {"text", "document", "title", "section", "owner"}
    json.dumps(row)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.integration
def test_follow_up_uses_the_previous_question_until_it_expires(assistant: Assistant, settings: Settings) -> None:
    clock = _Clock()
    chat = Assistant(search=assistant.search_service, settings=settings, clock=clock)
    chat.load()
    first = "Hvem kan delegere myndighet i Heim?"
    chat.ask(first, conversation="terminal:me")
    follow = chat.ask("og hva med enhetsledere?", conversation="terminal:me")
    assert follow.context == first
    assert chat.ask("og hva med enhetsledere?", conversation="terminal:someone-else").context is None
    chat.ask(first, conversation="dm:a")
    clock.now += FOLLOW_UP_SECONDS + 1
    assert chat.ask("og hva med enhetsledere?", conversation="dm:a").context is None
    assert chat.ask("og hva med enhetsledere?").context is None  # no conversation: no memory


@pytest.mark.integration
def test_a_follow_up_is_searched_by_what_it_asks_beside_the_conversation(assistant: Assistant) -> None:
    search = assistant.search_service
    first, then = "Hva er lederplattformen i Lørenskog?", "hva med verdien troverdig?"
    whole, alone = search.embed("hva er lederplattformen i ? hva med verdien troverdig?"), search.embed(then)
    mean = (1 - FOLLOW_UP_WEIGHT) * whole + FOLLOW_UP_WEIGHT * alone
    mean /= np.linalg.norm(mean)
    vector = search.query_vector(f"{first.lower()} {then}", follow_up=then)
    # Embedded in one batch, the two differ from single embeddings by padding noise only.
    assert float(vector @ mean) > 0.999 and float(vector @ mean) > float(vector @ whole)
    # "og i Heim?" asks nothing of its own: the conversation's question, with the new name, is all.
    named = "hvem sitter i ledergruppen? og i heim?"
    for only_a_name in ("og i heim?", "heim?", "heim kommune?"):
        assert float(search.query_vector(named, follow_up=only_a_name) @ search.query_vector(named)) > 0.9999
    assistant.ask(first, conversation="dm:values")
    answer = assistant.ask(then, conversation="dm:values")
    assert answer.context == first and "Vi holder det som loves" in answer.passage


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


@pytest.mark.integration
def test_ask_json_batch_contract(built_index) -> None:  # type: ignore[no-untyped-def]
    """`lederbot ask --json --batch -`: one JSON object per line in, same order, exactly the contract's fields."""
    import os
    import subprocess
    import sys

    from tests.conftest import KNOWLEDGE, ROOT

    questions = ["Hva er en delegeringssperre?", "", "Hva blir været i Trondheim på lørdag?", "Kven har ansvaret?"]
    env = {
        **os.environ,
        "LEDERBOT_INDEX__PATH": str(built_index),
        "LEDERBOT_INDEX__KNOWLEDGE_DIR": str(KNOWLEDGE),
        "LEDERBOT_DATA_DIR": str(built_index.parent / "ask-data"),
        "LEDERBOT_CONFIG": "",
    }
    out = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "ask", "--json", "--batch", "-"],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert list(row) == ["query", "confidence", "sentences", "passage", "see_also"]
        assert row["confidence"] in ("sure", "unsure", "none")
        for also in row["see_also"]:
            assert set(also) == {"document", "title", "section", "sentence"} and also["sentence"]
    first = rows[0]
    assert first["query"] == questions[0] and first["confidence"] != "none"
    assert first["passage"]["document"] == "heim-styring-og-ledelse"
    assert set(first["passage"]) == {"text", "document", "title", "section", "owner"}
    assert rows[1] == {"query": "", "confidence": "none", "sentences": [], "passage": None, "see_also": []}
    assert rows[2]["confidence"] != "sure"


@pytest.mark.integration
def test_a_question_that_comes_during_the_warm_up_waits_for_it(assistant: Assistant, settings: Settings) -> None:
    warming = Assistant(search=assistant.search_service, settings=settings)
    # The server's warm-up thread, started just after the question arrives: without the wait the
    # question would find no model and fail at once.
    loader = threading.Timer(0.5, warming.load)
    loader.start()
    answer = warming.ask("Hva er en delegeringssperre?")
    loader.join()
    assert answer.answered and answer.source is not None


@pytest.mark.unit
def test_a_heading_line_with_a_colon_is_never_marked() -> None:
    text = "Kapittel 3 Ledelse og styring: Delegering\nRådmannen delegerer myndighet til kommunalsjefene i Heim."
    passage = _passage("heim", "Heim kommune", text)
    _, sentences = _composer().answer_sentences("Hva sier kapittel 3 om ledelse og styring?", passage, None)
    assert sentences == ["Rådmannen delegerer myndighet til kommunalsjefene i Heim."]


@pytest.mark.unit
@pytest.mark.parametrize("line", ["Utvalg Møtedato Saksnr.", "Se også «Tillit»", "Figur 3 (kilde: KS)"])
def test_short_label_lines_are_not_shown_as_text(line: str) -> None:
    assert not is_text(line)
    text = f"Rådmannen delegerer myndighet til kommunalsjefene i Heim kommune.\n{line}\nDette gjelder alle ledd."
    assert line not in shown_passage(text, [0])
