"""Analysis runs: history with coverage, what each run changed (lineage), run-now button."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import JobQueueDep, SessionDep, SettingsDep
from api.pages.deps import Curator, Reader
from api.pages.export import Cell, csv_response
from api.pages.routing import PageRoute
from api.pages.templating import flash, render
from voc.errors import VocError
from voc.theme import runs as run_queries
from voc.theme.schemas import LineageRead, RunRead
from voc.user.models import Permission

router = APIRouter(route_class=PageRoute)

RUNS_PER_PAGE = 30
RUN_CSV_HEADER = (
    "run_id", "status", "trigger", "created_at", "started_at", "finished_at", "n_items",
    "n_assigned", "coverage", "n_themes", "error",
)  # fmt: skip
LINEAGE_CSV_HEADER = ("run_id", "change", "theme_id", "theme", "related_theme_ids", "size")


@router.get("/runs", include_in_schema=False)
def runs(
    request: Request,
    session: SessionDep,
    user: Reader,
    before: Annotated[int | None, Query(ge=1)] = None,
    format: Literal["html", "csv"] = "html",
) -> Response:
    """Every analysis run, newest first, with coverage and the themes it created or retired."""
    history = run_queries.list_runs(session, limit=RUNS_PER_PAGE, before_id=before)
    if format == "csv":
        return csv_response("runs.csv", RUN_CSV_HEADER, _run_rows(history))
    latest = history[0] if history and before is None else None
    changes = run_queries.run_lineage(session, run_id=latest.id) if latest else []
    context = {
        "runs": history,
        "before": before,
        "next_before": history[-1].id if len(history) == RUNS_PER_PAGE else None,
        "latest": latest,
        "changes": _group_changes(changes),
        "can_run": user.can(Permission.CURATE),
    }
    return render(request, "pages/runs.html", context)


@router.get("/runs/{run_id}", include_in_schema=False)
def run_detail(
    request: Request,
    session: SessionDep,
    _user: Reader,
    run_id: int,
    format: Literal["html", "csv"] = "html",
) -> Response:
    """One run: parameters, timings, coverage and every lineage change."""
    run = run_queries.get_run(session, run_id=run_id)
    changes = run_queries.run_lineage(session, run_id=run_id)
    if format == "csv":
        rows: list[list[Cell]] = [
            [run_id, c.kind, c.theme_id, c.theme_label, " ".join(map(str, c.related_theme_ids)),
             c.size]
            for c in changes
        ]  # fmt: skip
        return csv_response(f"run-{run_id}-changes.csv", LINEAGE_CSV_HEADER, rows)
    context = {
        "run": run,
        "changes": _group_changes(changes),
        "parent_changes": run_queries.parent_lineage(session, run_id=run_id),
    }
    return render(request, "pages/run_detail.html", context)


@router.post("/runs", include_in_schema=False)
def run_now(
    request: Request, session: SessionDep, settings: SettingsDep, queue: JobQueueDep, user: Curator
) -> Response:
    """Queue a full analysis in the background; the page shows it as pending, then running."""
    try:
        with session.begin_nested():
            run = run_queries.start_analysis(
                session, queue=queue, trigger=f"page:{user.email}", seed=settings.nlp.seed
            )
    except VocError as exc:
        flash(request, f"Not started: {exc.detail}", level="error")
    else:
        message = f"Analysis run #{run.id} queued. Reload this page to follow it."
        flash(request, message, level="success")
    return RedirectResponse("/runs", status_code=303)


def _group_changes(changes: Sequence[LineageRead]) -> dict[str, list[LineageRead]]:
    order = ("new", "split", "merged", "retired", "continued")
    grouped: dict[str, list[LineageRead]] = {kind: [] for kind in order}
    for change in changes:
        grouped.setdefault(change.kind, []).append(change)
    return {kind: rows for kind, rows in grouped.items() if rows}


def _run_rows(history: Sequence[RunRead]) -> Iterator[list[Cell]]:
    for r in history:
        yield [
            r.id, r.status, r.trigger, r.created_at, r.started_at, r.finished_at, r.n_items,
            r.n_assigned, r.coverage, r.n_themes, r.error,
        ]  # fmt: skip
