"""The hunspell dictionaries through libhunspell: both written standards load, each knows its own
words (inflections and compounds), and a word outside the dictionary's alphabet is no word
rather than an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.hunspell import Dictionary, library
from index.lexicon import DEFAULT_HUNSPELL_DIR, NorwegianLexicon

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def dictionaries() -> dict[str, Dictionary]:
    lib = library()
    assert lib is not None, "run `make setup` (apt-get install libhunspell-1.7-0)"
    return {lang: Dictionary(lib, DEFAULT_HUNSPELL_DIR / name) for lang, name in (("nb", "nb_NO"), ("nn", "nn_NO"))}


def test_each_standard_knows_its_own_words(dictionaries: dict[str, Dictionary]) -> None:
    nb, nn = dictionaries["nb"], dictionaries["nn"]
    # Inflected and compound forms with æ/ø/å (the dictionaries are ISO 8859-1, Python's text is not).
    assert nb.lookup("rådmannen") and nb.lookup("lederplattformen") and nb.lookup("beslutninger")
    assert nn.lookup("vedteke") and nn.lookup("føresegner") and nn.lookup("retningsliner")
    assert not nb.lookup("vedteke")  # nynorsk, not bokmål: why a nynorsk text needs its own dictionary
    assert not nb.lookup("radmannen") and not nb.lookup("rddmannsniva")  # OCR damage is no word


def test_a_letter_outside_the_alphabet_is_no_word(dictionaries: dict[str, Dictionary]) -> None:
    assert not dictionaries["nb"].lookup("leder😀") and not dictionaries["nn"].lookup("ŋaŋ")


def test_without_the_dictionaries_only_word_frequencies_are_used(tmp_path: Path) -> None:
    lexicon = NorwegianLexicon(hunspell_dir=tmp_path)  # no .aff/.dic there: frequencies only
    assert lexicon.languages == () and not lexicon.in_dictionary("vedteke")
    assert NorwegianLexicon().languages == ("nb", "nn")


def test_an_empty_or_odd_word_is_no_word(dictionaries: dict[str, Dictionary]) -> None:
    # C reads an empty word as accepted and stops at a NUL («råd» would pass for «råd\0xyz»).
    assert not dictionaries["nb"].lookup("") and not dictionaries["nb"].lookup("råd\x00xyz")


def test_a_broken_dictionary_is_refused_not_taken_for_an_empty_one(tmp_path: Path) -> None:
    lib = library()
    assert lib is not None
    (tmp_path / "nb_NO.aff").write_text("SET UTF-8\n", encoding="utf-8")
    (tmp_path / "nb_NO.dic").write_text("", encoding="utf-8")
    with pytest.raises(OSError, match="empty or unreadable"):
        Dictionary(lib, tmp_path / "nb_NO")
    with pytest.raises(OSError, match="no hunspell dictionary"):
        Dictionary(lib, tmp_path / "nn_NO")
    assert NorwegianLexicon(hunspell_dir=tmp_path).languages == ()  # so the repair does not go strict
