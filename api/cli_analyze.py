"""``voc analyze`` and ``voc themes``: the batch theme engine for analysts."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli_analyze_file import analyze_file
from api.cli_common import ThemeLevel, console, migrated_engine, one_line_errors, settings
from api.cli_print import print_parent_table, print_run, print_theme_table
from api.cli_progress import progress_bars
from voc.db import session_scope
from voc.nlp_runtime import get_models
from voc.theme import queries as theme_queries
from voc.theme import service as theme_service


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
            product_names=current.nlp.product_names,
            batch_size=current.nlp.batch_size,
            progress=bars,
        )
        summaries = theme_queries.list_themes(session, include_hidden=True).themes
    print_theme_table(summaries)
    print_run(run)


@one_line_errors
def themes(
    include_hidden: bool = typer.Option(True, help="Also list hidden themes."),
    level: ThemeLevel = typer.Option(
        ThemeLevel.THEME, "--level", help="Fine themes (with their parent) or parent themes."
    ),
) -> None:
    """List the themes in the database (``--level parent``: the parent themes)."""
    engine = migrated_engine(settings())
    with session_scope(engine) as session:
        if level is ThemeLevel.PARENT:
            listing = theme_queries.list_parents(session, include_hidden=include_hidden)
            parents, has_themes = listing.parents, bool(listing.themes)
        else:
            summaries = theme_queries.list_themes(session, include_hidden=include_hidden).themes
            has_themes = bool(summaries)
    if not has_themes:
        console.print("No themes yet: run `voc ingest FILE` then `voc analyze`.")
        return
    if level is ThemeLevel.THEME:
        print_theme_table(summaries)
    elif parents:
        print_parent_table(parents)
    else:
        console.print("No parent themes yet: the next `voc analyze` groups the themes.")
