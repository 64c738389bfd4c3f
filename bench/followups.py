"""Follow-ups: how many elliptic follow-ups are answered from the right passage, with the previous
question as context (the conversation) and without it.

Usage:  python bench/followups.py [bench/followups.yaml]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.text import fold_text  # noqa: E402
from bot.assistant import build_assistant, is_follow_up  # noqa: E402
from bot.config import Settings  # noqa: E402


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "followups.yaml"
    pairs = yaml.safe_load(path.read_text(encoding="utf-8"))
    assistant = build_assistant(Settings.load())
    assistant.load()
    with_context = without = sure_right = sure_wrong = 0
    for n, pair in enumerate(pairs):
        expect = [fold_text(e) for e in pair["expect"]]
        assistant.ask(pair["q"], conversation=f"bench:{n}")
        answer = assistant.ask(pair["then"], conversation=f"bench:{n}")
        alone = assistant.ask(pair["then"])
        ok = answer.answered and any(e in fold_text(answer.passage) for e in expect)
        ok_alone = alone.answered and any(e in fold_text(alone.passage) for e in expect)
        with_context += ok
        without += ok_alone
        sure_right += ok and answer.tier == "sure"
        sure_wrong += not ok and answer.tier == "sure"
        mark = "ok " if ok else "MISS"
        print(f"{mark} {pair['then']!r} after {pair['q']!r} (follow-up: {is_follow_up(pair['then'])}, {answer.tier})")
    print(
        f"SUMMARY FOLLOWUPS={with_context}/{len(pairs)} WITHOUT_CONTEXT={without}/{len(pairs)} "
        f"SURE_RIGHT={sure_right} SURE_WRONG={sure_wrong}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
