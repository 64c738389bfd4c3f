"""The reflection questions come out of the KS guide exactly as checked in, and read back the same."""

from __future__ import annotations

from pathlib import Path

from bot.reflection.catalog import GUIDE_FILE, Catalog, write
from bot.reflection.extract import extract_themes
from tests.conftest import KNOWLEDGE


def test_extracting_the_guide_gives_the_checked_in_prompt_sets(tmp_path: Path) -> None:
    themes = extract_themes((KNOWLEDGE / "ks-guide-til-god-ledelse.md").read_text(encoding="utf-8"))
    path = write(themes, tmp_path, source="ks-guide-til-god-ledelse.md")
    assert path.read_text(encoding="utf-8") == (KNOWLEDGE / "reflections" / GUIDE_FILE).read_text(encoding="utf-8")
    loaded = Catalog.load(tmp_path)
    assert {t.id: t for t in loaded.themes} == {t.id: t for t in themes}
    kinds = {t.kind for t in themes}
    assert kinds == {"individual", "group", "development_talk"}
    assert all(t.questions and all(q.text.strip() for q in t.questions) for t in themes)


def test_a_changed_question_gets_a_new_version(tmp_path: Path) -> None:
    text = (KNOWLEDGE / "ks-guide-til-god-ledelse.md").read_text(encoding="utf-8")
    before = {q.id: q.version for t in extract_themes(text) for q in t.questions}
    first_id, first = next((q.id, q.text) for t in extract_themes(text) for q in t.questions)
    after = {
        q.id: q.version
        for t in extract_themes(text.replace(first, first.rstrip("?") + " i dag?", 1))
        for q in t.questions
    }
    assert after[first_id] != before[first_id]
    assert {k: v for k, v in after.items() if k != first_id} == {k: v for k, v in before.items() if k != first_id}
