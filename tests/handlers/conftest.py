"""Every payload any handler test sends to the mock Slack is checked against Block Kit's limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.handlers.slack_harness import CREATED


@pytest.fixture(autouse=True)
def slack_payloads_within_block_kit_limits() -> Iterator[None]:
    CREATED.clear()
    yield
    problems = [v for mock in CREATED for v in mock.violations]
    CREATED.clear()
    assert not problems, f"payloads over Block Kit's limits: {problems}"
