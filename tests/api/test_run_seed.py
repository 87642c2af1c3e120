"""A run takes ``settings.nlp.seed`` wherever it is started: the API and the runs page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import ApiWorld, csrf_token, page_login
from voc.config import NlpSettings, Settings
from voc.user import service as user_service
from voc.user.models import Role

SEED = 7  # not the default (42): a start that ignored the settings would record 42
PASSWORD = "correct horse battery"


@pytest.fixture
def api_settings(tmp_path: Path, database_url: str) -> Settings:
    """The shared app fixture, with a configured seed."""
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        nlp=NlpSettings(seed=SEED),
    )


def test_a_run_started_from_the_api_records_the_configured_seed(
    api: ApiWorld, api_settings: Settings
) -> None:
    headers = api.headers(Role.EDITOR)
    started = api.client.post("/api/v1/runs", headers=headers)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    stored = api.client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
    assert started.json()["seed"] == stored["seed"] == api_settings.nlp.seed == SEED


def test_a_run_started_from_the_runs_page_records_the_configured_seed(
    api: ApiWorld, api_session: Session
) -> None:
    user_service.create_user(
        api_session, email="pm@voc.example", role=Role.EDITOR, password=PASSWORD
    )
    api_session.commit()
    client = api.client
    page_login(client, "pm@voc.example", PASSWORD)
    token = csrf_token(client, "/runs")
    queued = client.post("/runs", data={"csrf_token": token}, follow_redirects=False)
    assert queued.status_code == 303
    runs = client.get("/api/v1/runs", headers=api.headers(Role.VIEWER)).json()
    assert runs[0]["trigger"] == "page:pm@voc.example"
    assert runs[0]["seed"] == SEED
