"""The ingest use case on a real database: validation, idempotency, updates, people, rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voc.customer.models import Account, Customer
from voc.errors import FileFormatError, InvalidInput
from voc.feedback import service as feedback_service
from voc.feedback import writer as feedback_writer
from voc.feedback.date_bounds import DEFAULT_BOUNDS, DateBounds
from voc.feedback.ingest import parse_mapping, resolve_columns
from voc.feedback.models import Feedback, Source
from voc.feedback.schemas import FeedbackCreate, parse_datetime, parse_score

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HEADER = "id,comment,nps,date,email,name,company,segment,arr,browser\n"
GOOD = (
    "1,CSV export drops accents,3,2026-05-01 14:03,ana@acme.io,Ana,Acme,enterprise,50000,firefox\n"
    "2,Love the new dashboard,10,2026-05-02,bo@acme.io,Bo,Acme,,,\n"
)


def csv_file(tmp_path: Path, body: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def ingest(session: Session, path: Path, **kwargs: object) -> feedback_service.IngestSummary:
    kwargs.setdefault("source", Source.NPS)
    return feedback_service.ingest_file(session, path, now=NOW, **kwargs)  # type: ignore[arg-type]


def items(session: Session) -> dict[str, Feedback]:
    return {f.external_id: f for f in session.scalars(select(Feedback))}


def test_good_rows_import_with_people_and_metadata(db_session: Session, tmp_path: Path) -> None:
    summary = ingest(db_session, csv_file(tmp_path, HEADER + GOOD), campaign="Q2")
    assert (summary.rows_read, summary.inserted, summary.rejected) == (2, 2, 0)
    stored = items(db_session)
    first = stored["1"]
    assert (first.text, first.score, first.campaign) == ("CSV export drops accents", 3, "Q2")
    assert first.created_at == datetime(2026, 5, 1, 14, 3, tzinfo=UTC)
    assert first.meta == {"browser": "firefox", "account": "Acme", "segment": "enterprise",
                          "arr": 50000.0}  # fmt: skip
    account = db_session.scalars(select(Account)).one()
    assert (account.name, account.segment, account.arr) == ("Acme", "enterprise", 50000.0)
    customers = {c.email: c for c in db_session.scalars(select(Customer))}
    assert set(customers) == {"ana@acme.io", "bo@acme.io"}
    assert customers["ana@acme.io"].account_id == account.id
    assert first.customer_id == customers["ana@acme.io"].id
    assert (summary.customers_created, summary.accounts_created) == (2, 1)


def test_reimport_is_idempotent_and_an_edited_row_updates_in_place(
    db_session: Session, tmp_path: Path
) -> None:
    ingest(db_session, csv_file(tmp_path, HEADER + GOOD))
    before = {k: (v.id, v.content_hash) for k, v in items(db_session).items()}
    again = ingest(db_session, csv_file(tmp_path, HEADER + GOOD))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert {k: (v.id, v.content_hash) for k, v in items(db_session).items()} == before
    edited = GOOD.replace("Love the new dashboard,10", "Dashboard is slow now,4")
    summary = ingest(db_session, csv_file(tmp_path, HEADER + edited))
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 1)
    db_session.expire_all()
    item = items(db_session)["2"]
    assert (item.id, item.text, item.score) == (before["2"][0], "Dashboard is slow now", 4)
    assert db_session.scalar(select(func.count()).select_from(Feedback)) == 2


def test_without_an_id_column_the_content_hash_is_the_identity(
    db_session: Session, tmp_path: Path
) -> None:
    body = "comment,nps,date\nSlow export,3,2026-05-01\nNice,9,\n"
    first = ingest(db_session, csv_file(tmp_path, body))
    assert first.inserted == 2
    ids = set(items(db_session))
    assert all(i.startswith("h:") for i in ids)
    rescored = ingest(
        db_session, csv_file(tmp_path, body.replace("Slow export,3", "Slow export,5"))
    )
    assert (rescored.updated, rescored.unchanged, set(items(db_session))) == (1, 1, ids)
    nice = next(f for f in items(db_session).values() if f.text == "Nice")
    assert nice.created_at == NOW  # missing date: the ingestion time, recorded in metadata
    assert nice.meta["_created_at_defaulted"] is True


def test_bad_rows_are_rejected_with_line_field_and_reason(
    db_session: Session, tmp_path: Path
) -> None:
    body = HEADER + GOOD + (
        "3,Too expensive,11,2026-05-03,,,,,,\n"
        "4,Fine,abc,2026-05-03,,,,,,\n"
        "5,Bad date,5,31/31/2026,,,,,,\n"
        "6,   ,,2026-05-03,,,,,,\n"
        "7,Bad mail,5,2026-05-03,not-an-email,,,,,\n"
        "1,Duplicate id,5,2026-05-03,,,,,,\n"
        "8,,7,2026-05-03,,,,,,\n"
    )  # fmt: skip
    rejects = tmp_path / "rejects.csv"
    summary = ingest(db_session, csv_file(tmp_path, body), rejects_path=rejects)
    assert (summary.rows_read, summary.inserted, summary.rejected) == (9, 3, 6)
    assert summary.adds_up
    found = {(e.line, e.field) for e in summary.errors}
    assert found == {(4, "score"), (5, "score"), (6, "created_at"), (7, None), (8, "email"),
                     (9, "external_id")}  # fmt: skip
    assert next(e.reason for e in summary.errors if e.line == 7) == "empty text"
    assert items(db_session)["8"].text == ""  # an NPS score without a comment is kept
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,field,reason,row"
    assert len(lines) == 7


def test_a_failing_file_raises_before_the_caller_commits(
    db_session: Session, tmp_path: Path
) -> None:
    ingest(db_session, csv_file(tmp_path, HEADER + GOOD))
    db_session.flush()  # stored before the failing import (the CLI test covers real commits)
    stored = {k: (v.text, v.score) for k, v in items(db_session).items()}
    cut = HEADER + GOOD.replace("Love the new dashboard", "Edited") + "3,New row,7,2026-05-0"
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(FileFormatError, match="stops in the middle"):  # noqa: SIM117
        with db_session.begin_nested():
            ingest(db_session, csv_file(tmp_path, cut), rejects_path=rejects)
    db_session.expire_all()
    assert {k: (v.text, v.score) for k, v in items(db_session).items()} == stored
    assert not rejects.exists()


def test_source_column_and_options(db_session: Session, tmp_path: Path) -> None:
    body = "ticket_id,message,source\nT1,Cannot log in,ticket\nT2,Great survey,Survey\nT3,x,fax\n"
    summary = ingest(db_session, csv_file(tmp_path, body), source=None)
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert summary.errors[0].field == "source"
    with pytest.raises(InvalidInput, match="--source is required"):
        ingest(db_session, csv_file(tmp_path, "comment\nhello\n"), source=None)


def test_json_and_jsonl_files(db_session: Session, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"id": 1, "text": "A", "score": 9, "plan": "pro"}]')
    (tmp_path / "b.jsonl").write_text('{"id": 2, "text": "B"}\n[1]\n')
    assert ingest(db_session, tmp_path / "a.json").inserted == 1
    summary = ingest(db_session, tmp_path / "b.jsonl")
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert items(db_session)["1"].meta == {"plan": "pro", "_created_at_defaulted": True}


def test_huge_text_fields_import(db_session: Session, tmp_path: Path) -> None:
    huge = "très lent " * 20_000  # about 200 KiB
    summary = ingest(db_session, csv_file(tmp_path, f'id,text\n1,"{huge}"\n'))
    assert summary.inserted == 1
    assert items(db_session)["1"].text == huge.strip()


def test_mapping_explicit_and_detected() -> None:
    mapping = parse_mapping(["text=Kommentar,score=Bewertung", "created_at=Wann"])
    columns = ["Kommentar", "Bewertung", "Wann", "E-Mail", "Company", "Extra"]
    resolved = resolve_columns(columns, mapping)
    assert resolved == {"text": "Kommentar", "score": "Bewertung", "created_at": "Wann",
                        "email": "E-Mail", "account": "Company"}  # fmt: skip
    with pytest.raises(InvalidInput, match="not in the file"):
        resolve_columns(columns, {"text": "Missing"})
    with pytest.raises(InvalidInput, match="unknown field"):
        parse_mapping(["colour=Red"])
    with pytest.raises(InvalidInput, match="no text column"):
        resolve_columns(["a", "b"], {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
        ("2026-05-01 14:03", datetime(2026, 5, 1, 14, 3, tzinfo=UTC)),
        ("2026-05-01T14:03:00+02:00", datetime(2026, 5, 1, 12, 3, tzinfo=UTC)),
        ("2026-05-01T14:03:00Z", datetime(2026, 5, 1, 14, 3, tzinfo=UTC)),
        ("01/05/2026", datetime(2026, 5, 1, tzinfo=UTC)),  # ambiguous: day first
        ("12/31/2026", datetime(2026, 12, 31, tzinfo=UTC)),  # only month first is valid
        ("31.12.2026 08:00", datetime(2026, 12, 31, 8, tzinfo=UTC)),
        ("2026/05/01", datetime(2026, 5, 1, tzinfo=UTC)),
        ("1777593600", datetime(2026, 5, 1, tzinfo=UTC)),
        ("1777593600000", datetime(2026, 5, 1, tzinfo=UTC)),
        ("", None),
    ],
)
def test_date_formats(raw: str, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", "2026-13-01", "32/01/2026"])
def test_bad_dates(raw: str) -> None:
    with pytest.raises(ValueError, match="unrecognised date"):
        parse_datetime(raw)


def test_scores() -> None:
    assert [parse_score(v) for v in ("0", " 7 ", "10", "7.0", "", None, 3)] == [
        0, 7, 10, 7, None, None, 3,
    ]  # fmt: skip
    for bad in ("11", "abc", "7.5", "-1", True):
        with pytest.raises(ValueError, match=r"0\.\.10"):
            parse_score(bad)


def test_create_and_bulk_create(db_session: Session) -> None:
    data = FeedbackCreate(source=Source.TICKET, external_id="T-9", text="API times out")
    item = db_session.get(Feedback, feedback_writer.store_one(db_session, data=data, now=NOW))
    assert item is not None
    assert (item.external_id, item.created_at, item.text_hash) == ("T-9", NOW, item.text_hash)
    summary = feedback_writer.store_many(
        db_session,
        items=[data, FeedbackCreate(source=Source.SURVEY, text="Nice", email="X@Y.io")],
        now=NOW,
    ).summary
    assert (summary.inserted, summary.unchanged) == (1, 1)


def test_implausible_dates_are_rejected_rows(db_session: Session, tmp_path: Path) -> None:
    body = HEADER + GOOD + (
        "3,From the stone age,5,0001-01-01,,,,,,\n"
        "4,Before the floor,5,2019-12-31,,,,,,\n"
        "5,Tomorrow is fine (clock skew),5,2026-06-02 11:00,,,,,,\n"
        "6,From the far future,5,9999-12-31,,,,,,\n"
        "7,Two days ahead,5,2026-06-03 13:00,,,,,,\n"
    )  # fmt: skip
    bounds = DateBounds(floor=date(2020, 1, 1))
    summary = ingest(db_session, csv_file(tmp_path, body), bounds=bounds)
    assert (summary.rows_read, summary.inserted, summary.rejected) == (7, 3, 4)
    assert {(e.line, e.field) for e in summary.errors} == {
        (4, "created_at"), (5, "created_at"), (7, "created_at"), (8, "created_at")
    }  # fmt: skip
    reasons = {e.line: e.reason for e in summary.errors}
    assert reasons[5] == "2019-12-31 is before 2020-01-01, the earliest date accepted"
    assert reasons[7].startswith("9999-12-31T00:00:00+00:00 is in the future")
    assert "5" in items(db_session)


def test_the_default_floor_is_1990() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert DEFAULT_BOUNDS.problem(datetime(1990, 1, 1, tzinfo=UTC), now=now) is None
    assert DEFAULT_BOUNDS.problem(datetime(1989, 12, 31, 23, tzinfo=UTC), now=now) is not None
    assert DEFAULT_BOUNDS.problem(now + timedelta(hours=23), now=now) is None
