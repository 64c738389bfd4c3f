"""The usage report as JSON, CSV or one self-contained HTML page with charts (no external scripts)."""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

COLUMNS = (
    "key",
    "leaders",
    "questions",
    "answered_share",
    "helpful_share",
    "not_helpful_share",
    "reflections_started",
    "reflections_completed",
    "suppressed",
)
LABELS = {
    "unit": "enhet",
    "level": "nivå",
    "month": "måned",
    "week": "uke",
    "channel": "kanal",
    "theme": "refleksjonstema",
}


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    raise ValueError(f"format must be json, csv or html, not {fmt!r}")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A spreadsheet must not run a cell as a formula: text starting with = + - @ tab or CR gets a ' first.

    Numbers stay numbers (a negative count cannot occur; a share is never negative).
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in report["groups"]:
        writer.writerow({k: safe_cell(v) for k, v in {**row, "suppressed": bool(row.get("suppressed"))}.items()})
    total = report["total"]
    writer.writerow({"key": "TOTALT", **total, "suppressed": bool(total.get("suppressed"))})
    return buffer.getvalue()


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)} %"


def _bars(rows: list[dict[str, Any]], field: str, *, percent: bool, title: str) -> str:
    shown = [r for r in rows if not r.get("suppressed") and r.get(field) is not None]
    if not shown:
        return ""
    top = max(float(r[field]) for r in shown) or 1.0
    height = 28 * len(shown) + 30
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="640" height="{height}" viewBox="0 0 640 {height}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, row in enumerate(shown):
        y = 30 + 28 * i
        width = 380 * float(row[field]) / (1.0 if percent else top)
        label = _pct(row[field]) if percent else str(row[field])
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{html.escape(str(row["key"]))[:28]}</text>')
        parts.append(f'<rect x="200" y="{y}" width="{width:.1f}" height="20" fill="#1d4f73"></rect>')
        parts.append(f'<text x="{205 + width:.1f}" y="{y + 15}" font-size="12">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _html(report: dict[str, Any]) -> str:
    by = LABELS.get(report.get("by", ""), report.get("by", ""))
    rows = report["groups"]
    body = []
    for row in rows:
        if row.get("suppressed"):
            body.append(
                f"<tr><td>{html.escape(str(row['key']))}</td>"
                f"<td colspan='6'>Skjult: færre enn {report['min_group_size']} ledere</td></tr>"
            )
        else:
            body.append(
                f"<tr><td>{html.escape(str(row['key']))}</td><td>{row['leaders']}</td><td>{row['questions']}</td>"
                f"<td>{_pct(row['answered_share'])}</td><td>{_pct(row['helpful_share'])}</td>"
                f"<td>{row['reflections_started']}</td><td>{row['reflections_completed']}</td></tr>"
            )
    total = report["total"]
    total_row = (
        "<tr><th>Totalt</th><td colspan='6'>Skjult, så ingen skjult gruppe kan regnes ut</td></tr>"
        if total.get("suppressed")
        else f"<tr><th>Totalt</th><td>{total['leaders']}</td><td>{total['questions']}</td>"
        f"<td>{_pct(total['answered_share'])}</td><td>{_pct(total['helpful_share'])}</td>"
        f"<td>{total['reflections_started']}</td><td>{total['reflections_completed']}</td></tr>"
    )
    period = report.get("period") or {}
    span = period.get("label") or f"{period.get('from') or '–'} – {period.get('to') or '–'}"
    return f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>lederbot – bruk per {html.escape(by)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }}
.note {{ color: #555; max-width: 48rem; }}
</style></head>
<body>
<h1>Bruk av lederbot per {html.escape(by)}</h1>
<p class="note">Periode: {html.escape(span)}. Grupper med færre enn {report["min_group_size"]} aktive ledere vises ikke,
og heller ikke tall som lar dem regnes ut. Bare hele, avsluttede uker og måneder vises.
Ingen navn, e-post, bruker-ID eller spørsmålstekst er med.</p>
{_bars(rows, "questions", percent=False, title="Spørsmål")}
{_bars(rows, "answered_share", percent=True, title="Andel besvart")}
<table><thead><tr><th>{html.escape(by.capitalize())}</th><th>Ledere</th><th>Spørsmål</th><th>Besvart</th>
<th>Nyttig</th><th>Refleksjoner startet</th><th>Refleksjoner fullført</th></tr></thead>
<tbody>{"".join(body)}{total_row}</tbody></table>
</body></html>
"""
