"""What the CLI prints about themes and runs (shared by ``voc analyze``, ``voc themes``, demo)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from api.cli_common import console
from voc.theme.models import AnalysisRun
from voc.theme.schemas import ParentSummary, ThemeSummary


def print_theme_table(summaries: Sequence[ThemeSummary], *, limit: int | None = None) -> None:
    """Themes as a rich table: id, size, label, negative share, keywords (and parent, if any)."""
    table = Table(title="Themes", show_lines=False)
    table.add_column("id", justify="right")
    table.add_column("size", justify="right")
    table.add_column("label", min_width=24)  # the column a reader scans: narrow ones fold first
    table.add_column("negative", justify="right")
    table.add_column("keywords", overflow="fold", max_width=48)
    shown = summaries if limit is None else summaries[:limit]
    with_parents = any(s.parent_label for s in shown)
    if with_parents:
        table.add_column("parent", overflow="fold", max_width=32)
    for s in shown:
        hidden = " [dim](hidden)[/]" if s.is_hidden else ""
        cells = [
            str(s.id),
            str(s.size),
            s.label + hidden,
            f"{s.negative_share or 0.0:.0%}",
            ", ".join(s.keywords[:5]),
        ]
        if with_parents:
            cells.append(f"{s.parent_label} ({s.parent_id})" if s.parent_label else "")
        table.add_row(*cells)
    console.print(table)
    if limit is not None and len(summaries) > limit:
        console.print(f"... and {len(summaries) - limit} more themes (`voc themes` lists all)")


def print_parent_table(parents: Sequence[ParentSummary]) -> None:
    """Parent themes as a rich table: id, size, label, negative share, its themes' ids."""
    table = Table(title="Parent themes", show_lines=False)
    table.add_column("id", justify="right")
    table.add_column("size", justify="right")
    table.add_column("label")
    table.add_column("negative", justify="right")
    table.add_column("themes", overflow="fold", max_width=40)
    for p in parents:
        table.add_row(
            str(p.id),
            str(p.size),
            p.label,
            f"{p.negative_share or 0.0:.0%}",
            ", ".join(str(t) for t in p.theme_ids),
        )
    console.print(table)


def print_run(run: AnalysisRun) -> None:
    """One line about a finished run."""
    unassigned = run.n_items - run.n_assigned
    console.print(
        f"run {run.id}: {run.n_items} items, {run.n_themes} themes, coverage "
        f"{(run.coverage or 0):.1%} ({unassigned} unassigned, candidates for new themes)"
    )
