"""HR's access to the figures from chat: the report and an overview, each access audited."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.analytics import audit
from bot.analytics.figures import usage
from bot.analytics.report import render
from bot.clock import Clock, utc_now
from bot.store.db import Database


@dataclass(frozen=True)
class HrReport:
    summary: str
    html: str
    filename: str


class HrService:
    def __init__(self, *, database: Database, min_group_size: int, clock: Clock = utc_now) -> None:
        self._db = database
        self._min = min_group_size
        self._clock = clock

    def overview(self, *, actor: str) -> str:
        """A few lines per unit for App Home (suppressed groups say so)."""
        report = usage(self._db, by="unit", min_group_size=self._min, now=self._clock())
        audit.record(self._db, actor=actor, action="home_overview", parameters={"by": "unit"}, at=self._clock())
        return _summary(report)

    def report(self, *, actor: str, by: str = "unit") -> HrReport:
        report = usage(self._db, by=by, min_group_size=self._min, now=self._clock())
        audit.record(
            self._db, actor=actor, action="chat_report", parameters={"by": by, "format": "html"}, at=self._clock()
        )
        day = self._clock().strftime("%Y-%m-%d")
        return HrReport(
            summary=_summary(report), html=render(report, "html"), filename=f"lederbot-bruk-{by}-{day}.html"
        )


def _summary(report: dict[str, object]) -> str:
    groups = report["groups"]
    assert isinstance(groups, list)
    if not groups:
        return texts.HOME_HR_EMPTY
    period = report.get("period") or {}
    lines = [f"{period['label']}:"] if isinstance(period, dict) and period.get("label") else []
    for group in groups:
        if group.get("suppressed"):
            lines.append(texts.HR_LINE_SUPPRESSED.format(key=group["key"], min_group=report["min_group_size"]))
        else:
            share = group["answered_share"]
            lines.append(
                texts.HR_LINE.format(
                    key=group["key"],
                    leaders=group["leaders"],
                    questions=group["questions"],
                    answered="–" if share is None else f"{round(100 * share)} %",
                )
            )
    return "\n".join(lines)
