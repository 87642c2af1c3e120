"""An NPS campaign report as JSON data, self-contained HTML (inline SVG), Markdown or CSV tables.

HTML, Markdown and CSV show the tables declared once in :mod:`api.report_tables`. HTML renders
through the app's one Jinja2 environment (:func:`api.pages.templating.environment`), so customer
text is escaped there as on every page. CSV text cells a spreadsheet could run as a formula are
neutralised (:func:`voc.export.neutralise_formula`).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from api.pages.templating import environment
from api.report_tables import Table, report_tables
from voc.campaign.schemas import CampaignReport
from voc.export import neutralise_formula


def to_dict(report: CampaignReport) -> dict[str, Any]:
    """The report as JSON-ready data (datetimes as ISO strings, shares included)."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    data = convert(dataclasses.asdict(report))
    for key in ("overall", "previous"):
        est = getattr(report, key)
        if est is not None:
            data[key].update(
                promoter_share=est.promoter_share,
                passive_share=est.passive_share,
                detractor_share=est.detractor_share,
            )
    return dict(data)


def _csv_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def _csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = table.csv_columns
    writer.writerow([c.csv for c in columns])
    writer.writerows([_csv_value(c.value(row)) for c in columns] for row in table.rows)
    return buffer.getvalue()


def csv_tables(report: CampaignReport) -> dict[str, str]:
    """CSV text of every table, keyed by its file suffix ("" for the main table)."""
    return {table.name: _csv_text(table) for table in report_tables(report)}


def _md_cell(value: Any) -> str:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _md_table(table: Table) -> str:
    columns = table.shown_columns
    lines = ["| " + " | ".join(_md_cell(c.heading) for c in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    lines += ["| " + " | ".join(_md_cell(c.shown(r)) for c in columns) + " |" for r in table.rows]
    return "\n".join(lines)


def to_markdown(report: CampaignReport) -> str:
    """The report as Markdown: the headline figures, then every table that has rows."""
    o = report.overall
    parts = [
        f"# NPS report: {_md_cell(report.campaign)}",
        f"NPS **{o.nps:.0f}** (95% CI {o.ci_low:.0f} to {o.ci_high:.0f}), n = {o.n}: "
        f"{o.promoters} promoters, {o.passives} passives, {o.detractors} detractors.",
    ]
    if report.change:
        parts.append(f"Since {_md_cell(report.change.compared_to)}: {report.change.statement}.")
    for table in report_tables(report):
        if table.rows and table.shown_columns:
            parts += [f"## {_md_cell(table.title)}", _md_table(table)]
    parts += [f"> {_md_cell(n)}" for n in report.notes]
    return "\n\n".join(parts) + "\n"


def interval_rows(
    rows: Sequence[tuple[str, float, float, float]], width: int = 420, row_height: int = 22
) -> dict[str, Any]:
    """Geometry of a dot-and-whisker SVG chart (labels are escaped by the template)."""
    if not rows:
        return {"rows": [], "height": 0, "width": width, "zero": 0.0}
    low = min(min(r[2] for r in rows), 0.0)
    high = max(max(r[3] for r in rows), 0.0)
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return round(8 + (width - 16) * (v - low) / span, 1)

    return {
        "width": width,
        "height": row_height * len(rows) + 10,
        "zero": x(0.0),
        "rows": [
            {
                "label": r[0],
                "value": r[1],
                "x": x(r[1]),
                "x1": x(r[2]),
                "x2": x(r[3]),
                "y": row_height * i + row_height // 2 + 4,
                "negative": r[3] < 0,
                "positive": r[2] > 0,
            }
            for i, r in enumerate(rows)
        ],
    }


def to_html(report: CampaignReport) -> str:
    """The self-contained HTML report (no external assets; customer text escaped)."""
    impacts = interval_rows([(t.label, t.impact, t.ci_low, t.ci_high) for t in report.impacts])
    drivers = interval_rows(
        [(d.label, d.effect, d.effect_ci_low, d.effect_ci_high) for d in report.drivers]
    )
    groups = interval_rows(
        [(g.key, g.estimate.nps, g.estimate.ci_low, g.estimate.ci_high) for g in report.groups]
    )
    return (
        environment()
        .get_template("reports/nps.html")
        .render(
            report=report,
            tables={table.name: table for table in report_tables(report)},
            impacts_chart=impacts,
            drivers_chart=drivers,
            groups_chart=groups,
        )
    )
