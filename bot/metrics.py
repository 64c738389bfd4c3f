"""Prometheus metrics: answers, declines, latency, reflection steps, errors. No labels carry personal data."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """One registry per process (not the global one), so tests and several apps do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "lederbot_questions", "Questions answered or declined", ["channel", "outcome"], registry=self.registry
        )
        self.latency = Histogram(
            "lederbot_answer_seconds",
            "Time to compose an answer",
            ["channel"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.reflection_steps = Counter(
            "lederbot_reflection_steps", "Reflection commands and answers handled", ["channel"], registry=self.registry
        )
        self.errors = Counter("lederbot_errors", "Errors by where they happened", ["where"], registry=self.registry)
        self.duplicates = Counter(
            "lederbot_duplicate_deliveries", "Retried or repeated deliveries dropped", registry=self.registry
        )

        self.database_up = Gauge(
            "lederbot_database_up", "1 while the database answers, 0 while it is down", registry=self.registry
        )
        self.events = Counter(
            "lederbot_inbox_events",
            "Deliveries by what the inbox did with them (stored, duplicate, unstored, refused)",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.handled = Counter(
            "lederbot_events_handled", "Events whose handling has finished", ["channel"], registry=self.registry
        )
        self.takeovers = Counter(
            "lederbot_inbox_takeovers", "Events taken over after their holder's lease ran out", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
