"""``voc loop``: shipped requests waiting to be told, the preview, the approval.

``voc loop preview KEY --json`` prints :class:`loop_closure.schemas.PreviewRead`: an object with
``recipients`` (each with ``email``, ``quote``, ``subject``, ``text``, ``html``) and ``excluded``
(each with ``email`` and ``reason``), plus ``counts``.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import console, migrated_engine, one_line_errors, settings
from loop_closure import campaigns as loop_campaigns
from voc.db import session_scope
from voc.errors import InvalidInput
from voc.user import service as user_service

app = typer.Typer(
    help="Close the loop: tell customers their request shipped.", no_args_is_help=True
)
KeyArg = Annotated[str, typer.Argument(help="The request's external key (or its id).")]


@app.command("list")
@one_line_errors
def list_campaigns(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Shipped requests with their campaign: drafts waiting for approval first."""
    current = settings()
    with session_scope(migrated_engine(current)) as session:
        rows = loop_campaigns.list_waiting(session, settings=current)
    if json_out:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        console.print("No shipped requests: `voc requests ship KEY` opens a campaign.")
        return
    table = Table("key", "id", "title", "shipped", "campaign", "recipients", "excluded", "sent")
    for r in rows:
        table.add_row(
            r.request_key or "", str(r.request_id), r.request_title,
            r.shipped_at.strftime("%Y-%m-%d") if r.shipped_at else "", r.campaign.status,
            str(r.n_recipients), str(r.n_excluded), str(r.delivery.get("sent", 0)),
        )  # fmt: skip
    console.print(table)


@app.command("preview")
@one_line_errors
def preview(key: KeyArg, json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Who would be told (and their quote), who not and why: a dry run, nothing is written."""
    current = settings()
    with session_scope(migrated_engine(current)) as session:
        result = loop_campaigns.preview(session, settings=current, request_ref=key)
        session.rollback()  # a dry run: not even the draft it may have opened is kept
    if json_out:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    counts = result.counts
    console.print(
        f"{result.request_key or result.request_id}: {result.request_title} "
        f"({result.campaign.status}) — {counts['recipients']} to tell, "
        f"{counts['excluded']} excluded",
        highlight=False,
    )
    table = Table("email", "quote", "date", "source")
    for r in result.recipients:
        table.add_row(r.email, r.quote.text[:80], r.quote.date.strftime("%Y-%m-%d"), r.quote.source)
    console.print(table)
    if result.excluded:
        excluded = Table("email", "reason")
        for e in result.excluded:
            excluded.add_row(e.email or "", e.detail)
        console.print(excluded)


@app.command("approve")
@one_line_errors
def approve(
    key: KeyArg,
    as_: Annotated[
        str | None, typer.Option("--as", help="The cs_ops or admin user approving.")
    ] = None,
) -> None:
    """Approve the draft: one email per recipient goes into the outbox (`voc outbox run`)."""
    if not as_:
        raise InvalidInput("--as: name the cs_ops or admin user who approves (--as EMAIL)")
    current = settings()
    with session_scope(migrated_engine(current)) as session:
        user = user_service.get_by_email_or_raise(session, email=as_)
        result = loop_campaigns.approve(session, settings=current, request_ref=key, actor=user)
    console.print(
        f"approved: {result.queued} emails queued, {result.skipped} already in the outbox, "
        f"{result.excluded} excluded; `voc outbox run` sends them",
        highlight=False,
    )
