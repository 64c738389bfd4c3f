"""Unanswered questions grouped by meaning, with the real model, and without identity."""

from __future__ import annotations

import pytest

from bot.analytics.unanswered import group_questions
from index.embed import BundledEmbedder

pytestmark = pytest.mark.integration


def test_similar_questions_are_grouped() -> None:
    embedder = BundledEmbedder()
    embedder.load()
    texts = [
        "Hva er lunsjmenyen i kantina?",
        "Hva er lunsjmenyen i kantina i dag?",
        "Hva står på lunsjmenyen i kantina?",
        "Hvordan søker jeg om parkeringstillatelse?",
        "Hvordan får jeg parkeringstillatelse?",
        "Hvem vant fotball-VM?",
        "  ",
    ]
    groups = group_questions(texts, embed=embedder.embed_queries)
    assert sum(g.count for g in groups) == 6
    assert groups[0].count == 3 and "lunsjmenyen" in groups[0].example
    parking = next(g for g in groups if "parkeringstillatelse" in g.example)
    assert parking.count == 2
    assert any(g.questions == ("Hvem vant fotball-VM?",) for g in groups)
    assert group_questions([], embed=embedder.embed_queries) == []
