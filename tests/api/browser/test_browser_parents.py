"""Headless Chromium: the overview's parent themes open and close in place (no page load).

Screenshots go to ``test-artifacts/screenshots-parents``.
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
from voc.db import make_engine, session_scope
from voc.theme.models import Theme, ThemeParent

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS.parent / "screenshots-parents"


def _seed(settings: Settings) -> tuple[int, int]:
    """The three browser-test themes under two parents; (parent of the CSV theme, its id)."""
    csv_theme = seed_themes(settings)
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        data = ThemeParent(machine_label="Data and exports", keywords=["csv"], size=7)
        product = ThemeParent(machine_label="Product experience", keywords=["login"], size=5)
        session.add_all([data, product])
        session.flush()
        for theme in session.scalars(select(Theme).order_by(Theme.id)):
            theme.parent_id = data.id if theme.id == csv_theme else product.id
        ids = (data.id, csv_theme)
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, tuple[int, int]]]:
    settings = settings_for(tmp_path_factory.mktemp("browser-parents"))
    ids = _seed(settings)
    with live_server(settings) as url:
        yield url, ids


def test_parent_themes_unfold_without_a_page_load(server: tuple[str, tuple[int, int]]) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    url, (data_parent, csv_theme) = server
    fresh_folder(SHOTS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            sign_in(page, url, EDITOR, PASSWORD, "/themes")
            expect(page.locator("details.parent")).to_have_count(2)
            fold = page.locator(f"#parent-{data_parent}")
            link = fold.get_by_role("link", name="csv export drops accents")
            expect(link).to_be_hidden()
            page.screenshot(path=SHOTS / "01-parents-folded.png", full_page=True)
            # a marker on window survives only if opening the fold loads no page
            page.evaluate("window.__noReload = true")
            fold.locator("summary").click()
            expect(link).to_be_visible()
            assert page.evaluate("window.__noReload") is True
            expect(page).to_have_url(f"{url}/themes")
            page.screenshot(path=SHOTS / "02-parent-open.png", full_page=True)
            fold.locator("summary").click()
            expect(link).to_be_hidden()
            fold.locator("summary").click()
            link.click()
            expect(page).to_have_url(f"{url}/themes/{csv_theme}")
            expect(page.get_by_role("link", name="Data and exports")).to_be_visible()
        finally:
            browser.close()
    assert errors == []
