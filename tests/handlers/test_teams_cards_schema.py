"""Every kind of Teams card the bot sends, validated by Microsoft's `adaptivecards` library (npm) as 1.5.

The library is installed by `make setup` (npm ci in tests/handlers/cards); node parses and validates
each card and reports every warning; the test accepts none.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.assistant import Assistant
from bot.dialog import Dialog
from bot.questions import Asker
from bot.reflection.replies import Choice, Reply
from handlers.teams.cards import answer_card, reply_card, split_card, text_card
from tests.handlers.cards.check import validate

pytestmark = pytest.mark.integration

QUESTIONS = (
    "Hva er en delegeringssperre?",
    "Hva betyr lojalitet i Heim kommune?",
    "Hvem har ansvaret når myndighet er delegert?",
    "Hva er visjonen i lederplattformen?",
    "Hvordan bestiller jeg ny PC?",  # nothing certain
    "",  # empty
    "(3 spørsmål) *fet* [lenke](http://x) <at>x</at> 🙂",
)


def _with_actions(count: int) -> dict[str, Any]:
    actions = [{"type": "Action.Submit", "title": f"Valg {n}", "data": {"cmd": str(n)}} for n in range(count)]
    return {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}], "actions": actions}


def test_the_checker_catches_a_broken_card() -> None:
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Tekstblokk", "text": "x"}]}
    old = {"type": "AdaptiveCard", "version": "1.2", "body": []}
    text = {"type": "Input.Text", "id": "answer"}
    form = {"type": "AdaptiveCard", "version": "1.5", "body": [text]}
    twice = {**_with_actions(0), "actions": [{"type": "Action.ShowCard", "title": "Svar", "card": form}] * 2}
    [first, second, duplicate, six, seven] = validate([broken, old, twice, _with_actions(6), _with_actions(7)])
    assert first and second
    assert any("Duplicate Id" in p for p in duplicate), duplicate
    assert not six  # Teams shows six actions (Teams' host config, not the library's default of five)
    assert seven


def test_every_kind_of_card_is_valid_adaptive_cards_1_5(assistant: Assistant, dialog: Dialog) -> None:
    cards = [answer_card(assistant.ask(q), reference="0123456789abcdef") for q in QUESTIONS]
    owner = dialog.owner(Asker("teams", "t", "aad-1", "dm"))
    for command in ("refleksjon", "refleksjon verdier", "Et svar.\nMed to linjer.", "avslutt", "mine svar"):
        reply = dialog.engine.handle(owner, command)
        assert reply is not None
        cards.append(reply_card(reply))
    cards.append(reply_card(dialog.engine.handle(owner, "slett mine svar")))  # type: ignore[arg-type]
    _, group = dialog.groups.start(channel_id="19:g@thread.tacv2", facilitator=owner, word="verdier")
    cards.append(reply_card(group))
    deadline = datetime(2099, 12, 1, 16, tzinfo=UTC)
    _, by_deadline = dialog.groups.start(
        channel_id="19:h@thread.tacv2", facilitator=owner, word="verdier", deadline=deadline
    )
    assert sum(c.value.startswith("group:") for c in by_deadline.choices) >= 2  # a form per question
    cards.append(reply_card(by_deadline))
    many = tuple(Choice(f"Svar {i + 1}", f"group:9:answer:{i}") for i in range(8))
    cards.append(reply_card(Reply("Åtte spørsmål", many)))
    export = dialog.engine.handle(owner, "eksporter mine svar")
    assert export is not None and export.export is not None
    cards += split_card(text_card(export.export.content))  # a long export, over several messages
    problems = {i: p for i, p in enumerate(validate(cards)) if p}
    assert not problems, {i: (p, json.dumps(cards[i], ensure_ascii=False)[:300]) for i, p in problems.items()}
