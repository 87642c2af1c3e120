"""``voc requests``: import a tracker CSV, list, ship, suggest themes, confirm or reject links.

Every ``--json`` output is a stable shape (the API's schemas, documented in the README).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli_common import console, migrated_engine, one_line_errors, settings
from loop_closure import campaigns as loop_campaigns
from voc.db import session_scope
from voc.errors import InvalidInput, NotAllowed
from voc.nlp_runtime import get_models
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request import suggest as request_suggest
from voc.request import tracker_import
from voc.request.schemas import SORTS, RequestFilters
from voc.user import service as user_service
from voc.user.models import Permission

app = typer.Typer(
    help="Product requests: import, list, ship, suggest and link.", no_args_is_help=True
)

CLI_ACTOR = "cli"
MAP_HELP = (
    "FIELD=COLUMN pairs, comma separated or repeated: key=Issue key,title=Summary. Fields: key, "
    "title, description, status, url. Unmapped fields are found by their usual names."
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def _editor(session: Any, email: str | None) -> str:
    if email is None:
        raise InvalidInput("--as: name the editor who decides (--as EMAIL)")
    user = user_service.get_by_email_or_raise(session, email=email)
    if not user.is_active or not user.can(Permission.LINK_REQUESTS):
        raise NotAllowed(f"--as: {user.email} (role {user.role}) may not link requests")
    return user.email


@app.command("import")
@one_line_errors
def import_(
    file: Annotated[Path, typer.Argument(help="The tracker's CSV export (Jira, Linear, GitHub).")],
    map_: Annotated[list[str] | None, typer.Option("--map", help=MAP_HELP)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import or update requests by key; bad rows are reported, good rows stored."""
    current = settings()
    mapping = tracker_import.parse_mapping(map_ or [])
    with session_scope(migrated_engine(current)) as session:
        report = loop_campaigns.import_requests(  # shipping opens the close-the-loop draft
            session, file, mapping=mapping, status_map=current.requests.status_map,
            actor=CLI_ACTOR,
        )  # fmt: skip
    if json_out:
        _echo_json(report.model_dump(mode="json"))
        return
    table = Table(title=str(file))
    for name in ("inserted", "updated", "unchanged", "rejected", "shipped"):
        table.add_column(name, justify="right")
    table.add_row(
        *(f"{n:,}" for n in (report.inserted, report.updated, report.unchanged, report.rejected)),
        f"{len(report.shipped_ids):,}",
    )
    console.print(table)
    for problem in report.problems[:50]:
        console.print(
            f"  rejected line {problem.line}, {problem.field}: {problem.reason}",
            highlight=False, markup=False,
        )  # fmt: skip
    if report.rejected > 50:
        console.print(f"  ... and {report.rejected - 50:,} more (use --json)", highlight=False)


@app.command("list")
@one_line_errors
def list_(
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    sort: Annotated[
        str, typer.Option("--sort", help=f"One of {', '.join(SORTS)}; prefix - to reverse.")
    ] = "opportunity",
    limit: Annotated[int, typer.Option("--limit")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Requests with their evidence, best opportunity first."""
    with session_scope(migrated_engine(settings())) as session:
        page = request_service.list_requests(
            session, filters=RequestFilters(status=status), sort=sort, limit=limit
        )
    if json_out:
        _echo_json(page.model_dump(mode="json"))
        return
    if not page.requests:
        console.print("No requests yet: `voc requests import FILE` adds them from a tracker CSV.")
        return
    table = Table("key", "id", "title", "status", "items", "customers", "accounts", "ARR",
                  "NPS", "opportunity")  # fmt: skip
    for r in page.requests:
        table.add_row(
            r.external_key or "", str(r.id), r.title, r.status, f"{r.n_items:,}",
            f"{r.n_customers:,}", f"{r.n_accounts:,}", f"{r.arr:,.0f}",
            "" if r.nps is None else f"{r.nps:+.0f}", f"{r.opportunity:.2f}",
        )  # fmt: skip
    console.print(table)
    console.print(page.formula, highlight=False)


@app.command("ship")
@one_line_errors
def ship(
    key: Annotated[str, typer.Argument(help="The request's external key (or its id).")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Mark a request shipped (kept in its status history)."""
    with session_scope(migrated_engine(settings())) as session:
        request = request_service.resolve(session, key)
        outcome, _campaign = loop_campaigns.ship(  # opens the draft campaign
            session, request_id=request.id, actor=CLI_ACTOR, note=note
        )
        result = outcome.to_read()
    if json_out:
        _echo_json(result.model_dump(mode="json"))
        return
    if result.became_shipped:
        console.print(f"shipped {key}: {result.request.title}", highlight=False)
    else:
        console.print(f"{key} was already shipped", highlight=False)


@app.command("suggest")
@one_line_errors
def suggest(
    key: Annotated[str, typer.Argument(help="The request's external key (or its id).")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=50)] = 5,
    json_out: JsonOpt = False,
) -> None:
    """The themes suggested for a request, best first, with the closest quotes."""
    current = settings()
    models = get_models(current)
    with session_scope(migrated_engine(current)) as session:
        request = request_service.resolve(session, key)
        found = request_suggest.suggest_themes(
            session, request_id=request.id, embedder=models.embedder, limit=limit
        )
    if json_out:
        _echo_json([s.model_dump(mode="json") for s in found])
        return
    table = Table("theme", "label", "score", "state", "closest quote")
    for s in found:
        table.add_row(
            str(s.theme_id), s.label, f"{s.score:.3f}", s.state, s.why[0].text if s.why else ""
        )
    console.print(table)


@app.command("link")
@one_line_errors
def link(
    key: Annotated[str, typer.Argument(help="The request's external key (or its id).")],
    theme: Annotated[int | None, typer.Option("--theme", help="Confirm this theme.")] = None,
    reject: Annotated[int | None, typer.Option("--reject", help="Reject this theme.")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="The editor's email.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Confirm (--theme ID) or reject (--reject ID) a theme for a request."""
    if (theme is None) == (reject is None):
        raise InvalidInput("give either --theme ID (confirm) or --reject ID, not both")
    with session_scope(migrated_engine(settings())) as session:
        actor = _editor(session, as_)
        request = request_service.resolve(session, key)
        if theme is not None:
            row = request_links.confirm_theme(
                session, request_id=request.id, theme_id=theme, actor=actor
            )
        else:
            assert reject is not None
            row = request_links.reject_theme(
                session, request_id=request.id, theme_id=reject, actor=actor
            )
        result = {
            "request_id": request.id,
            "external_key": request.external_key,
            "theme_id": row.theme_id,
            "state": row.state,
            "decided_by": row.decided_by,
        }
    if json_out:
        _echo_json(result)
        return
    console.print(f"{result['state']} theme {result['theme_id']} for {key}", highlight=False)
