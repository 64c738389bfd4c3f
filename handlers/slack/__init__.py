"""Slack adapter: Bolt listeners that call the core, and Block Kit views of its answers."""
