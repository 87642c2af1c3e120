"""Writers of a campaign report: HTML (self-contained, inline SVG), JSON, CSV tables, Markdown.

The format follows the file's extension. CSV writes the main table (overall NPS and change) to
the given file and each other table beside it with a suffix: ``report.csv``,
``report.groups.csv``, ``report.themes.csv``, ``report.drivers.csv``, ``report.emerging.csv``,
``report.accounts.csv``, ``report.theme_arr.csv``. Text cells that a spreadsheet would run as a
formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from voc.campaign.schemas import CampaignReport
from voc.errors import InvalidInput
from voc.export import neutralise_formula

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
FORMATS = (".html", ".json", ".csv", ".md")


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


def _safe(value: Any) -> Any:
    return neutralise_formula(value) if isinstance(value, str) else value


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[prefix + key] = "; ".join(
                v["name"] + "=" + str(v["value"]) if isinstance(v, dict) else str(v) for v in value
            )
        else:
            out[prefix + key] = value
    return out


def csv_tables(report: CampaignReport) -> dict[str, list[dict[str, Any]]]:
    """The report's tables as lists of flat rows, keyed by table name."""
    data = to_dict(report)
    main = {"campaign": report.campaign, **_flat(data["overall"], "nps.")}
    if data["change"]:
        main.update(_flat(data["change"], "change."))
    return {
        "": [main],
        "groups": [_flat(g) for g in data["groups"]],
        "themes": [_flat(t) for t in data["impacts"]],
        "drivers": [_flat(d) for d in data["drivers"]],
        "emerging": [_flat(e) for e in data["emerging"]],
        "accounts": [_flat(a) for a in data["accounts"]],
        "theme_arr": [_flat(t) for t in data["theme_arr"]],
    }


def write_csv(report: CampaignReport, path: Path) -> list[Path]:
    """Write the main table to ``path`` and the others beside it; return every file written."""
    written = []
    for name, rows in csv_tables(report).items():
        target = path if not name else path.with_name(f"{path.stem}.{name}{path.suffix}")
        fields: list[str] = list(dict.fromkeys(k for row in rows for k in row)) or ["empty"]
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows({k: _safe(v) for k, v in row.items()} for row in rows)
        written.append(target)
    return written


def _md_cell(value: Any) -> str:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(report: CampaignReport) -> str:
    """The report as Markdown tables."""
    o = report.overall
    parts = [
        f"# NPS report: {_md_cell(report.campaign)}",
        f"NPS **{o.nps:.0f}** (95% CI {o.ci_low:.0f} to {o.ci_high:.0f}), n = {o.n}: "
        f"{o.promoters} promoters, {o.passives} passives, {o.detractors} detractors.",
    ]
    if report.change:
        parts.append(f"Since {_md_cell(report.change.compared_to)}: {report.change.statement}.")
    if report.groups:
        parts += [
            f"## By {_md_cell(report.by)}",
            _md_table(
                ["group", "n", "NPS", "CI low", "CI high", "rank"],
                [
                    [
                        g.key,
                        g.estimate.n,
                        g.estimate.nps,
                        g.estimate.ci_low,
                        g.estimate.ci_high,
                        "small" if g.is_small else g.rank,
                    ]
                    for g in report.groups
                ],
            ),
        ]
    parts += [
        "## Theme impact",
        _md_table(
            ["theme", "n", "share", "respondents' NPS", "impact", "CI low", "CI high", "small"],
            [
                [
                    t.label,
                    t.n_respondents,
                    t.share,
                    t.respondents_nps,
                    t.impact,
                    t.ci_low,
                    t.ci_high,
                    t.is_small,
                ]
                for t in report.impacts
            ],
        ),
    ]
    parts += [
        "## Key drivers",
        _md_table(
            [
                "rank",
                "theme",
                "effect",
                "CI low",
                "CI high",
                "modelled impact",
                "impact rank",
                "flag",
            ],
            [
                [
                    d.rank,
                    d.label,
                    d.effect,
                    d.effect_ci_low,
                    d.effect_ci_high,
                    d.modelled_impact,
                    d.impact_rank,
                    d.disagreement or "",
                ]
                for d in report.drivers
            ],
        ),
    ]
    if report.emerging:
        parts += [
            "## Emerging themes",
            _md_table(
                ["theme", "share", "previous share", "p", "BH p", "new", "emerging"],
                [
                    [
                        e.label,
                        e.share,
                        e.previous_share,
                        f"{e.p_value:.3g}",
                        f"{e.p_adjusted:.3g}",
                        e.is_new,
                        e.is_emerging,
                    ]
                    for e in report.emerging
                ],
            ),
        ]
    if report.accounts:
        parts += [
            "## Call this week",
            _md_table(
                ["rank", "account", "health", "ARR", "reason"],
                [[a.rank, a.name, a.score, a.arr or "", a.reason] for a in report.accounts],
            ),
        ]
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
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"], default=True),
    )
    impacts = interval_rows([(t.label, t.impact, t.ci_low, t.ci_high) for t in report.impacts])
    drivers = interval_rows(
        [(d.label, d.effect, d.effect_ci_low, d.effect_ci_high) for d in report.drivers]
    )
    groups = interval_rows(
        [(g.key, g.estimate.nps, g.estimate.ci_low, g.estimate.ci_high) for g in report.groups]
    )
    return env.get_template("reports/nps.html").render(
        report=report, impacts_chart=impacts, drivers_chart=drivers, groups_chart=groups
    )


def write_report(report: CampaignReport, path: str | Path) -> list[Path]:
    """Write the report in the format named by the file's extension; return the files."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"--output {target}: use one of {', '.join(FORMATS)}")
    if not target.parent.exists():
        raise InvalidInput(f"--output {target}: folder {target.parent} does not exist")
    if suffix == ".csv":
        return write_csv(report, target)
    text = {
        ".html": to_html,
        ".json": lambda r: json.dumps(to_dict(r), indent=2, allow_nan=False) + "\n",
        ".md": to_markdown,
    }[suffix](report)
    target.write_text(text, encoding="utf-8")
    return [target]
