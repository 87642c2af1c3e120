"""``voc ingest FILE``: import feedback from CSV, JSON or JSONL in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.orm import Session

from api.cli_common import console, err_console, migrated_engine, one_line_errors, settings
from voc.db import session_factory, session_scope
from voc.feedback import service as feedback_service
from voc.feedback.date_bounds import DateBounds
from voc.feedback.ingest import parse_mapping
from voc.feedback.models import Source
from voc.feedback.schemas import IngestSummary

MAP_HELP = (
    "FIELD=COLUMN pairs, comma separated or repeated: text=Comment,score=NPS. Fields: text, "
    "score, created_at, external_id, email, name, account, segment, plan, arr, region, "
    "campaign, source, consent. Unmapped fields are detected from common column names."
)


FileArg = Annotated[Path, typer.Argument(help="CSV (any delimiter), JSON array or JSONL file.")]
SourceOpt = Annotated[
    Source | None,
    typer.Option("--source", help="Source of rows without a source column (nps, survey, ticket)."),
]
CampaignOpt = Annotated[
    str | None, typer.Option("--campaign", help="Campaign of rows without a campaign column.")
]
MapOpt = Annotated[list[str] | None, typer.Option("--map", help=MAP_HELP)]
RejectsOpt = Annotated[
    Path | None,
    typer.Option("--rejects", help="Write rejected rows (line, field, reason, row) to this CSV."),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and count; store nothing.")]


@one_line_errors
def ingest(
    file: FileArg,
    source: SourceOpt = None,
    campaign: CampaignOpt = None,
    map_: MapOpt = None,
    rejects: RejectsOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Import feedback; bad rows are reported, a broken file changes nothing."""
    mapping = parse_mapping(map_ or [])
    current = settings()
    engine = migrated_engine(current)
    with _progress() as bar:
        task = bar.add_task(
            "ingest", total=max(file.stat().st_size if file.is_file() else 0, 1), rows=0
        )

        def progress(done: int, rows: int) -> None:
            bar.update(task, completed=done, rows=rows)

        def run(session: Session) -> IngestSummary:
            return feedback_service.ingest_file(
                session,
                file,
                source=source,
                campaign=campaign,
                mapping=mapping,
                rejects_path=rejects,
                progress=progress,
                bounds=DateBounds(floor=current.feedback.date_floor),
            )

        if dry_run:
            session = session_factory(engine)()
            try:
                summary = run(session)
            finally:
                session.rollback()
                session.close()
            summary.dry_run = True
        else:
            with session_scope(engine) as session:
                summary = run(session)
    _print_summary(summary)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]ingest[/]"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _print_summary(summary: IngestSummary) -> None:
    table = Table(title=f"{summary.path}{' (dry run: nothing stored)' if summary.dry_run else ''}")
    table.add_column("rows read", justify="right")
    table.add_column("inserted", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("unchanged", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_row(
        *(f"{n:,}" for n in (summary.rows_read, summary.inserted, summary.updated)),
        *(f"{n:,}" for n in (summary.unchanged, summary.rejected)),
        f"{summary.rows_per_second:,.0f}",
    )
    console.print(table)
    if summary.customers_created or summary.accounts_created:
        console.print(
            f"new customers: {summary.customers_created:,}, "
            f"new accounts: {summary.accounts_created:,}"
        )
    for error in summary.errors[:20]:
        where = f"line {error.line}" + (f", {error.field}" if error.field else "")
        console.print(f"  rejected {where}: {error.reason}", highlight=False, markup=False)
    if summary.rejected > 20:
        more = summary.rejected - 20
        hint = f"; all in {summary.rejects_path}" if summary.rejects_path else "; use --rejects"
        console.print(f"  ... and {more:,} more rejected rows{hint}", highlight=False)
