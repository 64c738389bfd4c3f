"""Search on the real index with the real model: finding, languages, the tiers and the fitted model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.config import Settings
from bot.query import is_english, normalise_query, nynorsk_to_bokmal
from bot.ranking import FITTED_FILE, FittedModel
from bot.search import SearchService
from index.embed import BundledEmbedder
from index.errors import ConfigError

pytestmark = pytest.mark.integration


def _top(assistant: Assistant, question: str):
    result = assistant.search(question)
    assert result.hits, question
    return result, result.hits[0].passage


def test_delegation_block_finds_heim(assistant: Assistant) -> None:
    result, passage = _top(assistant, "Hva er en delegeringssperre?")
    assert result.answered
    assert passage.document_id == "heim-styring-og-ledelse"
    assert "Enhetsleder / stabsleder selv" in passage.text
    assert passage.heading_path[-1] == "3.1 Delegering"


@pytest.mark.parametrize(
    "question",
    [
        "Kven har ansvaret når mynde er delegert?",  # nynorsk
        "hvem har ansvar nar radmannen delegerer myndighet",  # without æøå
        "Who is responsible when authority is delegated?",  # English
        "Hvem har ansvaret når myndighet er delegert?",
    ],
)
def test_languages_find_the_bokmal_passage(assistant: Assistant, question: str) -> None:
    result = assistant.search(question)
    # Whether an English question is answered or declined is the fitted tier model's call (measured
    # per style by answers.py, cross-validated); the Norwegian forms have to be answered.
    if not is_english(question):
        assert result.answered
    texts = [h.passage.text for h in result.hits[:5]]  # R@5, the figure the issue sets for every style
    assert any("sitter igjen med ansvaret" in " ".join(t.split()) for t in texts), question


@pytest.mark.parametrize(
    "question",
    [
        "Hva er lunsjmenyen i kantina i morgen?",
        "Hvordan søker jeg om parkeringstillatelse?",
        "Hva blir været i Trondheim på lørdag?",
        "Who won the football world cup in 2018?",
        "Hva er lunsjmenyen?",
    ],
)
def test_off_topic_questions_are_never_sure(assistant: Assistant, question: str) -> None:
    assert assistant.search(question).tier != "sure"


@pytest.mark.parametrize(
    "question", ["Hva betyr lojalitet?", "delegeringssperre", "Hva er lojalitetsplikten?", "Hva er en lederavtale?"]
)
def test_covered_questions_are_answered(assistant: Assistant, question: str) -> None:
    result = assistant.search(question)
    assert result.answered and result.tier in ("sure", "unsure")


def test_compound_query_matches_its_parts(assistant: Assistant) -> None:
    result = assistant.search("Hva sier dokumentene om fullmaktsnivåene?")
    assert result.answered
    assert any("fullmaktsnivå" in h.passage.text for h in result.hits[:2])


def test_query_normalisation() -> None:
    assert (
        normalise_query("<@U123> Kva er ein *delegeringssperre* :thinking_face:?") == "Kva er ein delegeringssperre ?"
    )
    assert normalise_query("What does loyalty mean here?") == "What does loyalty mean here?"  # no glossary
    assert nynorsk_to_bokmal("Kva gjer leiarar?") == "hva gjer ledere?"


def test_non_answer_passages_are_never_hits(assistant: Assistant) -> None:
    index = assistant.search_service.index
    excluded = {p.id for p, ok in zip(index.passages, index.answerable, strict=True) if not ok}
    sections = {" ".join(p.heading_path) for p in index.passages if p.id in excluded}
    assert any("REFLEKSJON" in s for s in sections) and any("Referanse" in s for s in sections)
    for question in [
        "Hvilken av de ulike rollene du har som leder trives du best i?",  # a reflection box's own question
        "Hvilke verdier skal vår organisasjon bygge på?",
        "Organisasjonskultur Bang 2003",  # a reference-list entry
        "Hva betyr lojalitet?",
    ]:
        assert not {h.passage.id for h in assistant.search(question, top_k=10).hits} & excluded, question


def test_owner_makes_a_document_findable_by_its_municipality(assistant: Assistant) -> None:
    result = assistant.search("Hva gjør lederne i Lørenskog?")
    assert result.hits[0].passage.owner == "Lørenskog kommune"


def _model_with(tmp_path: Path, **tiers: float) -> Path:
    data = json.loads(FITTED_FILE.read_text(encoding="utf-8"))
    data["tiers"].update(tiers)
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_fitted_model_is_loaded_from_its_data_file(settings: Settings, tmp_path: Path) -> None:
    shipped = FittedModel.load()
    assert shipped.report["cross_validated"]["all"]["confident_wrong"] <= 0.06
    question = "Hva er en delegeringssperre?"
    outcomes = {}
    for name, tiers in {"all-none": {"scope": 1.0}, "all-sure": {"scope": 0.0, "sure": 0.0}}.items():
        service = SearchService(
            index_dir=settings.index_dir,
            embedder=BundledEmbedder(),
            settings=settings.search,
            fitted=_model_with(tmp_path, **tiers),
        )
        service.load()
        outcomes[name] = service.search(question).tier
    assert outcomes == {"all-none": "none", "all-sure": "sure"}


def test_a_broken_fitted_model_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "fitted.json"
    path.write_text('{"fusion": {}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="fit_confidence"):
        FittedModel.load(path)
    with pytest.raises(ConfigError, match="mellom 0 og 1"):
        FittedModel.load(_model_with(tmp_path, sure=1.5))


def test_hits_are_ordered_and_bounded(assistant: Assistant) -> None:
    result = assistant.search("Hva er lojalitet?", top_k=7)
    assert len(result.hits) == 7
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert len({h.passage.id for h in result.hits}) == 7
