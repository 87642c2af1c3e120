"""Headless Chromium: a cs_ops user previews a close-the-loop campaign, approves, sees delivery.

Screenshots go to ``test-artifacts/screenshots/loop`` (printed): the preview and the delivery.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr

from api.app import create_app
from loop_closure import campaigns
from tests.voc_fixtures import make_feedback
from voc.config import AuthSettings, Settings
from voc.customer.models import Customer
from voc.db import make_engine, session_scope, upgrade_schema
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.schemas import RequestCreate
from voc.user import service as user_service
from voc.user.models import Role

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots" / "loop"
OPS, PASSWORD = "ops@voc.test", "correct horse battery"
ASKED = [
    (
        "ana@shop.example",
        "Ana Silva",
        True,
        "Please add a dark mode. The white screen hurts at night.",
    ),
    ("ANA@shop.example", None, True, "Dark theme please!"),
    ("li@shop.example", "Li Wei", True, "Would be great if the app had a <b>dark</b> theme."),
    ("quiet@shop.example", "Sam", False, "Dark mode would be nice."),
]


def _seed(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        user_service.create_user(session, email=OPS, role=Role.CS_OPS, password=PASSWORD)
        rid = request_service.create(
            session, data=RequestCreate(title="Dark mode", external_key="UX-42",
                                        release_note="Settings > Appearance > Dark."),
            actor="pm@voc.test",
        ).id  # fmt: skip
        ids = []
        for i, (email, name, consenting, text) in enumerate(ASKED):
            customer = Customer(email=email, name=name, is_consenting=consenting)
            session.add(customer)
            session.flush()
            at = datetime.now(UTC) - timedelta(days=10 + i)
            ids.append(make_feedback(session, text=text, customer_id=customer.id, created_at=at).id)
        request_links.link_items(session, request_id=rid, feedback_ids=ids, actor="pm@voc.test")
        campaigns.ship(session, request_id=rid, actor="pm@voc.test")
    engine.dispose()
    return rid


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    data_dir = tmp_path_factory.mktemp("browser-loop")
    settings = Settings(environment="test", data_dir=data_dir,
                        database_url=f"sqlite:///{data_dir / 'voc.sqlite3'}",
                        auth=AuthSettings(secret_key=SecretStr("browser-loop-secret")))  # fmt: skip
    rid = _seed(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", ws="none",
                                       access_log=False))  # fmt: skip
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", rid
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_preview_approve_and_delivery_in_a_browser(server: tuple[str, int]) -> None:
    if not CHROMIUM.exists():
        message = "chromium missing: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    url, rid = server
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            page.goto(f"{url}/login?next=/loop")
            page.get_by_label("Email").fill(OPS)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(f"{url}/loop")
            expect(page.locator("table#loop-campaigns")).to_contain_text("Dark mode")
            page.screenshot(path=SCREENSHOTS / "01-waiting.png", full_page=True)
            page.get_by_role("link", name="Dark mode").click()
            expect(page).to_have_url(f"{url}/loop/{rid}")
            quote = "Please add a dark mode. The white screen hurts at night."
            expect(page.locator("q", has_text=quote)).to_be_visible()
            expect(page.locator("table#excluded")).to_contain_text("has not consented")
            expect(page.locator("q", has_text="<b>dark</b>")).to_be_visible()  # shown as text
            page.locator("details").first.click()
            page.screenshot(path=SCREENSHOTS / "02-preview.png", full_page=True)
            page.get_by_role("button", name="Approve and send 2 emails").click()
            expect(page.locator(".flash-success")).to_contain_text("2 emails queued")
            expect(page.locator("table#delivery tbody tr")).to_have_count(2)
            page.screenshot(path=SCREENSHOTS / "03-delivery.png", full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert sorted(p.name for p in SCREENSHOTS.iterdir()) == [
        "01-waiting.png", "02-preview.png", "03-delivery.png"]  # fmt: skip
