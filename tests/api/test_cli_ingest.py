"""``voc ingest`` end to end on a real SQLite file: summary, exit codes, all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli_ingest import ingest
from voc.config import get_settings
from voc.db import make_engine
from voc.feedback.models import Feedback

GOOD = "id,comment,nps\n1,Export is slow,3\n2,Love it,10\n"


@pytest.fixture
def cli(sqlite_file_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("VOC_DATABASE_URL", sqlite_file_url)
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(ingest)
    app.command("noop")(lambda: None)  # two commands, so `ingest` is a sub-command
    yield app
    get_settings.cache_clear()


def stored(url: str) -> dict[str, tuple[str, int | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Feedback.external_id, Feedback.text, Feedback.score))
            return {r[0]: (r[1], r[2]) for r in rows}
    finally:
        engine.dispose()


def test_ingest_prints_a_summary_and_is_idempotent(
    cli: typer.Typer, tmp_path: Path, sqlite_file_url: str
) -> None:
    path = tmp_path / "nps.csv"
    path.write_text(GOOD + "3,,abc\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    args = ["ingest", str(path), "--source", "nps", "--rejects", str(rejects)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "rejected line 4, score" in result.output
    assert rejects.read_text(encoding="utf-8").count("\n") == 2
    assert stored(sqlite_file_url) == {"1": ("Export is slow", 3), "2": ("Love it", 10)}
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0
    assert "│         3 │        0 │       0 │         2 │        1 │" in again.output


def test_dry_run_stores_nothing(cli: typer.Typer, tmp_path: Path, sqlite_file_url: str) -> None:
    path = tmp_path / "nps.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(path), "--source", "nps", "--dry-run"])
    assert result.exit_code == 0
    assert "dry run" in result.output
    assert stored(sqlite_file_url) == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD.replace("Love it,10", "Edited,1") + "3,cut in the mid", "stops in the middle"),
        (GOOD.replace("Love it,10", "Edited,1") + '3,"never closed,5\n', "unbalanced quote"),
        (b"\x00\x01\x02binary\xff" * 100, "binary"),
    ],
)
def test_a_broken_file_is_one_line_and_loses_nothing(
    cli: typer.Typer, tmp_path: Path, sqlite_file_url: str, body: str | bytes, message: str
) -> None:
    path = tmp_path / "nps.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert CliRunner().invoke(cli, ["ingest", str(path), "--source", "nps"]).exit_code == 0
    before = stored(sqlite_file_url)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(body if isinstance(body, bytes) else body.encode())
    result = CliRunner().invoke(cli, ["ingest", str(broken), "--source", "nps"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(sqlite_file_url) == before  # the edit and the good new rows rolled back


def test_bad_options_are_one_line_errors(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "nps.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(path), "--map", "text=Nope"])
    assert result.exit_code == 2
    assert "not in the file" in result.output
    missing = CliRunner().invoke(cli, ["ingest", str(tmp_path / "none.csv"), "--source", "nps"])
    assert missing.exit_code == 2
    assert "no such file" in missing.output
