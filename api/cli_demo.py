"""``voc demo``: load the demo sample, analyse it, print what was found, serve the app."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from sqlalchemy.orm import Session

from api.cli_common import console, migrated_engine, one_line_errors, settings
from api.cli_print import print_run, print_theme_table
from api.cli_progress import progress_bars
from voc.campaign import service as campaign_service
from voc.config import Settings
from voc.db import session_scope
from voc.demo import PRODUCT
from voc.demo.load import load_demo
from voc.errors import NotFound, VocError
from voc.nlp_runtime import get_models
from voc.theme import queries as theme_queries
from voc.theme import service as theme_service
from voc.user import service as user_service
from voc.user.models import Role

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEMO_EMAIL = "pm@quillo.example"
DEMO_PASSWORD = "quillo-demo-2026"


def _print_nps(session: Session, current: Settings) -> None:
    campaigns = [c for c in campaign_service.list_campaigns(session) if c.estimate is not None]
    if not campaigns:
        return
    campaigns.sort(key=lambda c: c.last_at or c.first_at or EPOCH)
    latest = campaigns[-1].name
    previous = campaigns[-2].name if len(campaigns) > 1 else None
    report = campaign_service.build_report(
        session,
        campaign=latest,
        compare=previous,
        options=campaign_service.options_from_settings(current),
        weights=campaign_service.weights_from_settings(current),
    )
    o = report.overall
    console.print(
        f"\n[bold]{latest}[/]: NPS {o.nps:+.0f} (95% CI {o.ci_low:+.0f} to {o.ci_high:+.0f}, "
        f"n={o.n}: {o.promoters} promoters, {o.passives} passives, {o.detractors} detractors)"
    )
    if report.change is not None:
        console.print(f"change since {previous}: {report.change.statement}")
    for driver in report.drivers[:3]:
        console.print(
            f"  driver #{driver.rank}: {driver.label}: {driver.modelled_impact:+.1f} NPS points "
            f"(95% CI {driver.modelled_ci_low:+.1f} to {driver.modelled_ci_high:+.1f})"
        )


def _demo_user(session: Session) -> None:
    try:
        user_service.get_by_email_or_raise(session, email=DEMO_EMAIL)
    except NotFound:
        user_service.create_user(
            session, email=DEMO_EMAIL, role=Role.ADMIN, password=DEMO_PASSWORD, name="Demo PM"
        )


@one_line_errors
def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the app afterwards."),
    port: int = typer.Option(8000, help="Port of the app."),
) -> None:
    """Load the demo sample into the embedded database, analyse it and serve the app."""
    current = settings()
    engine = migrated_engine(current)
    console.print(f"database: {engine.url.render_as_string(hide_password=True)}")
    with session_scope(engine) as session:
        path, summary = load_demo(session, current.data_dir / "demo", end=datetime.now(UTC).date())
    console.print(
        f"demo sample: {path} -> {summary.rows_read} rows read, {summary.inserted} new, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.rejected} rejected"
    )
    models = get_models(current)
    with session_scope(engine) as session, progress_bars() as bars:
        run = theme_service.run_analysis(
            session,
            models=models,
            seed=current.nlp.seed,
            product_names=[PRODUCT, *current.nlp.product_names],
            batch_size=current.nlp.batch_size,
            progress=bars,
        )
        summaries = theme_queries.list_themes(session, include_hidden=True).themes
        _demo_user(session)
    print_theme_table(summaries, limit=25)
    print_run(run)
    with session_scope(engine) as session:
        try:
            _print_nps(session, current)
        except VocError as exc:  # the demo goes on: the app still shows the themes
            console.print(f"NPS report skipped: {exc.detail}")
    if serve:
        console.print(
            f"\nopen http://127.0.0.1:{port}/ and log in as {DEMO_EMAIL} / {DEMO_PASSWORD}"
        )
        from api.cli_serve import serve as serve_app

        serve_app(host="127.0.0.1", port=port, workers=1)
