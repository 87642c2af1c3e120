"""Every JSON endpoint: status, body shape and error codes."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiWorld
from voc.user.models import Role

ADMIN = Role.ADMIN
EDITOR = Role.EDITOR


def test_feedback_list_filters_and_cursor(api: ApiWorld) -> None:
    c, h = api.client, api.headers(Role.VIEWER)
    page = c.get("/api/v1/feedback", params={"limit": 5}, headers=h).json()
    assert len(page["items"]) == 5
    assert page["next_cursor"]
    nxt = c.get(
        "/api/v1/feedback", params={"limit": 200, "cursor": page["next_cursor"]}, headers=h
    ).json()
    ids = [i["id"] for i in page["items"] + nxt["items"]]
    assert len(ids) == len(set(ids)) == 13
    assert nxt["next_cursor"] is None
    neg = c.get("/api/v1/feedback", params={"sentiment": "negative", "q": "csv"}, headers=h)
    assert {i["theme_id"] for i in neg.json()["items"]} == {api.world.csv_theme}
    assert len(neg.json()["items"]) == 4
    seg = c.get("/api/v1/feedback", params={"segment": "smb", "score_max": 4}, headers=h).json()
    assert all(i["score"] <= 4 for i in seg["items"])
    assert seg["items"]
    literal = c.get("/api/v1/feedback", params={"q": "100%_"}, headers=h).json()
    assert literal["items"] == []


def test_feedback_errors(api: ApiWorld) -> None:
    c, h = api.client, api.headers(Role.VIEWER)
    bad_cursor = c.get("/api/v1/feedback", params={"cursor": "nope"}, headers=h)
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["error"] == "invalid_input"
    too_many = c.get("/api/v1/feedback", params={"limit": 201}, headers=h)
    assert too_many.status_code == 422
    assert "limit" in too_many.json()["detail"]
    missing = c.get("/api/v1/feedback/999999", headers=h)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "not_found",
        "detail": "feedback item 999999 does not exist",
    }
    one = c.get(f"/api/v1/feedback/{api.world.csv_items[0]}", headers=h).json()
    assert one["theme_label"] == "CSV export"
    assert one["sentiment_label"] == "negative"


def test_themes_overview_detail_items(api: ApiWorld) -> None:
    c, h = api.client, api.headers(Role.VIEWER)
    listing = c.get("/api/v1/themes", headers=h).json()
    assert [t["label"] for t in listing["themes"]] == ["CSV export", "Login problems"]
    hidden = c.get("/api/v1/themes", params={"include_hidden": True}, headers=h).json()
    assert len(hidden["themes"]) == 3
    detail = c.get(f"/api/v1/themes/{api.world.csv_theme}", headers=h).json()
    assert detail["size"] == 6
    assert detail["quotes"]
    assert detail["avg_sentiment"] == pytest.approx(-2.0 / 6)
    worst = detail["negative_quotes"]
    assert [q["feedback_id"] for q in worst][:2] == [api.world.csv_items[5], api.world.csv_items[2]]
    assert all(q["sentiment_label"] == "negative" for q in worst)
    assert detail["segments"]
    assert detail["similar"][0]["id"] == api.world.login_theme
    items = c.get(f"/api/v1/themes/{api.world.login_theme}/items", headers=h).json()
    assert sorted(i["id"] for i in items["items"]) == sorted(api.world.login_items)
    assert c.get("/api/v1/themes/999999", headers=h).status_code == 404
    assert c.get("/api/v1/themes", params={"sort": "bogus"}, headers=h).status_code == 422


def test_curation_rename_hide_move_merge_undo(api: ApiWorld) -> None:
    c, h, w = api.client, api.headers(EDITOR), api.world
    renamed = c.patch(f"/api/v1/themes/{w.csv_theme}", json={"label": "Export to CSV"}, headers=h)
    assert renamed.status_code == 200
    assert renamed.json()["label"] == "Export to CSV"
    assert renamed.json()["human_label"] == "Export to CSV"
    moved = c.post(
        "/api/v1/curation/move",
        json={"feedback_ids": [w.unassigned], "to_theme_id": w.login_theme},
        headers=h,
    )
    assert moved.status_code == 200
    assert moved.json()["size"] == 5
    item = c.get(f"/api/v1/feedback/{w.unassigned}", headers=h).json()
    assert item["is_manual_assignment"] is True
    merged = c.post(f"/api/v1/themes/{w.login_theme}/merge", json={"into_id": w.csv_theme},
                    headers=h)  # fmt: skip
    assert merged.status_code == 200
    assert merged.json()["size"] == 11
    gone = c.get("/api/v1/themes", headers=h).json()["themes"]
    assert [t["id"] for t in gone] == [w.csv_theme]
    undone = c.post("/api/v1/curation/undo", headers=h).json()
    assert undone["action"] == "merge"
    assert undone["is_undone"] is True
    back = c.get("/api/v1/themes", headers=h).json()["themes"]
    assert {t["id"]: t["size"] for t in back} == {w.csv_theme: 6, w.login_theme: 5}
    history = c.get("/api/v1/curation/history", headers=h).json()
    assert [e["action"] for e in history] == ["undo", "merge", "move_items", "rename"]
    self_merge = c.post(f"/api/v1/themes/{w.csv_theme}/merge", json={"into_id": w.csv_theme},
                        headers=h)  # fmt: skip
    assert self_merge.status_code == 422


def test_split_hide_and_conflicts(api: ApiWorld) -> None:
    c, h, w = api.client, api.headers(EDITOR), api.world
    split = c.post(f"/api/v1/themes/{w.csv_theme}/split", json={"k": 2}, headers=h)
    assert split.status_code == 200
    created = split.json()["created"]
    assert len(created) == 1
    assert created[0]["size"] >= 1
    by_ids = c.post(
        f"/api/v1/themes/{w.login_theme}/split",
        json={"feedback_ids": w.login_items[:2]},
        headers=h,
    )
    assert by_ids.status_code == 200
    assert by_ids.json()["created"][0]["size"] == 2
    both = c.post(f"/api/v1/themes/{w.login_theme}/split", json={"k": 2, "feedback_ids": [1]},
                  headers=h)  # fmt: skip
    assert both.status_code == 422
    assert c.post(f"/api/v1/themes/{w.login_theme}/hide", headers=h).json()["is_hidden"]
    assert not c.post(f"/api/v1/themes/{w.login_theme}/unhide", headers=h).json()["is_hidden"]
    c.post(f"/api/v1/themes/{w.hidden_theme}/merge", json={"into_id": w.csv_theme}, headers=h)
    retired = c.patch(f"/api/v1/themes/{w.hidden_theme}", json={"label": "x"}, headers=h)
    assert retired.status_code == 409
    assert retired.json()["error"] == "conflict"


def test_undo_without_history_is_a_conflict(api: ApiWorld) -> None:
    r = api.client.post("/api/v1/curation/undo", headers=api.headers(EDITOR))
    assert r.status_code == 409
    assert r.json()["error"] == "conflict"


def test_runs_trigger_in_background_and_read(api: ApiWorld) -> None:
    c, h = api.client, api.headers(EDITOR)
    r = c.post("/api/v1/runs", headers=h)
    assert r.status_code == 202
    assert r.json()["status"] == "pending"
    assert api.queue.sent == [("run_analysis", {"run_id": r.json()["id"]})]
    again = c.post("/api/v1/runs", headers=h)
    assert again.status_code == 409
    runs = c.get("/api/v1/runs", headers=h).json()
    assert runs[0]["id"] == r.json()["id"]
    detail = c.get(f"/api/v1/runs/{api.world.run_id}", headers=h).json()
    assert detail["status"] == "succeeded"
    assert detail["lineage"] == []
    assert c.get("/api/v1/runs/999999", headers=h).status_code == 404


def test_large_bulk_is_stored_and_assigned_by_batch_jobs(api: ApiWorld) -> None:
    items = [{"source": "survey", "text": f"Bulk item number {i} about invoices"}
             for i in range(300)]  # fmt: skip
    r = api.client.post("/api/v1/feedback/bulk", json=items, headers=api.headers(EDITOR))
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["summary"]["inserted"] == 300
    assert body["job"]["n_batches"] == 2
    batches = [kw for task, kw in api.queue.sent if task == "assign_batch"]
    assert sum(len(b["feedback_ids"]) for b in batches) == 300
    job = api.client.get(f"/api/v1/jobs/{body['job']['id']}", headers=api.headers(EDITOR))
    assert job.json()["status"] == "queued"


def test_bulk_validation_names_the_row(api: ApiWorld) -> None:
    bad = [{"source": "survey", "text": "fine"}, {"source": "fax", "text": "bad source"}]
    r = api.client.post("/api/v1/feedback/bulk", json=bad, headers=api.headers(EDITOR))
    assert r.status_code == 422
    assert "1.source" in r.json()["detail"]


def test_users_admin_and_me(api: ApiWorld) -> None:
    c = api.client
    me = c.get("/api/v1/me", headers=api.headers(Role.CS_OPS)).json()
    assert me["role"] == "cs_ops"
    created = c.post("/api/v1/users", json={"email": "New@Voc.example", "role": "viewer"},
                     headers=api.headers(ADMIN))  # fmt: skip
    assert created.status_code == 201
    assert created.json()["email"] == "new@voc.example"
    dup = c.post("/api/v1/users", json={"email": "new@voc.example", "role": "viewer"},
                 headers=api.headers(ADMIN))  # fmt: skip
    assert dup.status_code == 409
    assert len(c.get("/api/v1/users", headers=api.headers(ADMIN)).json()) == 5


def test_bad_token_is_401_with_error_body(api: ApiWorld) -> None:
    r = api.client.get("/api/v1/themes", headers={"Authorization": "Bearer voc_wrong"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"


def test_openapi_docs_are_served(api: ApiWorld) -> None:
    assert api.client.get("/docs").status_code == 200
    schema = api.client.get("/openapi.json").json()
    assert "/api/v1/themes/{theme_id}/split" in schema["paths"]


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00:00Z", "1989-12-31", "9999-12-31"])
def test_implausible_dates_are_refused_naming_the_field(api: ApiWorld, created_at: str) -> None:
    item = {"source": "survey", "text": "Dated oddly", "created_at": created_at}
    one = api.client.post("/api/v1/feedback", json=item, headers=api.headers(EDITOR))
    assert one.status_code == 422, one.text
    assert one.json()["error"] == "invalid_input"
    assert one.json()["detail"].startswith("created_at: ")
    bulk = [{"source": "survey", "text": "fine"}, item]
    many = api.client.post("/api/v1/feedback/bulk", json=bulk, headers=api.headers(EDITOR))
    assert many.status_code == 422, many.text
    assert many.json()["detail"].startswith("items.1.created_at: ")
    listing = api.client.get(
        "/api/v1/feedback", params={"q": "Dated oddly"}, headers=api.headers(EDITOR)
    )
    assert listing.json()["items"] == []  # nothing of the refused request was stored
