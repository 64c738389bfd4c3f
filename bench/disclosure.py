"""How long the HR publication (disclosure control over every week and month) takes to compute.

Synthetic but shaped like a municipality: 400 leaders in 30 units and 5 levels, 120 of them active
each week over a year, two channels, three themes. Prints the time and how many cells are shown.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analytics.disclosure import Activity, Membership, publish  # noqa: E402


def main(weeks: int = 52, units: int = 30, leaders: int = 400, active: int = 120) -> None:
    rng = random.Random(1)
    names = [f"Enhet {i}" for i in range(units)]
    levels = [f"nivå {i}" for i in range(5)]
    people = [(f"p{i}", rng.choice(names), rng.choice(levels)) for i in range(leaders)]
    members = [Membership(i, u, lv, True, datetime(2024, 1, 1, tzinfo=UTC)) for i, (_, u, lv) in enumerate(people)]
    activities = []
    for w in range(weeks):
        year, week, _ = (date(2025, 1, 6) + timedelta(weeks=w)).isocalendar()
        for person, unit, level in rng.sample(people, active):
            channel = rng.choice(["slack", "teams"])
            theme = rng.choice(["(spørsmål)", "verdier", "roller"])
            activities.append(
                Activity(person, True, channel, unit, level, channel, theme, f"{year}-U{week:02d}", "question")
            )
    started = time.perf_counter()
    published = publish(
        activities,
        k=5,
        memberships=members,
        always={"channel": ("slack", "teams", "terminal")},
        now=datetime(2026, 1, 20, tzinfo=UTC),
    )
    seconds = time.perf_counter() - started
    shown = sum(v is not None for v in published.cells.values())
    print(
        f"disclosure: {len(activities)} activities, {len(published.weeks)} weeks, {len(published.months)} months, "
        f"{len(published.cells)} cells ({shown} shown) in {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
