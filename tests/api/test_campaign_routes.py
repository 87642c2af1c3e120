"""The campaign report under /api/v1 and as a page, on the demo sample."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from voc.config import Settings
from voc.demo.load import load_demo
from voc.user import service as user_service
from voc.user.models import Role


def _client(db_session: Session, tmp_path: Path, database_url: str) -> tuple[TestClient, str]:
    load_demo(db_session, tmp_path / "demo")
    user = user_service.create_user(db_session, email="analyst@example.com", role=Role.VIEWER)
    _, token = user_service.create_token(db_session, user_id=user.id, name="test")
    db_session.flush()
    settings = Settings(environment="test", data_dir=tmp_path, database_url=database_url)
    app = create_app(settings, session_maker=lambda: db_session, migrate=False)
    return TestClient(app), token


def test_campaigns_and_report_json(db_session: Session, tmp_path: Path, database_url: str) -> None:
    client, token = _client(db_session, tmp_path, database_url)
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/campaigns", headers=headers)
    assert listed.status_code == 200
    names = {c["name"] for c in listed.json()}
    assert {"2026-Q2 NPS", "2026-Q3 NPS"} <= names
    report = client.get(
        "/api/v1/campaigns/report",
        params={"campaign": "2026-Q3 NPS", "compare": "2026-Q2 NPS"},
        headers=headers,
    )
    assert report.status_code == 200
    body = report.json()
    assert -100 <= body["overall"]["nps"] <= 100
    assert body["overall"]["ci_low"] <= body["overall"]["nps"] <= body["overall"]["ci_high"]
    assert body["change"]["statement"]
    missing = client.get("/api/v1/campaigns/report", params={"campaign": "nope"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


def test_campaign_report_page_needs_login(
    db_session: Session, tmp_path: Path, database_url: str
) -> None:
    client, _ = _client(db_session, tmp_path, database_url)
    page = client.get(
        "/campaigns/report", params={"campaign": "2026-Q3 NPS"}, follow_redirects=False
    )
    assert page.status_code in {302, 303, 401}
