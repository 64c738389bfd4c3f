"""Cold start to ready: `lederbot serve --slack-http` from process start until /healthz answers 200.

Usage:  python bench/cold_start.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loopback.ports import free_port  # noqa: E402


def once() -> float:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench-secret",
            "LEDERBOT_PSEUDONYM_KEY": "bench-pseudonym-key-0123456789",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "LEDERBOT_DATABASE_URL": f"sqlite:///{tmp}/b.db",
        }
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "handlers.cli", "serve", "--slack-http", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while time.perf_counter() - started < 120:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                except OSError:
                    pass
                time.sleep(0.05)
            raise RuntimeError("never became ready")
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [once() for _ in range(args.runs)]
    report = {"runs_s": [round(r, 2) for r in runs], "median_s": round(statistics.median(runs), 2)}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "cold_start.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
