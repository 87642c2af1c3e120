"""Headless Chromium on the request pages: list, detail, confirm a suggestion, find and link.

Screenshots go to ``test-artifacts/screenshots/requests`` (printed); look at them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.api.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    fresh_folder,
    live_server,
    require_chromium,
    settings_for,
    sign_in,
)
from tests.api.browser.test_browser import EDITOR, PASSWORD
from tests.api.browser.test_browser import _seed as seed_themes
from voc.config import Settings
from voc.customer.models import Account
from voc.db import make_engine, session_scope
from voc.feedback.models import EmbeddingCache, Feedback
from voc.nlp_runtime import get_models
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.models import LinkState, ThemeRequestLink
from voc.request.schemas import RequestCreate
from voc.search import service as search_service
from voc.theme.models import Theme

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS / "requests"


def _seed(settings: Settings) -> tuple[int, int, int]:
    """The browser world, embeddings in the index, two requests; (request, login theme, csv)."""
    csv_theme = seed_themes(settings)
    models = get_models(settings)
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        items = list(session.scalars(select(Feedback).order_by(Feedback.id)))
        vectors = models.embedder.embed([i.text for i in items])
        for item, vector in zip(items, vectors, strict=True):
            if session.get(EmbeddingCache, (models.embedder.model_id, item.text_hash)) is None:
                session.add(EmbeddingCache(model_id=models.embedder.model_id,
                                           text_hash=item.text_hash, dim=len(vector),
                                           vector=vector.tobytes()))  # fmt: skip
        session.flush()
        embedder = models.embedder
        search_service.rebuild(
            session, data_dir=settings.data_dir, model_id=embedder.model_id, dim=embedder.dim
        )
        for account in session.scalars(select(Account)):
            account.arr, account.plan = 84_000.0, "enterprise"
        login = session.scalars(
            select(Theme).where(Theme.id != csv_theme).order_by(Theme.id)
        ).first()
        assert login is not None
        main = request_service.create(
            session,
            data=RequestCreate(title="Keep accents in the CSV export", external_key="PROD-42",
                               url="https://tracker.example/PROD-42",
                               description="UTF-8 with a BOM so that Excel opens it right."),
            actor=EDITOR,
        )  # fmt: skip
        request_links.confirm_theme(session, request_id=main.id, theme_id=csv_theme, actor=EDITOR)
        request_service.change_status(session, request_id=main.id, status="planned",
                                      actor=EDITOR, note="Q3 roadmap")  # fmt: skip
        session.add(ThemeRequestLink(theme_id=login.id, request_id=main.id,
                                     state=LinkState.SUGGESTED, score=0.31))  # fmt: skip
        other = request_service.create(
            session, data=RequestCreate(title="Remember me on login", external_key="PROD-7"),
            actor=EDITOR,
        )  # fmt: skip
        request_links.confirm_theme(session, request_id=other.id, theme_id=login.id, actor=EDITOR)
        ids = (main.id, login.id, csv_theme)
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, tuple[int, int, int]]]:
    settings = settings_for(tmp_path_factory.mktemp("browser-requests"))
    ids = _seed(settings)
    with live_server(settings) as url:
        yield url, ids


def test_requests_list_detail_confirm_and_link(server: tuple[str, tuple[int, int, int]]) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    url, (request_id, login_theme, _csv_theme) = server
    fresh_folder(SHOTS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            sign_in(page, url, EDITOR, PASSWORD, "/requests")
            rows = page.locator("table#requests tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.first).to_contain_text("Keep accents in the CSV export")
            expect(page.locator("#formula")).to_contain_text("opportunity =")
            page.screenshot(path=SHOTS / "01-requests.png", full_page=True)

            page.get_by_role("link", name="Keep accents in the CSV export").click()
            expect(page).to_have_url(f"{url}/requests/{request_id}")
            expect(page.locator("#request-title")).to_have_text("Keep accents in the CSV export")
            expect(page.locator("#status-history")).to_contain_text("open → planned · Q3 roadmap")
            expect(page.locator("#opportunity tbody tr")).to_have_count(4)
            page.screenshot(path=SHOTS / "02-request-detail.png", full_page=True)

            suggested = page.locator("#suggested-themes li").first
            suggested.get_by_role("button", name="Confirm").click()
            expect(page.locator(".flash-success")).to_contain_text(f"Theme {login_theme} confirmed")
            expect(page.locator("#confirmed-themes li")).to_have_count(2)

            page.get_by_label("Search by meaning").fill("accented names broken in the export")
            page.get_by_role("button", name="Search").click()
            hits = page.locator("table#matches tbody tr")
            expect(hits.first).to_contain_text("accent")
            page.screenshot(path=SHOTS / "03-find-feedback.png", full_page=True)
            page.locator("table#matches tbody tr input[type=checkbox]").first.check()
            page.get_by_role("button", name="Link ticked items").click()
            expect(page.locator(".flash-success")).to_contain_text("Linked 1 items")
            expect(page.locator("#linked-items tbody tr")).to_have_count(1)
            page.screenshot(path=SHOTS / "04-linked.png", full_page=True)

            page.goto(f"{url}/themes/{login_theme}")
            expect(page.locator("#theme-requests")).to_contain_text("Remember me on login")
            page.screenshot(path=SHOTS / "05-theme-requests.png", full_page=True)
            page.goto(f"{url}/accounts/1")
            expect(page.locator("#account-requests")).to_contain_text("Keep accents")
            page.screenshot(path=SHOTS / "06-account.png", full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert sorted(p.name for p in SHOTS.iterdir())[:2] == [
        "01-requests.png",
        "02-request-detail.png",
    ]
