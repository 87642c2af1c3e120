"""``voc analyze FILE``: the whole pipeline on one file, with a per-row CSV output."""

from __future__ import annotations

import csv
from pathlib import Path

from api.cli_common import console, migrated_engine, one_line_errors, settings
from api.cli_print import print_run, print_theme_table
from api.cli_progress import progress_bars
from voc.db import session_scope
from voc.errors import InvalidInput
from voc.export import neutralise_formula
from voc.feedback.date_bounds import DateBounds
from voc.feedback.models import Source
from voc.feedback.reader import FeedbackFile
from voc.nlp_runtime import get_models
from voc.theme import queries as theme_queries
from voc.theme.file_analysis import FileAnalysis, ItemOutcome
from voc.theme.file_analysis import analyze_file as run_file

EXTRA_COLUMNS = (
    "theme_id",
    "theme_label",
    "theme_confidence",
    "sentiment",
    "sentiment_score",
    "kind",
    "kind_confidence",
)


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is neutralised."""
    if value is None:
        return ""
    return neutralise_formula(value) if isinstance(value, str) else str(value)


def _extra(outcome: ItemOutcome | None) -> list[str]:
    if outcome is None:
        return [""] * len(EXTRA_COLUMNS)
    assigned = outcome.theme_id is not None
    return [
        str(outcome.theme_id) if assigned else "",
        _cell(outcome.theme_label) if assigned else "",
        f"{outcome.confidence:.3f}" if assigned and outcome.confidence is not None else "",
        outcome.sentiment or "",
        f"{outcome.sentiment_score:.3f}" if outcome.sentiment_score is not None else "",
        outcome.kind or "",
        f"{outcome.kind_confidence:.3f}" if outcome.kind_confidence is not None else "",
    ]


def write_output(path: Path, source_file: Path, analysis: FileAnalysis) -> int:
    """Every input row with its theme, sentiment and kind columns; returns rows written."""
    reader = FeedbackFile(source_file)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        header: list[str] | None = None
        for record in reader.records():
            if header is None:
                header = list(reader.columns or record.values.keys())
                writer.writerow([*header, *EXTRA_COLUMNS])
            item = analysis.line_to_item.get(record.line)
            outcome = analysis.outcomes.get(item) if item is not None else None
            values = [_cell(record.values.get(column)) for column in header]
            writer.writerow([*values, *_extra(outcome)])
            written += 1
    return written


@one_line_errors
def analyze_file(
    file: Path,
    *,
    text_column: str | None,
    id_column: str | None,
    output: Path | None,
    source: str,
    seed: int | None,
) -> None:
    """Ingest FILE, analyse its items, print the theme table, write OUTPUT."""
    try:
        kind = Source(source)
    except ValueError:
        raise InvalidInput(
            f"--source must be one of nps, survey, ticket (got {source!r})"
        ) from None
    if output is not None and output.resolve() == file.resolve():
        raise InvalidInput("--output must not overwrite the input file")
    current = settings()
    engine = migrated_engine(current)
    models = get_models(current)
    with session_scope(engine) as session, progress_bars() as bars:
        analysis = run_file(
            session,
            file,
            text_column=text_column,
            id_column=id_column,
            source=kind,
            models=models,
            seed=seed if seed is not None else current.nlp.seed,
            batch_size=current.nlp.batch_size,
            progress=bars,
            bounds=DateBounds(floor=current.feedback.date_floor),
            product_names=current.nlp.product_names,
        )
        scope = {o.theme_id for o in analysis.outcomes.values() if o.theme_id is not None}
        listing = theme_queries.list_themes(session, include_hidden=True)
        summaries = [s for s in listing.themes if s.id in scope]
    print_theme_table(summaries)
    summary = analysis.summary
    console.print(
        f"read {summary.rows_read} rows: {summary.inserted} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.rejected} rejected"
    )
    print_run(analysis.run)
    if output is not None:
        rows = write_output(output, file, analysis)
        console.print(f"wrote {rows} rows to {output}")
