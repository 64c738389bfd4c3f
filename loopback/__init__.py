"""The platforms on loopback, for the tests and the benchmarks alike: a mock Slack Web API and signed
Slack requests to the bot's real server (slack.py), the mock checking every payload against Block Kit's
limits (block_kit.py), a PostgreSQL server of one's own (postgres.py), bot replicas as processes
(replica.py), the core built by the real composition root (core.py).
Nothing here is imported by the product; nothing here reaches beyond 127.0.0.1."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
