"""Both theme levels under /api/v1: parents with their themes folded in, detail, curation."""

from __future__ import annotations

from tests.api.conftest import ApiWorld
from voc.user.models import Role


def test_themes_at_both_levels(api: ApiWorld) -> None:
    c, h, w = api.client, api.headers(Role.VIEWER), api.world
    themes = c.get("/api/v1/themes", headers=h).json()["themes"]
    parent_of = {t["id"]: (t["parent_id"], t["parent_label"]) for t in themes}
    assert parent_of == {
        w.csv_theme: (w.product_parent, "Product"),
        w.login_theme: (w.access_parent, "Access"),
    }
    listing = c.get("/api/v1/themes", params={"level": "parent"}, headers=h).json()
    parents = {p["id"]: p for p in listing["parents"]}
    assert list(parents) == [w.product_parent, w.access_parent]  # by size: 6 items, then 4
    product = parents[w.product_parent]
    assert product["theme_ids"] == [w.csv_theme]  # the hidden theme is not shown
    csv = next(t for t in themes if t["id"] == w.csv_theme)
    for field in ("size", "share", "nps", "n_scored", "negative_share", "avg_sentiment"):
        assert product[field] == csv[field], field
    assert [t["id"] for t in listing["themes"][str(w.product_parent)]] == [w.csv_theme]
    with_hidden = c.get(
        "/api/v1/themes", params={"level": "parent", "include_hidden": True}, headers=h
    ).json()
    assert {p["id"]: p["theme_ids"] for p in with_hidden["parents"]}[w.product_parent] == [
        w.csv_theme,
        w.hidden_theme,
    ]
    detail = c.get(f"/api/v1/theme-parents/{w.access_parent}", headers=h).json()
    assert detail["label"] == "Access"
    assert [t["id"] for t in detail["themes"]] == [w.login_theme]
    assert c.get("/api/v1/theme-parents/999999", headers=h).status_code == 404
    assert c.get("/api/v1/themes", params={"level": "domain"}, headers=h).status_code == 422


def test_parent_curation_through_the_api(api: ApiWorld) -> None:
    c, h, w = api.client, api.headers(Role.EDITOR), api.world
    moved = c.post(
        f"/api/v1/themes/{w.login_theme}/parent", json={"parent_id": w.product_parent}, headers=h
    )
    assert moved.status_code == 200
    assert moved.json()["parent_id"] == w.product_parent
    renamed = c.patch(
        f"/api/v1/theme-parents/{w.product_parent}", json={"label": "Product and access"}, headers=h
    )
    assert renamed.json()["label"] == "Product and access"
    assert sorted(renamed.json()["theme_ids"]) == sorted([w.csv_theme, w.login_theme])
    merged = c.post(
        f"/api/v1/theme-parents/{w.access_parent}/merge",
        json={"into_id": w.product_parent},
        headers=h,
    )
    assert merged.status_code == 200
    gone = c.get(f"/api/v1/theme-parents/{w.access_parent}", headers=h).json()
    assert gone["status"] == "retired"
    again = c.post(
        f"/api/v1/theme-parents/{w.access_parent}/merge",
        json={"into_id": w.product_parent},
        headers=h,
    )
    assert again.status_code == 409
    history = c.get("/api/v1/curation/history", headers=h).json()
    assert [e["action"] for e in history[:3]] == ["merge_parents", "rename_parent", "move_theme"]
    undone = c.post("/api/v1/curation/undo", headers=h).json()
    assert undone["action"] == "merge_parents"
    back = c.get(f"/api/v1/theme-parents/{w.access_parent}", headers=h).json()
    assert back["status"] == "active"
