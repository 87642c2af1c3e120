"""Kinds through the API and the pages: filters, FeedbackRead.kind, each theme's kind mix, CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from tests.api.conftest import ApiWorld
from tests.api.test_pages import World, client, viewer, world  # noqa: F401 - page fixtures
from voc.feedback.models import Feedback
from voc.theme import stats as theme_stats
from voc.theme.models import ThemeAssignment
from voc.user.models import Role


def _theme_item_ids(theme_id: int) -> Select[tuple[int]]:
    return (
        select(ThemeAssignment.feedback_id)
        .where(ThemeAssignment.theme_id == theme_id)
        .order_by(ThemeAssignment.feedback_id)
    )


def _set_kinds(session: Session, kinds: dict[int, str]) -> None:
    for item_id, kind in kinds.items():
        session.execute(
            update(Feedback).where(Feedback.id == item_id).values(kind=kind, kind_confidence=0.8)
        )
    theme_stats.refresh(session)


def test_feedback_list_filters_by_kind(api: ApiWorld, api_session: Session) -> None:
    w = api.world
    bugs = w.csv_items[:2] + w.login_items[:1]
    _set_kinds(api_session, {**dict.fromkeys(bugs, "bug"), w.csv_items[2]: "request"})
    api_session.commit()
    c, h = api.client, api.headers(Role.VIEWER)
    page = c.get("/api/v1/feedback", params={"kind": "bug", "limit": 200}, headers=h).json()
    assert sorted(i["id"] for i in page["items"]) == sorted(bugs)
    assert {(i["kind"], i["kind_confidence"]) for i in page["items"]} == {("bug", 0.8)}
    one = c.get(f"/api/v1/feedback/{w.csv_items[2]}", headers=h).json()
    assert one["kind"] == "request"
    unknown = c.get(f"/api/v1/feedback/{w.misc_items[0]}", headers=h).json()
    assert unknown["kind"] is None
    assert unknown["kind_confidence"] is None
    in_theme = c.get(
        f"/api/v1/themes/{w.csv_theme}/items", params={"kind": "bug"}, headers=h
    ).json()
    assert sorted(i["id"] for i in in_theme["items"]) == sorted(w.csv_items[:2])


def test_a_bad_kind_is_a_422_naming_the_field(api: ApiWorld) -> None:
    c, h = api.client, api.headers(Role.VIEWER)
    for path in ("/api/v1/feedback", f"/api/v1/themes/{api.world.csv_theme}/items"):
        response = c.get(path, params={"kind": "complaint"}, headers=h)
        assert response.status_code == 422
        assert "kind" in response.text
        assert "request" in response.text  # the allowed values are named


def test_theme_detail_shows_its_kind_mix(api: ApiWorld, api_session: Session) -> None:
    w = api.world
    _set_kinds(
        api_session,
        {**dict.fromkeys(w.csv_items[:3], "request"), **dict.fromkeys(w.csv_items[3:5], "bug")},
    )
    api_session.commit()
    detail = api.client.get(f"/api/v1/themes/{w.csv_theme}", headers=api.headers(Role.VIEWER))
    kinds = detail.json()["kinds"]
    assert [k["kind"] for k in kinds] == ["request", "bug", "praise", "question", "other"]
    assert [k["count"] for k in kinds] == [3, 2, 0, 0, 0]
    assert kinds[0]["share"] == 0.6


def test_explorer_page_filters_by_kind_and_exports_it(
    viewer: TestClient,  # noqa: F811 - the page fixture
    db_session: Session,
    world: World,  # noqa: F811
) -> None:
    [bug, *_] = db_session.scalars(_theme_item_ids(world.login_id))  # World holds theme ids
    _set_kinds(db_session, {bug: "bug"})
    page = viewer.get("/feedback", params={"kind": "bug"})
    assert page.status_code == 200
    assert '<option value="bug" selected>' in page.text
    assert page.text.count('class="tag kind-bug"') == 1
    export = viewer.get("/feedback", params={"kind": "bug", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert [(r["feedback_id"], r["kind"]) for r in rows] == [(str(bug), "bug")]
    assert viewer.get("/feedback", params={"kind": "complaint"}).status_code == 422


def test_theme_page_shows_the_kind_mix_and_filters_its_items(
    viewer: TestClient,  # noqa: F811
    db_session: Session,
    world: World,  # noqa: F811
) -> None:
    empty = viewer.get(f"/themes/{world.export_id}")
    assert "No kinds yet" in empty.text
    ids = list(db_session.scalars(_theme_item_ids(world.export_id)))
    _set_kinds(db_session, {**dict.fromkeys(ids[:4], "request"), ids[4]: "praise"})
    page = viewer.get(f"/themes/{world.export_id}")
    assert "What customers ask" in page.text
    assert 'aria-label="request: 4 items"' in page.text
    assert 'aria-label="praise: 1 items"' in page.text
    requests = viewer.get(f"/themes/{world.export_id}", params={"kind": "request"})
    assert requests.text.count('class="tag kind-request"') == 4
    assert 'class="tag kind-praise"' not in requests.text
    export = viewer.get(f"/themes/{world.export_id}", params={"kind": "praise", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert [(int(r["feedback_id"]), r["kind"]) for r in rows] == [(ids[4], "praise")]
