"""``voc loop list / preview --json / approve --as`` on a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app
from loop_closure.models import LoopCampaign, OutboxMessage
from tests.voc_fixtures import make_feedback
from voc.config import get_settings
from voc.customer.models import Customer
from voc.db import ensure_schema, make_engine, session_scope
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.models import ProductRequest
from voc.request.schemas import RequestCreate
from voc.user import service as user_service
from voc.user.models import Role


@pytest.fixture
def shipped(sqlite_file_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("VOC_DATABASE_URL", sqlite_file_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_file_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        user_service.create_user(session, email="ops@voc.example", role=Role.CS_OPS)
        user_service.create_user(session, email="viewer@voc.example", role=Role.VIEWER)
        rid = request_service.create(
            session, data=RequestCreate(title="Dark mode", external_key="UX-1"), actor="pm"
        ).id
        ids = []
        for email, consenting in (("Ann@Shop.example", True), ("bob@shop.example", False)):
            customer = Customer(email=email, is_consenting=consenting)
            session.add(customer)
            session.flush()
            at = datetime.now(UTC) - timedelta(days=3)
            ids.append(make_feedback(session, text=f"dark mode please, {email}",
                                     customer_id=customer.id, created_at=at).id)  # fmt: skip
        request_links.link_items(session, request_id=rid, feedback_ids=ids, actor="pm")
    yield sqlite_file_url
    engine.dispose()
    get_settings.cache_clear()


def test_ship_list_preview_json_and_approve(shipped: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["loop", "preview", "UX-1"]).exit_code != 0  # not shipped yet
    done = runner.invoke(app, ["requests", "ship", "UX-1"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["loop", "list"])
    assert listed.exit_code == 0, listed.output
    assert "UX-1" in listed.output
    preview = runner.invoke(app, ["loop", "preview", "UX-1", "--json"])
    assert preview.exit_code == 0, preview.output
    body = json.loads(preview.output)
    assert [r["email"] for r in body["recipients"]] == ["ann@shop.example"]
    assert [(e["email"], e["reason"]) for e in body["excluded"]] == [
        ("bob@shop.example", "no_consent")
    ]
    refused = runner.invoke(app, ["loop", "approve", "UX-1", "--as", "viewer@voc.example"])
    assert refused.exit_code != 0
    assert "may not approve" in refused.output
    assert "Traceback" not in refused.output
    missing = runner.invoke(app, ["loop", "approve", "UX-1"])
    assert "--as" in missing.output
    approved = runner.invoke(app, ["loop", "approve", "UX-1", "--as", "ops@voc.example"])
    assert approved.exit_code == 0, approved.output
    assert "1 emails queued" in approved.output
    again = runner.invoke(app, ["loop", "approve", "UX-1", "--as", "ops@voc.example"])
    assert again.exit_code != 0
    assert "already approved" in again.output
    unknown = runner.invoke(app, ["loop", "preview", "NOPE-9"])
    assert unknown.exit_code != 0
    assert "NOPE-9" in unknown.output
    engine = make_engine(shipped)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    engine.dispose()


def _campaigns(url: str) -> list[tuple[str | None, str]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(ProductRequest.external_key, LoopCampaign.status)
            .join(ProductRequest, ProductRequest.id == LoopCampaign.request_id)
            .order_by(LoopCampaign.id)
        ).all()
    engine.dispose()
    return [(key, status) for key, status in rows]


def test_each_cli_shipping_path_opens_the_draft_at_once(shipped: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["requests", "ship", "UX-1"]).exit_code == 0
    assert _campaigns(shipped) == [("UX-1", "draft")]  # before any loop command ran
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("key,title,status\nUX-9,Export to PDF,open\n", encoding="utf-8")
    assert runner.invoke(app, ["requests", "import", str(tracker)]).exit_code == 0
    assert _campaigns(shipped) == [("UX-1", "draft")]
    tracker.write_text("key,title,status\nUX-9,Export to PDF,shipped\n", encoding="utf-8")
    reimport = runner.invoke(app, ["requests", "import", str(tracker)])
    assert reimport.exit_code == 0, reimport.output
    assert _campaigns(shipped) == [("UX-1", "draft"), ("UX-9", "draft")]
