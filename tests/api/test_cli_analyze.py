"""``voc analyze FILE`` end to end: real model, real SQLite file, per-row CSV, bad input."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sklearn.metrics import normalized_mutual_info_score
from typer.testing import CliRunner

from api.cli_analyze import analyze, themes
from nlp.kinds import KINDS
from voc.config import get_settings
from voc.demo.generator import generate_demo

EXTRA = [
    "theme_id",
    "theme_label",
    "theme_confidence",
    "sentiment",
    "sentiment_score",
    "kind",
    "kind_confidence",
]


@pytest.fixture
def cli(sqlite_file_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("VOC_DATABASE_URL", sqlite_file_url)
    get_settings.cache_clear()
    app = typer.Typer()
    app.command("analyze")(analyze)
    app.command("themes")(themes)
    yield app
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo sample's texts with their planted theme, plus one formula-looking comment."""
    path = tmp_path_factory.mktemp("analyze") / "feedback.csv"
    items = [i for i in generate_demo(seed=5) if i.text.strip()]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ref", "comment", "gold"])
        writer.writerows((item.external_id, item.text, item.gold_theme) for item in items)
        writer.writerow(["formula-1", "=HYPERLINK('http://x') export is slow", "formula"])
    return path


def test_every_row_comes_back_with_theme_and_sentiment(
    cli: typer.Typer, demo_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    args = ["analyze", str(demo_csv), "--text-column", "comment", "--id-column", "ref"]
    result = CliRunner().invoke(cli, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "coverage" in result.output
    with demo_csv.open(encoding="utf-8") as fh:
        rows_in = list(csv.DictReader(fh))
    with out.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows_out = list(reader)
        assert reader.fieldnames == ["ref", "comment", "gold", *EXTRA]
    assert [r["ref"] for r in rows_out] == [r["ref"] for r in rows_in]
    assert all(r["sentiment"] in {"negative", "neutral", "positive"} for r in rows_out)
    assert all(-1.0 <= float(r["sentiment_score"]) <= 1.0 for r in rows_out)
    assert all(r["kind"] in KINDS for r in rows_out)
    assert all(0.0 < float(r["kind_confidence"]) <= 1.0 for r in rows_out)
    assigned = [r for r in rows_out if r["theme_id"]]
    assert len(assigned) >= 0.8 * len(rows_out)
    assert all(r["theme_label"] and 0.0 < float(r["theme_confidence"]) <= 1.0 for r in assigned)
    assert all(not r["theme_confidence"] for r in rows_out if not r["theme_id"])
    predicted = [r["theme_id"] or f"unassigned-{i}" for i, r in enumerate(rows_out)]
    assert normalized_mutual_info_score([r["gold"] for r in rows_out], predicted) >= 0.6
    formula = next(r for r in rows_out if r["ref"] == "formula-1")
    assert formula["comment"].startswith("'=")

    again = CliRunner().invoke(cli, [*args, "--output", str(tmp_path / "again.csv")])
    assert again.exit_code == 0, again.output
    assert f"{len(rows_in)} unchanged" in again.output
    listed = CliRunner().invoke(cli, ["themes"])
    assert listed.exit_code == 0
    assert assigned[0]["theme_label"][:20] in listed.output
    assert "parent" in listed.output  # each theme's parent, once the run has grouped them
    parents = CliRunner().invoke(cli, ["themes", "--level", "parent"])
    assert parents.exit_code == 0, parents.output
    assert "Parent themes" in parents.output
    assert str(assigned[0]["theme_id"]) in parents.output  # listed under its parent
    wrong = CliRunner().invoke(cli, ["themes", "--level", "domain"])
    assert wrong.exit_code != 0


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (None, ["--text-column", "comment"], "no such file"),
        (b"ref,comment\n1,Export is slow\n", ["--text-column", "body"], "body"),
        (b"\x00\x01\x02\xff\xfe\x00binary\x00" * 50, ["--text-column", "comment"], "binary"),
        (b"ref,comment\n1,Export is slow\n", ["--source", "tweets"], "--source"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    cli: typer.Typer, tmp_path: Path, content: bytes | None, options: list[str], message: str
) -> None:
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(cli, ["analyze", str(path), *options])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert message in result.output.lower()
    assert len(result.output.strip().splitlines()) == 1


def test_output_may_not_overwrite_the_input(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("ref,comment\n1,Export is slow\n", encoding="utf-8")
    args = ["analyze", str(path), "--text-column", "comment", "--output", str(path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "overwrite" in result.output
    assert path.read_text(encoding="utf-8") == "ref,comment\n1,Export is slow\n"
