"""Headless Chromium: the overview's parent themes open and close in place (no page load).

Screenshots go to ``test-artifacts/screenshots-parents``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select

from api.app import create_app
from tests.api.browser.test_browser import CHROMIUM, CHROMIUM_ARGS, EDITOR, PASSWORD, SCREENSHOTS
from tests.api.browser.test_browser import _seed as seed_themes
from voc.config import AuthSettings, Settings
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
    data_dir = tmp_path_factory.mktemp("browser-parents")
    settings = Settings(
        environment="test", data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'voc.sqlite3'}",
        auth=AuthSettings(secret_key=SecretStr("browser-test-secret")),
    )  # fmt: skip
    ids = _seed(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_level="warning", ws="none", lifespan="on",
                            access_log=False)  # fmt: skip
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", ids
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_parent_themes_unfold_without_a_page_load(server: tuple[str, tuple[int, int]]) -> None:
    if not CHROMIUM.exists():
        message = "chromium missing: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    url, (data_parent, csv_theme) = server
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    print(f"\nscreenshots: {SHOTS}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            page.goto(f"{url}/login?next=/themes")
            page.get_by_label("Email").fill(EDITOR)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(f"{url}/themes")
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
