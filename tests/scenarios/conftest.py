"""Whole conversations also send their Slack payloads through the Block Kit limits check."""

from tests.handlers.conftest import slack_payloads_within_block_kit_limits

__all__ = ["slack_payloads_within_block_kit_limits"]
