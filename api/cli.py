"""The ``voc`` command: the root Typer app mounting every sub-command."""

from __future__ import annotations

import typer

from api import cli_loop, cli_outbox, cli_requests, cli_serve, cli_users
from api.cli_analyze import analyze, themes
from api.cli_common import (
    configure_logging,
    console,
    migrated_engine,
    offline_env,
    one_line_errors,
    settings,
)
from api.cli_demo import demo
from api.cli_ingest import ingest
from api.cli_nps import campaigns, nps_app
from voc.db import current_revision

app = typer.Typer(
    name="voc",
    help="Voice-of-customer feedback analysis: ingest, analyse, browse, close the loop.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(cli_users.app, name="users")
app.add_typer(nps_app, name="nps")
app.add_typer(cli_requests.app, name="requests")
app.add_typer(cli_outbox.app, name="outbox")
app.add_typer(cli_loop.app, name="loop")
app.command("ingest")(ingest)
app.command("analyze")(analyze)
app.command("themes")(themes)
app.command("campaigns")(campaigns)
app.command("demo")(demo)
app.command("serve")(cli_serve.serve)
app.command("worker")(cli_serve.worker)


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Show INFO logs.")) -> None:
    offline_env()
    configure_logging(verbose)


@db_app.command("upgrade")
@one_line_errors
def db_upgrade() -> None:
    """Apply migrations to the configured database (creates it when missing)."""
    current = settings()
    engine = migrated_engine(current)
    url = engine.url.render_as_string(hide_password=True)
    console.print(f"schema at revision {current_revision(engine)} in {url}")


def main() -> None:
    """Console-script entry point."""
    app()
