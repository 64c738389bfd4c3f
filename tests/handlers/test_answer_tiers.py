"""One answer object, three tiers, three channels: Slack and Teams show ``unsure`` visibly apart
from ``sure``, the terminal says it in words, and ``none`` is the honest "nothing certain"."""

from __future__ import annotations

import json

import pytest

from bot import texts
from bot.answer import Answer, Source, render_text
from handlers.slack.blocks import answer_blocks, fallback_text
from handlers.teams.cards import answer_card

pytestmark = pytest.mark.unit

SOURCE = Source("heim", "Styring og ledelse", "3.1 Delegering", "Heim kommune", "Heim kommune – styringsdokument", True)
ALSO = Source(
    "ks", "Guide til god ledelse", "Tillit", "KS", "KS – nasjonal veileder", False, sentence="Tillit bygges over tid."
)


def _answer(tier: str) -> Answer:
    if tier == "none":
        return Answer(question="Hva er lunsjmenyen?", answered=False, hr_contact="HR", tier="none")
    return Answer(
        question="Hvem har ansvaret?",
        answered=True,
        sentences=("Rådmannen sitter igjen med ansvaret.",),
        passage="Delegering er overføring av myndighet. Rådmannen sitter igjen med ansvaret.",
        full_passage="Delegering er overføring av myndighet. Rådmannen sitter igjen med ansvaret. Mer tekst.",
        source=SOURCE,
        see_also=(ALSO,),
        hr_contact="HR",
        tier=tier,
    )


def _slack_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_slack_renders_each_tier() -> None:
    sure = _slack_text(answer_blocks(_answer("sure"), reference="r1", question="q"))
    unsure = _slack_text(answer_blocks(_answer("unsure"), reference="r2", question="q"))
    none = _slack_text(answer_blocks(_answer("none"), reference="r3", question="q"))
    assert texts.ANSWER_HEADING in sure and texts.UNSURE_INTRO not in sure
    assert texts.UNSURE_INTRO in unsure and texts.ANSWER_HEADING not in unsure
    for shown in (sure, unsure):
        assert "Rådmannen sitter igjen med ansvaret." in shown and "Kilde: Styring og ledelse" in shown
        assert "Tillit bygges over tid." in shown  # "Se også" with its sentence
    assert texts.NO_ANSWER in none and "Rådmannen" not in none
    assert fallback_text(_answer("none")) == texts.NO_ANSWER


def test_teams_renders_each_tier() -> None:
    def body(tier: str) -> list[dict]:
        return answer_card(_answer(tier), reference="r")["body"]

    def runs(elements: list[dict]) -> list[dict]:
        # Text sits in TextRuns inside RichTextBlocks (shown as written); the colour is the run's.
        return [run for e in elements for run in e.get("inlines", [])]

    sure, unsure, none = body("sure"), body("unsure"), body("none")
    assert any(r.get("text") == texts.ANSWER_INTRO and "color" not in r for r in runs(sure))
    assert any(r.get("text") == texts.UNSURE_INTRO and r.get("color") == "Warning" for r in runs(unsure))
    assert not any(r.get("text") == texts.ANSWER_INTRO for r in runs(unsure))
    assert not any(r.get("color") == "Warning" for r in runs(sure))
    assert all("Tillit bygges over tid." in json.dumps(b, ensure_ascii=False) for b in (sure, unsure))
    assert texts.NO_ANSWER in json.dumps(none, ensure_ascii=False)
    assert "Rådmannen" not in json.dumps(none, ensure_ascii=False)


def test_terminal_renders_each_tier() -> None:
    assert render_text(_answer("sure")).startswith(texts.ANSWER_INTRO)
    assert render_text(_answer("unsure")).startswith(texts.UNSURE_INTRO)
    assert "» Rådmannen sitter igjen med ansvaret. «" in render_text(_answer("unsure"))
    assert render_text(_answer("none")).startswith(texts.NO_ANSWER)


def test_the_json_contract_of_each_tier() -> None:
    for tier in ("sure", "unsure"):
        row = _answer(tier).to_json()
        assert row == {
            "query": "Hvem har ansvaret?",
            "confidence": tier,
            "sentences": ["Rådmannen sitter igjen med ansvaret."],
            "passage": {
                "text": "Delegering er overføring av myndighet. Rådmannen sitter igjen med ansvaret.",
                "document": "heim",
                "title": "Styring og ledelse",
                "section": "3.1 Delegering",
                "owner": "Heim kommune",
            },
            "see_also": [
                {
                    "document": "ks",
                    "title": "Guide til god ledelse",
                    "section": "Tillit",
                    "sentence": "Tillit bygges over tid.",
                }
            ],
        }
    assert _answer("none").to_json()["confidence"] == "none"
