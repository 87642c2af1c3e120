"""``voc requests`` end to end on a real SQLite file: import (idempotent, bad rows), list, ship,
suggest, link."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.cli import app
from tests.voc_fixtures import World, build_world
from voc.config import get_settings
from voc.db import make_engine, upgrade_schema
from voc.request import service as request_service
from voc.request.models import RequestStatusChange
from voc.user import service as user_service
from voc.user.models import Role

JIRA = (
    "Issue key,Summary,Status,Description\n"
    "PROD-1,Choose the CSV separator,To Do,Semicolons please\n"
    "PROD-2,Faster login,In Progress,\n"
)


@pytest.fixture
def world_url(sqlite_file_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, World]]:
    monkeypatch.setenv("VOC_DATABASE_URL", sqlite_file_url)
    get_settings.cache_clear()
    engine = make_engine(sqlite_file_url)
    upgrade_schema(engine)
    with Session(engine) as session:
        world = build_world(session)
        user_service.create_user(session, email="ed@example.com", role=Role.EDITOR)
        user_service.create_user(session, email="view@example.com", role=Role.VIEWER)
        session.commit()
    engine.dispose()
    yield sqlite_file_url, world
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_import_is_idempotent_and_a_move_to_shipped_counts_as_shipping(
    world_url: tuple[str, World], tmp_path: Path
) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(JIRA, encoding="utf-8")
    code, out = _run("requests", "import", str(path), "--json")
    assert code == 0, out
    first = json.loads(out)
    assert (first["inserted"], first["updated"], first["unchanged"], first["rejected"]) == (
        2, 0, 0, 0,
    )  # fmt: skip
    code, out = _run("requests", "import", str(path), "--json")
    assert json.loads(out)["unchanged"] == 2
    path.write_text(JIRA.replace("In Progress", "Done"), encoding="utf-8")
    code, out = _run("requests", "import", str(path), "--json")
    report = json.loads(out)
    assert report["updated"] == 1
    assert len(report["shipped_ids"]) == 1
    engine = make_engine(world_url[0])
    with Session(engine) as session:
        shipped = request_service.get_by_key(session, "PROD-2")
        assert shipped is not None
        assert shipped.status == "shipped"
        assert shipped.shipped_at is not None
        assert session.query(RequestStatusChange).filter_by(request_id=shipped.id).count() == 2
    engine.dispose()


def test_bad_rows_are_rejected_with_line_field_and_reason_and_good_rows_kept(
    world_url: tuple[str, World], tmp_path: Path
) -> None:
    path = tmp_path / "linear.csv"
    path.write_text(JIRA, encoding="utf-8")
    assert _run("requests", "import", str(path))[0] == 0
    long = "x" * (100 * 1024)
    bad = (
        "ID,Name,State,Body\n"
        "LIN-1,Good one,Backlog,\n"
        "LIN-2,Unknown status,Someday maybe,\n"
        "LIN-1,Duplicate key,Backlog,\n"
        "LIN-3,,Backlog,\n"
        f"LIN-4,Too long,Backlog,{long}\n"
        "LIN-5,<script>alert(1)</script>,Backlog,\n"
    )
    other = tmp_path / "bad.csv"
    other.write_text(bad, encoding="utf-8")
    code, out = _run("requests", "import", str(other), "--map", "key=ID,title=Name", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["inserted"] == 1
    problems = {(p["line"], p["field"]) for p in report["problems"]}
    assert problems == {(3, "status"), (4, "key"), (5, "title"), (6, "description"), (7, "title")}
    code, out = _run("requests", "list", "--json")
    keys = {r["external_key"] for r in json.loads(out)["requests"]}
    assert keys == {"PROD-1", "PROD-2", "LIN-1"}  # nothing stored before was lost
    code, out = _run("requests", "import", str(other), "--map", "nope=ID")
    assert code == 2
    assert "unknown field" in out


def test_ship_link_and_suggest(world_url: tuple[str, World], tmp_path: Path) -> None:
    _, world = world_url
    path = tmp_path / "jira.csv"
    path.write_text(JIRA, encoding="utf-8")
    _run("requests", "import", str(path))
    code, out = _run("requests", "ship", "PROD-1", "--json")
    assert code == 0, out
    assert json.loads(out)["became_shipped"] is True
    code, out = _run("requests", "link", "PROD-1", "--theme", str(world.csv_theme), "--as",
                     "ed@example.com", "--json")  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["state"] == "confirmed"
    code, out = _run("requests", "link", "PROD-1", "--reject", str(world.login_theme), "--as",
                     "view@example.com")  # fmt: skip
    assert code == 2
    assert "may not link" in out
    code, out = _run("requests", "link", "PROD-1", "--theme", str(world.hidden_theme), "--as",
                     "ed@example.com")  # fmt: skip
    assert code == 2
    assert "hidden" in out
    code, out = _run("requests", "link", "NOPE-9", "--theme", "1", "--as", "ed@example.com")
    assert code == 2
    assert "does not exist" in out
    code, out = _run("requests", "suggest", "PROD-2", "--json")
    assert code == 0, out
    found = json.loads(out)
    assert found
    assert set(found[0]) == {
        "theme_id", "label", "score", "centroid_similarity", "quote_similarity", "state", "why",
    }  # fmt: skip
    assert world.hidden_theme not in {s["theme_id"] for s in found}


def test_a_broken_file_is_one_line_and_a_bad_row_never_changes_a_stored_request(
    world_url: tuple[str, World], tmp_path: Path
) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(JIRA, encoding="utf-8")
    assert _run("requests", "import", str(path))[0] == 0
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00\x01\x02binary\xff" * 100)
    code, out = _run("requests", "import", str(binary))
    assert code == 2
    assert "binary" in out
    assert "Traceback" not in out
    no_key = tmp_path / "nokey.csv"
    no_key.write_text("Summary,Status\nA title,Open\n", encoding="utf-8")
    code, out = _run("requests", "import", str(no_key))
    assert code == 2
    assert "no key column" in out
    edited = JIRA.replace("Choose the CSV separator,To Do", "<b>Choose</b>,Nonsense")
    path.write_text(edited, encoding="utf-8")
    code, out = _run("requests", "import", str(path), "--json")
    report = json.loads(out)
    assert report["rejected"] == 1
    assert report["problems"][0]["line"] == 2
    engine = make_engine(world_url[0])
    with Session(engine) as session:
        kept = request_service.get_by_key(session, "PROD-1")
        assert kept is not None
        assert kept.title == "Choose the CSV separator"
        assert kept.status == "open"
    engine.dispose()
