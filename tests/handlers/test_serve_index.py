"""`lederbot serve` and its index: a missing one is built before the server reports ready; one that
cannot be used stops the server with the error and a non-zero exit, instead of a 503 for ever."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from loopback.ports import free_port
from loopback.replica import serve_slack_http
from loopback.slack import BOT_TOKEN, SIGNING_SECRET
from tests.conftest import KNOWLEDGE, ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DOCUMENTS = {
    "fjellby-delegering.txt": (
        "Delegeringsreglement for Fjellby kommune\n\n"
        "Kommunedirektøren kan delegere sin myndighet videre til enhetslederne. "
        "En enhetsleder har budsjettansvar for sin enhet og rapporterer hver måned.\n"
    ),
    "fjellby-lederplattform.txt": (
        "Lederplattform for Fjellby kommune\n\n"
        "Lederne i Fjellby skal være tydelige, tilgjengelige og lojale mot vedtak. "
        "Hver leder har medarbeidersamtale med sine ansatte minst én gang i året.\n"
    ),
}


def _serve(tmp_path: Path, index: Path, knowledge: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LEDERBOT_"))}
    env.update(
        LEDERBOT_INDEX__PATH=str(index),
        LEDERBOT_INDEX__KNOWLEDGE_DIR=str(knowledge),
        LEDERBOT_REFLECTION__FOLDER=str(KNOWLEDGE / "reflections"),
        LEDERBOT_DATA_DIR=str(tmp_path / "data"),
        LEDERBOT_PSEUDONYM_KEY="serve-index-test-key-0123456",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:9/api/",  # never reached: no event is sent
    )
    return subprocess.Popen(
        serve_slack_http(port), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _health(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def test_a_missing_index_is_built_before_the_server_reports_ready(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name, text in DOCUMENTS.items():
        (knowledge / name).write_text(text, encoding="utf-8")
    index = tmp_path / "index"
    port = free_port()
    process = _serve(tmp_path, index, knowledge, port)
    seen: list[int | None] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            status = _health(port)
            seen.append(status)
            if status == 200:
                break
            time.sleep(0.2)
        assert seen and seen[-1] == 200, f"never ready: {seen[-5:]}"
        assert (index / "manifest.json").is_file()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Fant ingen indeks" in output and "Indeksen er bygget" in output and "2 dokumenter" in output
    assert "Embedder tekster" in output  # the progress bar


def test_an_index_that_cannot_be_loaded_stops_the_server_with_the_error(tmp_path: Path, built_index: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    (index / "dense.faiss").write_bytes(b"not a faiss index")
    port = free_port()
    process = _serve(tmp_path, index, KNOWLEDGE, port)
    try:
        output, _ = process.communicate(timeout=240)
    finally:
        process.kill()
    assert process.returncode == 2, output
    assert "Feil:" in output and "skadet" in output and "lederbot index build" in output
    assert "Traceback" not in output
