"""Headless Chromium against a real uvicorn server: sign in, overview, theme, rename.

Screenshots of every page go to ``test-artifacts/screenshots`` (printed); look at them.
Debian's chromium is expected at /usr/bin/chromium (``.ci/run`` installs it when missing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    fresh_folder,
    live_server,
    require_chromium,
    settings_for,
)
from voc.config import Settings
from voc.customer.models import Account, Customer
from voc.db import make_engine, session_scope, upgrade_schema
from voc.feedback.models import Feedback
from voc.theme import stats as theme_stats
from voc.theme.models import AnalysisRun, RunStatus, Theme, ThemeAssignment, ThemeLineage
from voc.user import service as user_service

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "pm@voc.test", "correct horse battery"
Quote = tuple[str, float, str, int | None]
THEMES: dict[str, tuple[list[str], list[Quote]]] = {
    "csv export drops accents": (
        ["csv", "export", "accents", "excel"],
        [
            ("Exporting to CSV mangles every accented name: é becomes Ã©.", -0.82, "nps", 2),
            ("The CSV export drops accents, our French customers are furious", -0.74, "nps", 3),
            ("<script>alert(1)</script> export froze again", -0.55, "ticket", None),
            ("Export works but umlauts are lost in Excel", -0.31, "survey", 6),
            ("Nice that CSV export exists, just fix the encoding", 0.12, "nps", 7),
        ],
    ),
    "cannot log in after reset": (
        ["login", "password", "reset"],
        [
            ("Password reset link expired before I could click it", -0.61, "ticket", None),
            ("Login loops back to the sign-in page", -0.7, "nps", 4),
            ("SSO login is quick now, thanks!", 0.81, "nps", 10),
        ],
    ),
    "love the new dashboard": (
        ["dashboard", "charts"],
        [
            ("The new dashboard is lovely and fast", 0.9, "nps", 10),
            ("Charts on the dashboard saved me an hour", 0.77, "survey", 9),
        ],
    ),
}


@dataclass(frozen=True)
class Server:
    """A running server and the theme the test renames."""

    url: str
    theme_id: int


def _sentiment_label(score: float) -> str:
    return "negative" if score < -0.05 else "positive" if score > 0.05 else "neutral"


def _seed(settings: Settings) -> int:
    """Three themes with quotes over six weeks, one finished run, one editor; the CSV theme id."""
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    now = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        account = Account(name="Acme", segment="enterprise")
        session.add(account)
        session.flush()
        customer = Customer(email="ana@acme.test", account_id=account.id)
        run = AnalysisRun(status=RunStatus.SUCCEEDED, trigger="cli", n_items=10, n_assigned=10)
        run.coverage, run.n_themes, run.finished_at = 1.0, 3, now
        session.add_all([customer, run])
        session.flush()
        ids = []
        for t_index, (label, (keywords, quotes)) in enumerate(THEMES.items()):
            theme = Theme(machine_label=label, keywords=keywords, created_run_id=run.id)
            session.add(theme)
            session.flush()
            ids.append(theme.id)
            for q_index, (text, score, source, nps) in enumerate(quotes):
                n = t_index * 10 + q_index
                item = Feedback(
                    source=source,
                    external_id=f"b-{n}",
                    text=text,
                    text_hash=hashlib.sha256(text.encode()).hexdigest(),
                    content_hash=hashlib.sha256(f"b-{n}".encode()).hexdigest(),
                    score=nps,
                    created_at=now - timedelta(days=7 * (n % 6) + n),
                    customer_id=customer.id if n % 2 else None,
                    sentiment_label=_sentiment_label(score),
                    sentiment_score=score,
                )
                session.add(item)
                session.flush()
                session.add(
                    ThemeAssignment(
                        feedback_id=item.id,
                        theme_id=theme.id,
                        confidence=0.9,
                        method="cluster",
                        feedback_created_at=item.created_at,
                    )
                )
            session.add(ThemeLineage(run_id=run.id, kind="new", theme_id=theme.id, size=5))
        session.flush()
        theme_stats.refresh(session)
        user_service.create_user(session, email=EDITOR, role="editor", password=PASSWORD)
    engine.dispose()
    return ids[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn on a free 127.0.0.1 port, serving a fresh temp SQLite database."""
    settings = settings_for(tmp_path_factory.mktemp("browser"))
    theme_id = _seed(settings)
    with live_server(settings) as url:
        yield Server(url, theme_id)


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """A clean screenshot folder, printed so that people find it."""
    return fresh_folder(SCREENSHOTS)


def test_sign_in_browse_and_rename_a_theme(server: Server, screenshots: Path) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
        try:
            page.goto(f"{server.url}/themes")
            expect(page).to_have_url(f"{server.url}/login?next=/themes")
            page.screenshot(path=screenshots / "01-login.png", full_page=True)
            page.get_by_label("Email").fill(EDITOR)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()

            expect(page).to_have_url(f"{server.url}/themes")
            rows = page.locator("table#themes tbody tr")
            expect(rows).to_have_count(3)
            expect(rows.first).to_contain_text("csv export drops accents")
            page.screenshot(path=screenshots / "02-themes.png", full_page=True)

            page.get_by_role("link", name="csv export drops accents").click()
            expect(page).to_have_url(f"{server.url}/themes/{server.theme_id}")
            expect(page.locator("#theme-label")).to_have_text("csv export drops accents")
            expect(page.get_by_text("<script>alert(1)</script> export froze again").first)
            page.screenshot(path=screenshots / "03-theme.png", full_page=True)

            page.locator("#new-label").fill("CSV export loses accents")
            page.get_by_role("button", name="Rename").click()
            expect(page).to_have_url(f"{server.url}/themes/{server.theme_id}")
            expect(page.locator("#theme-label")).to_have_text("CSV export loses accents")
            expect(page.locator(".flash-success")).to_contain_text("Renamed")
            page.screenshot(path=screenshots / "04-renamed.png", full_page=True)

            page.goto(f"{server.url}/themes")
            expect(page.locator("table#themes")).to_contain_text("CSV export loses accents")
            page.goto(f"{server.url}/feedback?q=export")
            page.screenshot(path=screenshots / "05-feedback.png", full_page=True)
            page.goto(f"{server.url}/runs")
            page.screenshot(path=screenshots / "06-runs.png", full_page=True)
            page.goto(f"{server.url}/themes/999999")
            page.screenshot(path=screenshots / "07-not-found.png", full_page=True)
        finally:
            browser.close()
    assert [e for e in errors if "404" not in e] == []
    assert sorted(p.name for p in screenshots.iterdir())[:4] == [
        "01-login.png",
        "02-themes.png",
        "03-theme.png",
        "04-renamed.png",
    ]
