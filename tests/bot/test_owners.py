"""The owners' names in a question steer the ranking but are kept out of what judges the tier."""

from __future__ import annotations

import numpy as np
import pytest

from bot.assistant import Assistant
from bot.ranking import FEATURES, Candidates, features, order


def _candidates(
    bm25: list[float], window: list[float], topic: Candidates | None = None, named: list[float] | None = None
) -> Candidates:
    n = len(bm25)
    return Candidates(
        ids=np.arange(n),
        passage=np.array(window),
        window=np.array(window),
        bm25=np.array(bm25),
        coverage=1.0,
        anchor=0.0,
        english=False,
        words=6,
        named=None if named is None else np.array(named),
        topic=topic,
    )


def test_the_tier_is_judged_on_the_topic_in_the_order_of_the_whole_question() -> None:
    weights = {"passage": 0.0, "window": 1.0, "bm25": 0.02}
    topic = _candidates([1.0, 3.0], [0.80, 0.85])
    whole = _candidates([4.0, 3.0], [0.90, 0.84], topic=topic)
    ranked, fused = order(whole, weights)
    assert ranked[0] == 0  # the name steers the ranking
    f = dict(zip(FEATURES, features(whole, ranked, fused, weights), strict=True))
    assert f["window"] == pytest.approx(0.80)  # the first passage, scored for the topic
    assert f["margin"] < 0  # the topic alone would have preferred the runner-up
    assert f["owner"] == pytest.approx(0.75)  # three quarters of its BM25 score was the name
    plain = dict(zip(FEATURES, features(topic, *order(topic, weights), weights), strict=True))
    assert plain["owner"] == 0.0


def test_the_margin_is_to_the_best_other_passage_not_to_the_one_the_name_put_second() -> None:
    # The name lifts two passages of its document; the second is weak for the topic, a third (of
    # another document) is nearly as good as the first. The margin is to that third one.
    weights = {"passage": 0.0, "window": 1.0, "bm25": 0.02}
    topic = _candidates([1.0, 1.0, 1.0], [0.86, 0.78, 0.85])
    whole = _candidates([4.0, 4.0, 0.5], [0.90, 0.88, 0.85], topic=topic)
    ranked, fused = order(whole, weights)
    assert list(ranked[:2]) == [0, 1]  # the name puts its own weak passage second
    f = dict(zip(FEATURES, features(whole, ranked, fused, weights), strict=True))
    assert f["margin"] == pytest.approx(0.01)  # not 0.08 against the weak second


def test_the_owner_weight_lifts_the_named_owners_passages_and_only_in_the_ranking() -> None:
    weights = {"passage": 0.0, "window": 1.0, "bm25": 0.0, "owner": 0.05}
    topic = _candidates([1.0, 1.0], [0.86, 0.84])
    whole = _candidates([1.0, 1.0], [0.86, 0.84], topic=topic, named=[0.0, 1.0])
    ranked, fused = order(whole, weights)
    assert ranked[0] == 1  # the named municipality's passage leads
    assert fused[1] == pytest.approx(0.89)
    f = dict(zip(FEATURES, features(whole, ranked, fused, weights), strict=True))
    assert f["fused"] == pytest.approx(0.84) and f["margin"] == pytest.approx(-0.02)  # judged without the name


@pytest.mark.integration
def test_a_question_naming_an_owner_is_embedded_once_without_the_name(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = assistant.search_service
    real = service._embedder
    embedded: list[str] = []

    class Counting:  # the real model, with the texts it is asked to embed written down
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def embed_queries(self, texts: list[str]) -> np.ndarray:
            embedded.extend(texts)
            return real.embed_queries(texts)

    monkeypatch.setattr(service, "_embedder", Counting())
    answer = assistant.ask("Hva gjør lederne i Lørenskog kommune?")
    assert embedded == ["Hva gjør lederne i?"]
    assert answer.source is not None and answer.source.owner == "Lørenskog kommune"


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "Når er julebordet for de ansatte i Levanger kommune?",
        "Hva er telefonnummeret til legevakten i Lørenskog?",
        "Hva er åpningstidene til rådhuset i Trondheim kommune?",
        "Levanger",  # nothing but a name asks nothing
        "Heim",
    ],
)
def test_a_question_that_shares_only_the_owners_name_is_not_answered_as_sure(
    assistant: Assistant, question: str
) -> None:
    assert assistant.search(question).tier != "sure"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "owner"),
    [
        ("Hvilke kjernekompetanser forventes av ledere i Levanger?", "Levanger kommune"),
        ("Hva gjør lederne i Lørenskog?", "Lørenskog kommune"),
    ],
)
def test_a_real_question_naming_the_owner_still_finds_its_document(
    assistant: Assistant, question: str, owner: str
) -> None:
    result = assistant.search(question)
    assert result.answered
    assert result.hits[0].passage.owner == owner
