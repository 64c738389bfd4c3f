"""No space for the index: a clear Norwegian error, and the previous index left as it was."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, ROOT

pytestmark = pytest.mark.integration


def _limit_file_size() -> None:
    # A file-size limit makes every write past 64 KiB fail as a full disk would (EFBIG instead of ENOSPC).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_index_build_without_space(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDERBOT_")}
    env.update(LEDERBOT_DATA_DIR=str(tmp_path), LEDERBOT_INDEX__KNOWLEDGE_DIR=str(KNOWLEDGE))
    out = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "index", "build"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_limit_file_size,
    )
    assert out.returncode == 2, out.stderr[-2000:]
    assert "Ikke nok diskplass" in out.stderr and "lederbot index build" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "index").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".index-")]  # no half-written folder left
