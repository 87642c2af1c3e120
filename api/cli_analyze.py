"""``voc analyze`` and ``voc themes``: the batch theme engine for analysts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from api.cli_common import console, migrated_engine, one_line_errors, settings
from api.cli_progress import progress_bars
from voc.db import session_scope
from voc.nlp_runtime import get_models
from voc.theme import service as theme_service
from voc.theme.models import AnalysisRun
from voc.theme.summary import ThemeSummary, summarise


def print_theme_table(summaries: list[ThemeSummary], *, limit: int | None = None) -> None:
    """Themes as a rich table: id, size, label, negative share, keywords."""
    table = Table(title="Themes", show_lines=False)
    table.add_column("id", justify="right")
    table.add_column("size", justify="right")
    table.add_column("label")
    table.add_column("negative", justify="right")
    table.add_column("keywords", overflow="fold", max_width=48)
    shown = summaries if limit is None else summaries[:limit]
    for s in shown:
        hidden = " [dim](hidden)[/]" if s.is_hidden else ""
        table.add_row(
            str(s.id),
            str(s.size),
            s.label + hidden,
            f"{s.negative_share:.0%}",
            ", ".join(s.keywords[:5]),
        )
    console.print(table)
    if limit is not None and len(summaries) > limit:
        console.print(f"... and {len(summaries) - limit} more themes (`voc themes` lists all)")


def print_run(run: AnalysisRun) -> None:
    """One line about a finished run."""
    unassigned = run.n_items - run.n_assigned
    console.print(
        f"run {run.id}: {run.n_items} items, {run.n_themes} themes, coverage "
        f"{(run.coverage or 0):.1%} ({unassigned} unassigned, candidates for new themes)"
    )


def analyze(
    file: Path | None = typer.Argument(None, help="CSV/JSON/JSONL to analyse; omit for the DB."),
    text_column: str | None = typer.Option(None, help="Column holding the text (FILE mode)."),
    id_column: str | None = typer.Option(None, help="Column holding a unique id (FILE mode)."),
    output: Path | None = typer.Option(None, help="CSV with every input row and its theme."),
    source: str = typer.Option("survey", help="Source of the file's rows: nps, survey, ticket."),
    seed: int | None = typer.Option(None, help="Random seed (default from settings)."),
) -> None:
    """Re-analyse the database, or run the whole pipeline on FILE and write OUTPUT."""
    if file is not None:
        from api.cli_analyze_file import analyze_file

        analyze_file(
            file,
            text_column=text_column,
            id_column=id_column,
            output=output,
            source=source,
            seed=seed,
        )
        return
    _analyze_database(seed)


@one_line_errors
def _analyze_database(seed: int | None) -> None:
    current = settings()
    engine = migrated_engine(current)
    models = get_models(current)
    with session_scope(engine) as session, progress_bars() as bars:
        run = theme_service.run_analysis(
            session,
            models=models,
            seed=seed if seed is not None else current.nlp.seed,
            batch_size=current.nlp.batch_size,
            progress=bars,
        )
        summaries = summarise(session)
    print_theme_table(summaries)
    print_run(run)


@one_line_errors
def themes(
    include_hidden: bool = typer.Option(True, help="Also list hidden themes."),
) -> None:
    """List the themes in the database."""
    engine = migrated_engine(settings())
    with session_scope(engine) as session:
        summaries = summarise(session, include_hidden=include_hidden)
    if not summaries:
        console.print("No themes yet: run `voc ingest FILE` then `voc analyze`.")
        return
    print_theme_table(summaries)
