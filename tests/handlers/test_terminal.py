"""The terminal chat and the command line, driven as a person (or score.py) drives them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, ROOT

pytestmark = pytest.mark.integration


def _run(args: list[str], index: Path, stdin: str = "", data: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LEDERBOT_INDEX__PATH": str(index),
        "LEDERBOT_INDEX__KNOWLEDGE_DIR": str(KNOWLEDGE),
        "LEDERBOT_REFLECTION__FOLDER": str(KNOWLEDGE / "reflections"),
        "LEDERBOT_DATA_DIR": str(data or index.parent / "chat-data"),
        "LEDERBOT_CONFIG": "",
    }
    env.pop("SLACK_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_chat_through_stdin(built_index: Path) -> None:
    out = _run(["chat"], built_index, stdin="Hva er en delegeringssperre?\nHva er lunsjmenyen i kantina?\n\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Hei! Jeg er lederbot.")
    assert "Enhetsleder / stabsleder selv" in out.stdout
    assert "Kilde: Styring og ledelse i Heim kommune, 3.1 Delegering – Heim kommune – styringsdokument" in out.stdout
    assert "Jeg fant ikke noe sikkert svar" in out.stdout
    assert out.stdout.rstrip().endswith("Ha en fin dag!")


def test_reflection_in_the_terminal(built_index: Path, tmp_path: Path) -> None:
    lines = [
        "refleksjon",  # the themes, as numbers
        "1",  # the first: Å lede med tydelige verdier
        "Jeg viser verdiene i prioriteringene mine.",
        "pause",
        "Hva er en delegeringssperre?",  # paused: a question is a question again
        "fortsett",
        "Medarbeiderne ser det i møtene.",
        "hopp over",
        "mine svar",
        "eksporter mine svar",
    ]
    out = _run(["chat"], built_index, stdin="\n".join(lines) + "\n\n", data=tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "1) Å lede med tydelige verdier" in text and "Skriv nummeret for å velge." in text
    assert "Spørsmål 1 av 3: Hvordan kommer organisasjonens verdier til uttrykk i ditt lederskap?" in text
    assert "Satt på pause." in text and "3.1 Delegering" in text
    assert "Spørsmål 2 av 3" in text and "Spørsmål 3 av 3" in text
    assert "ferdig med «Å lede med tydelige verdier»" in text and "Les også: Kilde:" in text
    assert "1. Hvordan kommer organisasjonens verdier" in text and "Medarbeiderne ser det i møtene." in text
    exported = (tmp_path / "eksport" / "mine-refleksjonssvar.md").read_text(encoding="utf-8")
    assert "Jeg viser verdiene i prioriteringene mine." in exported


def test_chat_ends_at_end_of_input(built_index: Path) -> None:
    out = _run(["chat"], built_index, stdin="Hva betyr lojalitet?")
    assert out.returncode == 0, out.stderr
    assert "10.1 Lojalitet" in out.stdout and "Ha en fin dag!" in out.stdout


def test_serve_without_tokens_is_the_terminal_chat(built_index: Path) -> None:
    out = _run(["serve"], built_index, stdin="\n")
    assert out.returncode == 0, out.stderr
    assert "Hei! Jeg er lederbot." in out.stdout


def test_search_batch_contract(built_index: Path) -> None:
    questions = ["Hva er en delegeringssperre?", "", "Hva blir været i Trondheim på lørdag?", "Kven har ansvaret?"]
    out = _run(["search", "--json", "--top-k", "5", "--batch", "-"], built_index, stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["query"] for r in rows] == questions
    first = rows[0]
    assert first["answered"] is True
    assert len(first["passages"]) == 5
    assert set(first["passages"][0]) >= {"text", "document", "title", "owner", "section", "score", "window"}
    assert 0 < first["passages"][0]["window"] <= 1  # the best sentence window's cosine, really computed
    assert first["passages"][0]["document"] == "heim-styring-og-ledelse"
    assert rows[1] == {"query": "", "answered": False, "confidence": 0.0, "passages": []}
    assert rows[2]["answered"] is False


def test_ask_prints_the_answer(built_index: Path) -> None:
    out = _run(["ask", "Hva er en delegeringssperre?"], built_index)
    assert out.returncode == 0, out.stderr
    assert "»" in out.stdout and "Kilde:" in out.stdout


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    out = _run(["search", "Hva er lojalitet?"], tmp_path / "none")
    assert out.returncode == 2
    assert "lederbot index build" in out.stderr
    assert "Traceback" not in out.stderr


def test_index_status(built_index: Path) -> None:
    out = _run(["index", "status"], built_index)
    assert out.returncode == 0, out.stderr
    assert "heim-styring-og-ledelse.txt:" in out.stdout and "passasjer" in out.stdout
    assert "utdatert" not in out.stdout
