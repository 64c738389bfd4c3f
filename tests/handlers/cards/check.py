"""Every Adaptive Card a Teams test sends, checked as Teams would take it.

`teams_cards_are_valid` (autouse in the Teams test modules, as Slack's Block Kit check is in
tests/handlers/conftest.py) collects each activity the bot sends, both those the mock connector
receives over HTTP and those the SDK's TestAdapter captures, and at the end of the test checks
them in one batch: every activity under Teams' message size, every card parsed and validated by
Microsoft's `adaptivecards` library (npm) as 1.5 with Teams' host config, no warning accepted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.activity import Activity
from microsoft_agents.testing import TestAdapter

from handlers.teams.cards import CARD, MESSAGE_BYTES

CHECKER = Path(__file__).parent
SENT: list[dict[str, Any]] = []  # activities as JSON, as sent in the running test


def validate(cards: list[dict[str, Any]]) -> list[list[str]]:
    """The problems the adaptivecards library finds in each card (an empty list: valid 1.5)."""
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


def record(activity: dict[str, Any]) -> None:
    """An activity the bot sent, as JSON (the mock connector calls this with what it received)."""
    SENT.append(activity)


def problems(activities: list[dict[str, Any]]) -> list[str]:
    """What Teams would refuse or the library flags in ``activities``."""
    found = [
        f"activity {n}: {len(json.dumps(a))} bytes, over {MESSAGE_BYTES}"
        for n, a in enumerate(activities)
        if len(json.dumps(a)) > MESSAGE_BYTES
    ]
    cards = [
        (n, attachment["content"])
        for n, a in enumerate(activities)
        for attachment in a.get("attachments") or []
        if attachment.get("contentType") == CARD
    ]
    if cards:
        for (n, card), issues in zip(cards, validate([c for _, c in cards]), strict=True):
            if issues:
                found.append(f"activity {n}: {issues} in {json.dumps(card, ensure_ascii=False)[:300]}")
    return found


@pytest.fixture(autouse=True)
def teams_cards_are_valid(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Collects what the test's Teams bot sends; fails the test on any card Teams or the library would reject."""
    SENT.clear()
    captured = TestAdapter.send_activities

    async def send_activities(self: TestAdapter, context: Any, activities: list[Activity]) -> Any:
        for activity in activities:
            record(activity.model_dump(mode="json", by_alias=True, exclude_none=True))
        return await captured(self, context, activities)

    monkeypatch.setattr(TestAdapter, "send_activities", send_activities)
    yield SENT
    sent = list(SENT)
    SENT.clear()
    found = problems(sent)
    assert not found, f"Teams activities that Teams or adaptivecards 1.5 would reject: {found}"
