"""``voc users``: create, list, revoke users and issue personal API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import console, migrated_engine, one_line_errors, settings
from voc.db import session_scope
from voc.errors import InvalidInput
from voc.user import service as user_service
from voc.user.models import Role

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@app.command("create")
@one_line_errors
def create(
    email: str,
    role: Annotated[Role, typer.Option("--role", help="viewer, editor, cs_ops or admin")],
    name: str | None = typer.Option(None, "--name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the page password from stdin (one line)."
    ),
) -> None:
    """Create a user (without a password they use API tokens only)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise InvalidInput("--password-stdin: no password on stdin")
    with session_scope(migrated_engine(settings())) as session:
        user = user_service.create_user(
            session, email=email, role=role, password=password, name=name
        )
        console.print(f"created {user.email} ({user.role})")


@app.command("list")
@one_line_errors
def list_users() -> None:
    """Every user with role and status."""
    table = Table("id", "email", "role", "active", "created")
    with session_scope(migrated_engine(settings())) as session:
        for user in user_service.list_users(session):
            table.add_row(
                str(user.id), user.email, user.role, "yes" if user.is_active else "revoked",
                user.created_at.strftime("%Y-%m-%d"),
            )  # fmt: skip
    console.print(table)


@app.command("revoke")
@one_line_errors
def revoke(email: str) -> None:
    """Deactivate a user and revoke all their tokens."""
    with session_scope(migrated_engine(settings())) as session:
        user = user_service.revoke_user(session, email=email)
        console.print(f"revoked {user.email}")


@app.command("token")
@one_line_errors
def token(email: str, name: str = typer.Option("cli", "--name")) -> None:
    """Issue a personal API token; it is printed once and only its hash is stored."""
    with session_scope(migrated_engine(settings())) as session:
        user = user_service.get_by_email_or_raise(session, email=email)
        _, plaintext = user_service.create_token(session, user_id=user.id, name=name)
    typer.echo(plaintext)
