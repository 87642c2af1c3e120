"""``voc nps report`` and ``voc campaigns``: batch NPS campaign analysis from the command line.

The lead mounts them in ``api/cli.py``::

    app.add_typer(nps_app, name="nps")
    app.command("campaigns")(campaigns)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import console, migrated_engine, one_line_errors, settings
from voc.campaign import report_render, service
from voc.db import session_scope

nps_app = typer.Typer(help="NPS campaign analysis.", no_args_is_help=True)


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
) -> None:
    """Write a campaign report: NPS with intervals, change, groups, themes, drivers, accounts."""
    current = settings()
    engine = migrated_engine(current)
    with session_scope(engine) as session:
        result = service.build_report(
            session,
            campaign=campaign,
            compare=compare,
            by=by,
            options=service.options_from_settings(current),
            weights=service.weights_from_settings(current),
        )
        files = report_render.write_report(result, output)
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
