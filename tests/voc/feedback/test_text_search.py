"""Text queries: the trigram index finds rare texts without reading every row, same answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.voc_fixtures import World, build_world, make_feedback
from voc.errors import FileFormatError
from voc.feedback import queries
from voc.feedback import service as feedback_service
from voc.feedback.models import Feedback
from voc.feedback.schemas import FeedbackFilters


@pytest.fixture
def world(db_session: Session) -> World:
    return build_world(db_session)


def _texts(session: Session, q: str) -> list[str]:
    page = queries.list_feedback(session, filters=FeedbackFilters(q=q), limit=200)
    return sorted(item.text for item in page.items)


def _substring_truth(session: Session, q: str) -> list[str]:
    texts = session.scalars(select(Feedback.text)).all()
    return sorted(t for t in texts if q.casefold() in t.casefold())


@pytest.mark.parametrize(
    "q", ["csv export", "CSV EXPORT", "login", "accents", "ogin pa", "no such words", "Monday"]
)
def test_index_answers_like_a_case_insensitive_substring_scan(
    db_session: Session, world: World, q: str
) -> None:
    assert queries.text_matches(db_session, q) is not None  # the index answered
    assert _texts(db_session, q) == _substring_truth(db_session, q)


def test_quotes_wildcards_and_short_texts_are_literal(db_session: Session, world: World) -> None:
    make_feedback(db_session, text='He said "100%_ sure" about it')
    make_feedback(db_session, text="100 percent sure")
    assert _texts(db_session, '"100%_ sure"') == ['He said "100%_ sure" about it']
    assert _texts(db_session, "100%_") == ['He said "100%_ sure" about it']
    assert queries.text_matches(db_session, "he") is None  # too short for trigrams: a scan
    assert _texts(db_session, "he") == _substring_truth(db_session, "he")


def test_the_index_follows_inserts_edits_and_deletes(db_session: Session, world: World) -> None:
    item = make_feedback(db_session, text="The zebra import wizard froze")
    assert queries.text_matches(db_session, "zebra") == [item.id]
    db_session.execute(
        update(Feedback).where(Feedback.id == item.id).values(text="The giraffe import froze")
    )
    assert queries.text_matches(db_session, "zebra") == []
    assert queries.text_matches(db_session, "giraffe") == [item.id]
    db_session.delete(item)
    db_session.flush()
    assert queries.text_matches(db_session, "giraffe") == []
    assert _texts(db_session, "giraffe") == []


def test_common_texts_page_newest_first_without_the_index(
    db_session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "TEXT_PROBE_LIMIT", 2)  # "login" is in more items than that
    assert queries.text_matches(db_session, "login") is None
    first = queries.list_feedback(db_session, filters=FeedbackFilters(q="login"), limit=2)
    rest = queries.list_feedback(
        db_session, filters=FeedbackFilters(q="login"), limit=2, cursor=first.next_cursor
    )
    found = [i.text for i in first.items + rest.items]
    assert sorted(found) == _substring_truth(db_session, "login")
    stamps = [i.created_at for i in first.items + rest.items]
    assert stamps == sorted(stamps, reverse=True)


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["id,text,source"] + [f'{i},"{t}",{s}' for i, t, s in ((*r, "ticket") for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_file_import_indexes_its_rows_and_later_inserts_still_are(
    db_session: Session, tmp_path: Path
) -> None:
    rows = [(f"t-{i}", f"Ticket {i}: the quokka report froze") for i in range(30)]
    rows.append(("t-edit", "The wombat sync failed"))
    feedback_service.ingest_file(db_session, _write_csv(tmp_path / "a.csv", rows))
    assert len(queries.text_matches(db_session, "quokka report") or []) == 30
    # re-import with an edited text: the old words leave the index, the new ones enter it
    rows[-1] = ("t-edit", "The numbat sync failed")
    feedback_service.ingest_file(db_session, _write_csv(tmp_path / "b.csv", rows))
    assert queries.text_matches(db_session, "wombat") == []
    assert len(queries.text_matches(db_session, "numbat") or []) == 1
    later = make_feedback(db_session, text="A platypus appeared after the import")
    assert queries.text_matches(db_session, "platypus") == [later.id]


def test_a_broken_import_rolls_back_and_keeps_the_index_in_step(
    db_session: Session, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b'id,text,source\n1,"The axolotl export,ticket\n2,"unclosed\x00\xff\xfe')
    nested = db_session.begin_nested()
    with pytest.raises(FileFormatError):
        feedback_service.ingest_file(db_session, broken)
    nested.rollback()
    assert queries.text_matches(db_session, "axolotl") == []
    later = make_feedback(db_session, text="An axolotl arrived later")
    assert queries.text_matches(db_session, "axolotl") == [later.id]
