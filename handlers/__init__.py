"""Thin channel adapters: terminal, Slack, Teams."""
