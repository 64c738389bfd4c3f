"""The owners' names in a text: found as whole-word phrases from the metadata, nothing else."""

from __future__ import annotations

import pytest

from index.owners import OwnerNames

pytestmark = pytest.mark.unit

NAMES = OwnerNames(
    ["Heim kommune", "Nedre Eiker kommune", "Lørenskog kommune", "KS (Kommunesektorens organisasjon)", "KS"]
)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Hvor mange feriedager har en ansatt i Nedre Eiker kommune?", "Hvor mange feriedager har en ansatt i?"),
        ("hva gjor lederne i lorenskog", "hva gjor lederne i"),  # without æøå
        ("Hva er Lørenskogs verdier?", "Hva er verdier?"),  # genitive
        ("Hva sier Kommunesektorens organisasjon om tillit?", "Hva sier om tillit?"),
        ("Hva sier KS om Heim kommune?", "Hva sier om?"),
    ],
)
def test_a_name_is_taken_out_whole(question: str, topic: str) -> None:
    assert NAMES.strip(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        "Hvilke verdier skal vår organisasjon bygge på?",  # one word of a longer name names no one
        "Hva sier kommunen om tillit?",  # nor does the kind of organisation
        "Kan eg jobbe heime?",  # a longer word is another word
        "Hva er Eiker?",
    ],
)
def test_words_that_are_not_a_name_stay(question: str) -> None:
    assert NAMES.strip(question) == question


def test_a_text_that_is_only_a_name() -> None:
    assert NAMES.only_names("Nedre Eiker kommune") and NAMES.only_names("Lørenskog")
    assert not NAMES.only_names("Lørenskog kommunestyre") and not NAMES.only_names("Etisk kvalitet")
    assert not OwnerNames(()).only_names("Etisk kvalitet")


def test_named_gives_the_owner_each_name_names() -> None:
    names = OwnerNames(
        {
            "Heim kommune": "Heim kommune",
            "KS": "KS (Kommunesektorens organisasjon)",
            "Lørenskog kommune": "Lørenskog kommune",
        }
    )
    assert names.named("Hva sier KS om lederne i Heim?") == {"KS (Kommunesektorens organisasjon)", "Heim kommune"}
    assert names.named("hva gjor lederne i lorenskog") == {"Lørenskog kommune"}
    assert names.named("Hva gjør lederne i kommunen?") == frozenset()
