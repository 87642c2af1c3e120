"""The overview with parent themes: themes folded into their parents, parent curation forms."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.test_pages import World, client, csrf_of, editor, viewer, world
from voc.theme.models import Theme, ThemeParent

__all__ = ["client", "editor", "viewer", "world"]  # the fixtures, shared with test_pages


@pytest.fixture
def parents(db_session: Session, world: World) -> tuple[int, int]:
    """ "Data" over the export theme and the hidden one, "Access" over the login theme."""
    data = ThemeParent(machine_label="Data", keywords=["csv"], size=31)
    access = ThemeParent(machine_label="Access", keywords=["login"], size=4)
    db_session.add_all([data, access])
    db_session.flush()
    for theme_id, parent in ((world.export_id, data), (world.hidden_id, data),
                             (world.login_id, access)):  # fmt: skip
        theme = db_session.get(Theme, theme_id)
        assert theme is not None
        theme.parent_id = parent.id
    db_session.flush()
    return data.id, access.id


def _details(page: str, parent_id: int) -> str:
    match = re.search(rf'<details class="parent panel" id="parent-{parent_id}">(.*?)</details>',
                      page, re.S)  # fmt: skip
    assert match, f"no fold for parent {parent_id}"
    return match.group(1)


def test_overview_folds_themes_into_their_parents(
    viewer: TestClient, world: World, parents: tuple[int, int]
) -> None:
    data, access = parents
    page = viewer.get("/themes").text
    assert 'id="themes"' not in page  # no flat table: the parents are the first screen
    assert page.index(f'id="parent-{data}"') < page.index(f'id="parent-{access}"')  # by size
    folded = _details(page, data)
    assert "<summary>" in folded
    assert "Data" in folded
    assert "30 items" in folded  # the hidden theme's item is not counted
    assert f'href="/themes/{world.export_id}"' in folded
    assert f'href="/themes/{world.hidden_id}"' not in page
    assert f'href="/themes/{world.login_id}"' in _details(page, access)
    assert 'action="/theme-parents/' not in page  # viewers get no curation forms
    by_name = viewer.get("/themes?sort=label&dir=asc").text
    assert by_name.index(f'id="parent-{access}"') < by_name.index(f'id="parent-{data}"')
    flat = viewer.get("/themes?level=theme").text
    assert 'id="themes"' in flat
    assert "Group themes under their parent themes" in flat
    shown = viewer.get("/themes?hidden=true").text
    assert f'href="/themes/{world.hidden_id}"' in _details(shown, data)


def test_overview_csv_names_each_themes_parent(
    viewer: TestClient, world: World, parents: tuple[int, int]
) -> None:
    data, access = parents
    text = viewer.get("/themes?hidden=true&format=csv").text.lstrip("\ufeff")
    rows = {int(r["theme_id"]): r for r in csv.DictReader(io.StringIO(text))}
    assert (rows[world.export_id]["parent_id"], rows[world.export_id]["parent"]) == (
        str(data),
        "Data",
    )
    assert rows[world.hidden_id]["parent"] == "Data"
    assert (rows[world.login_id]["parent_id"], rows[world.login_id]["parent"]) == (
        str(access),
        "Access",
    )


def test_overview_csv_leaves_the_parent_empty_before_parents_exist(
    viewer: TestClient, world: World
) -> None:
    text = viewer.get("/themes?format=csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "no themes exported"
    assert all(r["parent_id"] == "" and r["parent"] == "" for r in rows)


def test_editor_renames_merges_parents_and_moves_a_theme(
    editor: TestClient, db_session: Session, world: World, parents: tuple[int, int]
) -> None:
    data, access = parents
    token = csrf_of(editor, "/themes")
    renamed = editor.post(
        f"/theme-parents/{access}/rename", data={"label": "Sign-in", "csrf_token": token}
    )
    assert renamed.status_code == 303
    assert "Sign-in" in _details(editor.get("/themes").text, access)
    detail = editor.get(f"/themes/{world.export_id}").text
    assert f'action="/themes/{world.export_id}/parent"' in detail
    assert f'href="/themes#parent-{data}">Data</a>' in detail
    token = csrf_of(editor, f"/themes/{world.export_id}")
    moved = editor.post(
        f"/themes/{world.export_id}/parent", data={"parent_id": access, "csrf_token": token}
    )
    assert moved.status_code == 303
    assert f'href="/themes/{world.export_id}"' in _details(editor.get("/themes").text, access)
    token = csrf_of(editor, "/themes")
    merged = editor.post(
        f"/theme-parents/{data}/merge", data={"into_id": access, "csrf_token": token}
    )
    assert merged.status_code == 303
    page = editor.get("/themes").text
    assert f'id="parent-{data}"' not in page
    assert db_session.get(ThemeParent, data).status == "retired"  # type: ignore[union-attr]
