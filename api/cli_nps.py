"""``voc nps report`` and ``voc campaigns``: batch NPS campaign analysis from the command line.

The lead mounts them in ``api/cli.py``::

    app.add_typer(nps_app, name="nps")
    app.command("campaigns")(campaigns)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api import report_render
from api.cli_common import (
    ThemeLevel,
    console,
    fail,
    field_flags,
    migrated_engine,
    one_line_errors,
    settings,
)
from voc.campaign import service
from voc.campaign.schemas import CampaignReport
from voc.db import session_scope

nps_app = typer.Typer(help="NPS campaign analysis.", no_args_is_help=True)
FORMATS = (".html", ".json", ".csv", ".md")


def _target(path: Path) -> Path:
    """The output file, refused before any work when its format or folder is wrong."""
    if path.suffix.lower() not in FORMATS:
        raise fail(f"--output {path}: use one of {', '.join(FORMATS)}")
    if not path.parent.exists():
        raise fail(f"--output {path}: folder {path.parent} does not exist")
    return path


def write_report(report: CampaignReport, target: Path) -> list[Path]:
    """Write the report in the format of the file's extension; return every file written.

    CSV writes the main table (overall NPS and change) to ``target`` and each other table
    beside it with a suffix: ``report.csv``, ``report.groups.csv``, ``report.themes.csv``,
    ``report.drivers.csv``, ``report.emerging.csv``, ``report.accounts.csv``,
    ``report.theme_arr.csv``.
    """
    suffix = target.suffix.lower()
    if suffix == ".csv":
        written = []
        for name, text in report_render.csv_tables(report).items():
            path = target if not name else target.with_name(f"{target.stem}.{name}{target.suffix}")
            path.write_text(text, encoding="utf-8", newline="")
            written.append(path)
        return written
    if suffix == ".json":
        text = json.dumps(report_render.to_dict(report), indent=2, allow_nan=False) + "\n"
    else:
        text = (
            report_render.to_html(report)
            if suffix == ".html"
            else report_render.to_markdown(report)
        )
    target.write_text(text, encoding="utf-8")
    return [target]


@nps_app.command("report")
@one_line_errors
def report(
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign to analyse.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File: .html, .json, .csv or .md.")
    ],
    compare: Annotated[
        str | None, typer.Option("--compare", help="Earlier campaign to compare.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Group by segment, plan, region or any metadata field."),
    ] = None,
    level: Annotated[
        ThemeLevel,
        typer.Option("--level", help="Theme impact and drivers over fine themes or parent themes."),
    ] = ThemeLevel.THEME,
) -> None:
    """Write a campaign report: NPS with intervals, change, groups, themes, drivers, accounts."""
    target = _target(output)
    current = settings()
    engine = migrated_engine(current)
    flags = field_flags(campaign="--campaign", compare="--compare", by="--by")
    with flags, session_scope(engine) as session:
        result = service.build_report(
            session,
            campaign=campaign,
            compare=compare,
            by=by,
            options=service.options_from_settings(current),
            weights=service.weights_from_settings(current),
            level=level.value,
        )
        files = write_report(result, target)
    o = result.overall
    console.print(
        f"{campaign}: NPS {o.nps:.0f} (95% CI {o.ci_low:.0f} to {o.ci_high:.0f}, n={o.n})",
        highlight=False,
    )
    if result.change:
        console.print(f"since {compare}: {result.change.statement}", highlight=False)
    for path in files:
        console.print(f"wrote {path}", highlight=False)


@one_line_errors
def campaigns() -> None:
    """List campaigns with response counts and NPS."""
    engine = migrated_engine(settings())
    with session_scope(engine) as session:
        rows = service.list_campaigns(session)
    if not rows:
        console.print("no campaigns yet: import feedback with a campaign column")
        return
    console.print(f"{'campaign':<32} {'responses':>9} {'scored':>7} {'NPS':>5}  95% CI")
    for row in rows:
        est = row.estimate
        nps = f"{est.nps:5.0f}  {est.ci_low:.0f} to {est.ci_high:.0f}" if est else "    -"
        console.print(
            f"{row.name:<32} {row.n_responses:>9} {row.n_scored:>7} {nps}", highlight=False
        )
