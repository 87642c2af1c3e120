"""Headless Chromium: a cs_ops user previews a close-the-loop campaign, approves, sees delivery.

Screenshots go to ``test-artifacts/screenshots/loop`` (printed): the preview and the delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from loop_closure import campaigns
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
from tests.voc_fixtures import make_feedback
from voc.config import Settings
from voc.customer.models import Customer
from voc.db import make_engine, session_scope, upgrade_schema
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.schemas import RequestCreate
from voc.user import service as user_service
from voc.user.models import Role

pytestmark = pytest.mark.browser

SHOTS = SCREENSHOTS / "loop"
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
    settings = settings_for(tmp_path_factory.mktemp("browser-loop"), "browser-loop-secret")
    rid = _seed(settings)
    with live_server(settings) as url:
        yield url, rid


def test_preview_approve_and_delivery_in_a_browser(server: tuple[str, int]) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    url, rid = server
    fresh_folder(SHOTS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            sign_in(page, url, OPS, PASSWORD, "/loop")
            expect(page.locator("table#loop-campaigns")).to_contain_text("Dark mode")
            page.screenshot(path=SHOTS / "01-waiting.png", full_page=True)
            page.get_by_role("link", name="Dark mode").click()
            expect(page).to_have_url(f"{url}/loop/{rid}")
            quote = "Please add a dark mode. The white screen hurts at night."
            expect(page.locator("q", has_text=quote)).to_be_visible()
            expect(page.locator("table#excluded")).to_contain_text("has not consented")
            expect(page.locator("q", has_text="<b>dark</b>")).to_be_visible()  # shown as text
            page.locator("details").first.click()
            page.screenshot(path=SHOTS / "02-preview.png", full_page=True)
            page.get_by_role("button", name="Approve and send 2 emails").click()
            expect(page.locator(".flash-success")).to_contain_text("2 emails queued")
            expect(page.locator("table#delivery tbody tr")).to_have_count(2)
            page.screenshot(path=SHOTS / "03-delivery.png", full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert sorted(p.name for p in SHOTS.iterdir()) == [
        "01-waiting.png", "02-preview.png", "03-delivery.png"]  # fmt: skip
