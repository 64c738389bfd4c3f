"""Unanswered questions grouped by meaning, with the real model, and without identity."""

from __future__ import annotations

import pytest

from bot.analytics.unanswered import group_questions, unanswered_report
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


def test_only_questions_many_people_asked_are_shown_and_without_names() -> None:
    embedder = BundledEmbedder()
    embedder.load()
    lunch = [
        "Hva er lunsjmenyen i kantina?",
        "Hva er lunsjmenyen i kantina i dag?",
        "Hva står på lunsjmenyen i kantina?",
        "Hva er lunsjmenyen i kantina, spør Tora Hansen",
        "Hva er lunsjmenyen i kantina i dag? ring 912 34 567",
    ]
    rows = [(text, f"tag{i}") for i, text in enumerate(lunch)]
    rows += [(lunch[0], "tag0"), (lunch[1], "tag0")]  # one person asking again does not make a crowd
    # One person's question, naming herself: counted, never shown.
    rows += [("Hei, jeg, Tora på Teknisk drift, lurer på om jeg kan si opp?", "tora")] * 2
    rows += [("Hvordan får jeg parkeringstillatelse?", "a"), ("Hvordan søker jeg parkeringstillatelse?", "a")]
    report = unanswered_report(rows, embed=embedder.embed_queries, min_people=5, names=["Tora Hansen", "tora@k.no"])
    assert len(report.groups) == 1
    [group] = report.groups
    assert group.people == 5 and group.questions == 7 and "lunsjmenyen" in group.example
    assert "Tora" not in group.example and "912" not in group.example
    assert report.hidden_questions == 4 and report.hidden_groups == 2
    with pytest.raises(ValueError, match="min_people"):
        unanswered_report(rows, embed=embedder.embed_queries, min_people=1)
    six = unanswered_report(rows, embed=embedder.embed_queries, min_people=6)
    assert six.groups == () and six.hidden_questions == 11
