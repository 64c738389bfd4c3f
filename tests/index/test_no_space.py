"""No space for the index: a clear Norwegian error, and the previous index left as it was.

Three small documents of its own: the disk fills up in the same place whatever the corpus."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from handlers.launch import build_index
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

DOCS = {
    "delegering.md": "# Delegering\n\nDelegering vil si overføring av myndighet. Ansvaret ligger igjen hos den som "
    "delegerer.\n",
    "lojalitet.txt": "Lojalitet\n\nÅ være lojal betyr å snakke med og ikke om kolleger.\n",
    "parkering.md": "# Parkering\n\nAnsatte kan søke om parkeringstillatelse hos servicetorget.\n",
}


def _limit_file_size(size: int) -> Callable[[], None]:
    def limit() -> None:
        # A file-size limit makes every write past ``size`` bytes fail as a full disk would (EFBIG
        # instead of ENOSPC).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def _build(data: Path, knowledge: Path, *, limit: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDERBOT_")}
    env.update(LEDERBOT_DATA_DIR=str(data), LEDERBOT_INDEX__KNOWLEDGE_DIR=str(knowledge))
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", "index", "build"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size(limit),
    )


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_index_build_without_space(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name, text in DOCS.items():
        (knowledge / name).write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    # The previous index, built as `lederbot index build` builds it (in this process: one start less).
    said: list[str] = []
    build_index(Settings(data_dir=data, index={"knowledge_dir": knowledge}), say=said.append)
    assert said and said[-1].startswith("Indeksen er bygget")
    index = data / "index"
    before = _snapshot(index)
    assert {"manifest.json", "passages.jsonl", "vectors.npy"} <= set(before)

    # The documents grow, and the rebuild meets a full disk when it writes the passages: the disk
    # holds no more than the previous passages file.
    for name, text in DOCS.items():
        (knowledge / name).write_text(text.replace(".\n", ". Det gjelder alle ledere.\n"), encoding="utf-8")
    full = (index / "passages.jsonl").stat().st_size
    out = _build(data, knowledge, limit=full)
    assert out.returncode == 2, out.stderr[-2000:]
    assert "Ikke nok diskplass" in out.stderr and "lederbot index build" in out.stderr
    assert "Den forrige indeksen er urørt" in out.stderr
    assert "Traceback" not in out.stderr
    assert _snapshot(index) == before  # the previous index, byte for byte
    leftovers = [p.name for p in data.iterdir() if p.name.startswith(".index-") or p.name.endswith(".old")]
    assert not leftovers  # no half-written folder left
