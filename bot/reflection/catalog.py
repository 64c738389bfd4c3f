"""The prompt sets in knowledge/reflections/*.yaml (reading and writing: the one schema), and finding
a theme from a word."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from index.errors import ConfigError
from index.text import fold

GUIDE_FILE = "ks-guide-til-god-ledelse.yaml"


def version_of(*texts: str) -> str:
    """A text's version: changes exactly when the text does, so an answer keeps what it answered."""
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Prompt:
    id: str
    version: str
    text: str


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    section: str
    kind: str  # individual, group, development_talk
    version: str
    questions: tuple[Prompt, ...]

    @classmethod
    def of(cls, theme_id: str, title: str, section: str, kind: str, questions: tuple[Prompt, ...]) -> Theme:
        """A new theme, versioned by its questions' texts."""
        return cls(theme_id, title, section, kind, version_of(*(q.text for q in questions)), questions)


class Catalog:
    """All reflection themes, in the guide's order (individual themes first).

    Example:
        >>> catalog = Catalog.load(Path("knowledge/reflections"))
        >>> catalog.find("verdier").title
        'Å lede med tydelige verdier'
    """

    def __init__(self, themes: list[Theme]) -> None:
        order = {"individual": 0, "development_talk": 1, "group": 2}
        self.themes = sorted(themes, key=lambda t: order.get(t.kind, 3))
        self._by_id = {t.id: t for t in self.themes}

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        themes: list[Theme] = []
        for path in sorted(folder.glob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                for raw in data.get("themes", []):
                    questions = tuple(Prompt(str(q["id"]), str(q["version"]), str(q["text"])) for q in raw["questions"])
                    themes.append(
                        Theme(
                            str(raw["id"]),
                            str(raw["title"]),
                            str(raw.get("section", "")),
                            str(raw.get("kind", "individual")),
                            str(raw["version"]),
                            questions,
                        )
                    )
            except (yaml.YAMLError, KeyError, TypeError) as exc:
                raise ConfigError(f"Refleksjonsfilen {path} er ugyldig: {exc}") from exc
        if not themes:
            raise ConfigError(f"Fant ingen refleksjonstemaer i {folder}. Kjør «lederbot reflections extract».")
        return cls(themes)

    def get(self, theme_id: str) -> Theme | None:
        return self._by_id.get(theme_id)

    def require(self, theme_id: str) -> Theme:
        """The theme a stored session (a leader's or a group's) runs; LookupError when it has left the catalog."""
        theme = self.get(theme_id)
        if theme is None:
            raise LookupError(f"reflection theme {theme_id!r} is no longer in the catalog")
        return theme

    def find(self, words: str, *, kinds: tuple[str, ...] = ("individual", "development_talk", "group")) -> Theme | None:
        """The first theme whose id or title contains every given word (folded: "sprak" finds "språk")."""
        wanted = [fold(w) for w in words.split() if len(w) > 1]
        if not wanted:
            return None
        exact = self.get(words.strip())
        if exact is not None:
            return exact
        for theme in self.themes:
            haystack = fold(f"{theme.title} {theme.id}")
            if theme.kind in kinds and all(w in haystack for w in wanted):
                return theme
        return None


def write(themes: Sequence[Theme], folder: Path, *, source: str) -> Path:
    """Write ``themes`` in their order as the YAML that ``Catalog.load`` reads (the extracted guide's file)."""
    data = {
        "source": source,
        "generated_by": "lederbot reflections extract",
        "themes": [
            {
                "id": t.id,
                "title": t.title,
                "section": t.section,
                "kind": t.kind,
                "version": t.version,
                "questions": [{"id": q.id, "version": q.version, "text": q.text} for q in t.questions],
            }
            for t in themes
        ],
    }
    header = "# Generated from the KS guide by `lederbot reflections extract`; do not edit by hand.\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / GUIDE_FILE
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return path
