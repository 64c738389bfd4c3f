"""Every kind of Teams card the bot sends, validated by Microsoft's `adaptivecards` library (npm) as 1.5.

The library is installed by `make setup` (npm ci in tests/handlers/cards); node parses and validates
each card and reports every warning; the test accepts none.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.assistant import Assistant
from bot.desk import Asker
from bot.dialog import Dialog
from handlers.teams.cards import answer_card, reply_card, text_cards

pytestmark = pytest.mark.integration

CHECKER = Path(__file__).with_name("cards")
QUESTIONS = (
    "Hva er en delegeringssperre?",
    "Hva betyr lojalitet i Heim kommune?",
    "Hvem har ansvaret når myndighet er delegert?",
    "Hva er visjonen i lederplattformen?",
    "Hvordan bestiller jeg ny PC?",  # nothing certain
    "",  # empty
    "(3 spørsmål) *fet* [lenke](http://x) <at>x</at> 🙂",
)


def validate(cards: list[dict[str, Any]]) -> list[list[str]]:
    node = shutil.which("node")
    assert node is not None, "node is needed for the Adaptive Cards check (apt-get install nodejs)"
    assert (CHECKER / "node_modules" / "adaptivecards").is_dir(), "run `make setup` (npm ci in tests/handlers/cards)"
    out = subprocess.run(
        [node, str(CHECKER / "validate.js")],
        input=json.dumps(cards),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return list(json.loads(out.stdout)["results"])


def test_the_checker_catches_a_broken_card() -> None:
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Tekstblokk", "text": "x"}]}
    old = {"type": "AdaptiveCard", "version": "1.2", "body": []}
    [first, second] = validate([broken, old])
    assert first and second


def test_every_kind_of_card_is_valid_adaptive_cards_1_5(assistant: Assistant, dialog: Dialog) -> None:
    cards = [answer_card(assistant.ask(q), reference="0123456789abcdef") for q in QUESTIONS]
    owner = dialog.owner(Asker("teams", "t", "aad-1", "dm"))
    for command in ("refleksjon", "refleksjon verdier", "Et svar.\nMed to linjer.", "avslutt", "mine svar"):
        reply = dialog.engine.handle(owner, command)
        assert reply is not None
        cards.append(reply_card(reply))
    cards.append(reply_card(dialog.engine.handle(owner, "slett mine svar")))  # type: ignore[arg-type]
    _, group = dialog.engine.start_group(channel_id="19:g@thread.tacv2", facilitator=owner, word="verdier")
    cards.append(reply_card(group))
    export = dialog.engine.handle(owner, "eksporter mine svar")
    assert export is not None and export.export is not None
    cards += text_cards(export.export.content)
    problems = {i: p for i, p in enumerate(validate(cards)) if p}
    assert not problems, {i: (p, json.dumps(cards[i], ensure_ascii=False)[:300]) for i, p in problems.items()}
