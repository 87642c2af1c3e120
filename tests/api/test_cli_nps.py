"""``voc nps report`` and ``voc campaigns`` on a fresh SQLite file: every format, clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli_nps import campaigns, nps_app
from voc.config import get_settings
from voc.customer.models import Account, Customer
from voc.db import make_engine, session_scope, upgrade_schema
from voc.feedback.models import Feedback
from voc.theme.models import Theme, ThemeAssignment, ThemeParent

AT = datetime(2026, 6, 1, tzinfo=UTC)
SCORES = {"Spring": [10, 9, 9, 8, 3, 10], "Summer": [2, 10, 6, 9, 1, 0, 7, 10]}


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(nps_app, name="nps")
    app.command("campaigns")(campaigns)
    return app


@pytest.fixture
def database(sqlite_file_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file with two campaigns; settings point at it."""
    engine = make_engine(sqlite_file_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        acc = Account(name="Acme", arr=50_000.0, plan="pro")
        session.add(acc)
        session.flush()
        person = Customer(email="ann@acme.test", account_id=acc.id)
        parent = ThemeParent(machine_label="Complaints", keywords=[], size=0)
        session.add(parent)
        session.flush()
        theme = Theme(machine_label='=HYPERLINK("x") <script>alert(1)</script>')
        theme.parent_id = parent.id
        session.add_all([person, theme])
        session.flush()
        n = 0
        for campaign, scores in SCORES.items():
            for score in scores:
                n += 1
                item = Feedback(
                    source="nps",
                    external_id=f"e{n}",
                    text="t",
                    text_hash=f"h{n}",
                    content_hash=f"c{n}",
                    score=score,
                    created_at=AT,
                    campaign=campaign,
                    customer_id=person.id,
                    meta={"channel": "web" if n % 2 else "email"},
                )
                session.add(item)
                session.flush()
                if score <= 3:
                    session.add(
                        ThemeAssignment(
                            feedback_id=item.id,
                            theme_id=theme.id,
                            confidence=1.0,
                            method="manual",
                            feedback_created_at=item.created_at,
                        )
                    )
    engine.dispose()
    monkeypatch.setenv("VOC_DATABASE_URL", sqlite_file_url)
    get_settings.cache_clear()
    yield sqlite_file_url
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("database")
def test_campaigns_lists_counts_and_nps() -> None:
    code, out = _run("campaigns")
    assert code == 0
    # Spring: 4 promoters, 1 passive, 1 detractor: NPS 50
    assert "Spring" in out
    assert "50" in out
    assert "Summer" in out


@pytest.mark.usefixtures("database")
def test_html_report_is_self_contained_and_escapes_customer_text(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    code, out = _run(
        "nps",
        "report",
        "--campaign",
        "Summer",
        "--compare",
        "Spring",
        "--by",
        "channel",
        "--output",
        str(target),
    )
    assert code == 0, out
    assert "within noise" in out
    html = target.read_text(encoding="utf-8")
    assert "<svg" in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "http://" not in html
    assert "https://" not in html


@pytest.mark.usefixtures("database")
def test_json_markdown_and_csv_reports(tmp_path: Path) -> None:
    for name in ("r.json", "r.md", "r.csv"):
        code, out = _run("nps", "report", "--campaign", "Summer", "--output", str(tmp_path / name))
        assert code == 0, out
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    # Summer: promoters 10, 9, 10; detractors 2, 6, 1, 0 -> 100 * (3 - 4) / 8 = -12.5
    assert data["overall"]["nps"] == pytest.approx(-12.5)
    assert "# NPS report: Summer" in (tmp_path / "r.md").read_text(encoding="utf-8")
    themes_csv = (tmp_path / "r.themes.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in themes_csv  # formula neutralised


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--campaign", "Winter", "--output", "x.json"], "known campaigns: Spring, Summer"),
        (["--campaign", "Summer", "--output", "x.pdf"], "use one of"),
        (["--campaign", "Summer", "--compare", "Summer", "--output", "x.json"], "another"),
    ],
)
def test_errors_are_one_line_with_non_zero_exit(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _run("nps", "report", *args)
    assert code != 0
    assert message in out
    assert "Traceback" not in out


@pytest.mark.usefixtures("database")
def test_report_at_the_parent_level(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    code, out = _run(
        "nps", "report", "--campaign", "Summer", "--level", "parent", "--output", str(target)
    )
    assert code == 0, out
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["level"] == "parent"
    assert [i["label"] for i in data["impacts"]] == ["Complaints"]
    markdown = tmp_path / "p.md"
    _run("nps", "report", "--campaign", "Summer", "--level", "parent", "--output", str(markdown))
    assert "Parent theme impact on NPS" in markdown.read_text(encoding="utf-8")
    code, out = _run("nps", "report", "--campaign", "Summer", "--level", "domain", "-o", "x.md")
    assert code != 0
    assert "--level" in out
