"""The Block Kit limits check lives in tests/conftest.py, for every test that uses the mock Slack.

Re-exported here under its old name, which tests/scenarios/conftest.py imports.
"""

from __future__ import annotations

from tests.conftest import slack_payloads_within_block_kit_limits

__all__ = ["slack_payloads_within_block_kit_limits"]
