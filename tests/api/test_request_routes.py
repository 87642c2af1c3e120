"""The requests API: create, edit, status, links, items, evidence, account; clear 404/409."""

from __future__ import annotations

from tests.api.conftest import ApiWorld
from voc.user.models import Role


def test_create_edit_status_and_detail(api: ApiWorld) -> None:
    h = api.headers(Role.EDITOR)
    made = api.client.post(
        "/api/v1/requests",
        json={"title": "Faster login", "external_key": "REQ-2", "url": "https://t.example/2"},
        headers=h,
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    edited = api.client.patch(
        f"/api/v1/requests/{rid}", json={"release_note": "Login is 2x faster"}, headers=h
    )
    assert edited.json()["release_note"] == "Login is 2x faster"
    shipped = api.client.post(
        f"/api/v1/requests/{rid}/status", json={"status": "shipped", "note": "v2"}, headers=h
    ).json()
    assert shipped["became_shipped"] is True
    assert shipped["request"]["shipped_at"] is not None
    linked = api.client.post(
        f"/api/v1/requests/{rid}/items", json={"feedback_ids": api.world.login_items[:2]}, headers=h
    )
    assert linked.json()["linked"] == 2
    detail = api.client.get(f"/api/v1/requests/{rid}", headers=api.headers(Role.VIEWER)).json()
    assert detail["evidence"]["n_items"] == 2
    assert [h["to_status"] for h in detail["history"]] == ["open", "shipped"]
    assert {i["feedback_id"] for i in detail["items"]} == set(api.world.login_items[:2])
    assert detail["evidence"]["opportunity"]["formula"].startswith("opportunity =")
    page = api.client.get("/api/v1/requests", params={"sort": "items"}, headers=h).json()
    assert [r["id"] for r in page["requests"]][:1] == [api.request_id]  # 6 CSV items first
    assert page["total"] == 2


def test_links_to_hidden_retired_or_unknown_themes_and_requests_are_404_or_409(
    api: ApiWorld,
) -> None:
    h, w, rid = api.headers(Role.EDITOR), api.world, api.request_id
    hidden = api.client.post(f"/api/v1/requests/{rid}/themes/{w.hidden_theme}/confirm", headers=h)
    assert hidden.status_code == 409
    assert "hidden" in hidden.json()["detail"]
    assert (
        api.client.post(f"/api/v1/requests/{rid}/themes/99999/confirm", headers=h).status_code
        == 404
    )
    assert (
        api.client.post(
            f"/api/v1/requests/99999/themes/{w.csv_theme}/reject", headers=h
        ).status_code
        == 404
    )
    merged = api.client.post(
        f"/api/v1/themes/{w.login_theme}/merge", json={"into_id": w.csv_theme}, headers=h
    )
    assert merged.status_code == 200
    retired = api.client.post(f"/api/v1/requests/{rid}/themes/{w.login_theme}/confirm", headers=h)
    assert retired.status_code == 409
    assert "retired" in retired.json()["detail"]
    assert api.client.get("/api/v1/requests/99999", headers=h).status_code == 404
    assert api.client.get("/api/v1/themes/99999/requests", headers=h).status_code == 404
    dup = api.client.post(
        "/api/v1/requests", json={"title": "Dup", "external_key": "REQ-1"}, headers=h
    )
    assert dup.status_code == 409
    bad = api.client.post("/api/v1/requests", json={"title": "<i>x</i>"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("title:")
    missing = api.client.post(
        f"/api/v1/requests/{rid}/items", json={"feedback_ids": [99999]}, headers=h
    )
    assert missing.status_code == 404


def test_reject_then_theme_page_and_account_page(api: ApiWorld) -> None:
    h, w, rid = api.headers(Role.EDITOR), api.world, api.request_id
    rejected = api.client.post(f"/api/v1/requests/{rid}/themes/{w.login_theme}/reject", headers=h)
    assert rejected.json()["state"] == "rejected"
    on_csv = api.client.get(f"/api/v1/themes/{w.csv_theme}/requests", headers=h).json()
    assert [(r["request_id"], r["state"]) for r in on_csv] == [(rid, "confirmed")]
    assert api.client.get(f"/api/v1/themes/{w.login_theme}/requests", headers=h).json() == []
    account = api.client.get(f"/api/v1/accounts/{api.account_id}", headers=h).json()
    assert account["name"] == "Acme Corp"
    assert account["customers"][0]["email"] == "alice@acme.example"
    assert account["n_feedback"] > 0
    assert [r["id"] for r in account["requests"]] == [rid]
    assert api.client.get("/api/v1/accounts/99999", headers=h).status_code == 404
