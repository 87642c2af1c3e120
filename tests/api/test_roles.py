"""The full route table x every role: 401 without credentials, 403 below the role, else through."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import ApiWorld
from voc.user.models import ROLE_PERMISSIONS, Permission, Role

READ, CURATE, ADMIN = Permission.READ, Permission.CURATE, Permission.ADMIN
LINK = Permission.LINK_REQUESTS
LOOP = Permission.LOOP_CLOSURE
# (method, path) -> the permission it needs; None: any signed-in user
EXPECTED: dict[tuple[str, str], Permission | None] = {
    ("GET", "/api/v1/feedback"): READ,
    ("GET", "/api/v1/feedback/{feedback_id}"): READ,
    ("POST", "/api/v1/feedback"): CURATE,
    ("POST", "/api/v1/feedback/bulk"): CURATE,
    ("GET", "/api/v1/search"): READ,
    ("GET", "/api/v1/themes"): READ,
    ("GET", "/api/v1/themes/{theme_id}"): READ,
    ("GET", "/api/v1/themes/{theme_id}/items"): READ,
    ("PATCH", "/api/v1/themes/{theme_id}"): CURATE,
    ("POST", "/api/v1/themes/{theme_id}/merge"): CURATE,
    ("POST", "/api/v1/themes/{theme_id}/split"): CURATE,
    ("POST", "/api/v1/themes/{theme_id}/hide"): CURATE,
    ("POST", "/api/v1/themes/{theme_id}/unhide"): CURATE,
    ("POST", "/api/v1/curation/move"): CURATE,
    ("POST", "/api/v1/themes/{theme_id}/parent"): CURATE,
    ("GET", "/api/v1/theme-parents/{parent_id}"): READ,
    ("PATCH", "/api/v1/theme-parents/{parent_id}"): CURATE,
    ("POST", "/api/v1/theme-parents/{parent_id}/merge"): CURATE,
    ("POST", "/api/v1/curation/undo"): CURATE,
    ("GET", "/api/v1/curation/history"): READ,
    ("POST", "/api/v1/runs"): CURATE,
    ("GET", "/api/v1/runs"): READ,
    ("GET", "/api/v1/runs/{run_id}"): READ,
    ("GET", "/api/v1/campaigns"): READ,
    ("GET", "/api/v1/campaigns/report"): READ,
    ("GET", "/api/v1/jobs"): READ,
    ("GET", "/api/v1/jobs/{job_id}"): READ,
    ("POST", "/api/v1/index/rebuild"): ADMIN,
    ("GET", "/api/v1/me"): None,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/requests"): READ,
    ("POST", "/api/v1/requests"): LINK,
    ("GET", "/api/v1/requests/{request_id}"): READ,
    ("PATCH", "/api/v1/requests/{request_id}"): LINK,
    ("POST", "/api/v1/requests/{request_id}/status"): LINK,
    ("GET", "/api/v1/requests/{request_id}/suggestions"): READ,
    ("POST", "/api/v1/requests/{request_id}/themes/{theme_id}/confirm"): LINK,
    ("POST", "/api/v1/requests/{request_id}/themes/{theme_id}/reject"): LINK,
    ("POST", "/api/v1/requests/{request_id}/items"): LINK,
    ("POST", "/api/v1/requests/{request_id}/items/remove"): LINK,
    ("GET", "/api/v1/requests/{request_id}/find"): READ,
    ("GET", "/api/v1/themes/{theme_id}/requests"): READ,
    ("POST", "/api/v1/themes/{theme_id}/requests/suggest"): LINK,
    ("GET", "/api/v1/accounts/{account_id}"): READ,
    ("GET", "/api/v1/loop/campaigns"): READ,
    ("GET", "/api/v1/loop/requests/{request_id}/preview"): READ,
    ("PATCH", "/api/v1/loop/requests/{request_id}/campaign"): LOOP,
    ("POST", "/api/v1/loop/requests/{request_id}/approve"): LOOP,
    ("GET", "/api/v1/loop/requests/{request_id}/delivery"): READ,
    ("GET", "/api/v1/loop/accounts/{account_id}/told"): READ,
}
# signed by the mail provider's HMAC, not by a user (tests/loop_closure/test_unsubscribe_events.py)
NOT_USER_ROUTES = {("POST", "/api/v1/email-events")}
# requests that do not need the models (the role check runs before the body is used)
SKIP_SUCCESS = {
    ("POST", "/api/v1/feedback"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/requests/{request_id}/find"),
}


def _api_routes(api: ApiWorld) -> list[tuple[str, str]]:
    paths = api.client.get("/openapi.json").json()["paths"]
    routes = [(m.upper(), p) for p, ops in paths.items() for m in ops if p.startswith("/api/")]
    return [route for route in routes if route not in NOT_USER_ROUTES]


def _request(api: ApiWorld, method: str, path: str, role: Role | None) -> int:
    w = api.world
    ids = {"feedback_id": w.csv_items[0], "theme_id": w.login_theme, "run_id": w.run_id,
           "job_id": 1, "request_id": api.request_id, "account_id": api.account_id,
           "parent_id": w.product_parent}  # fmt: skip
    url = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)
    bodies = {
        "/api/v1/feedback/bulk": [{"source": "survey", "text": "role check item"}],
        "/api/v1/themes/{theme_id}/merge": {"into_id": w.csv_theme},
        "/api/v1/themes/{theme_id}/split": {"feedback_ids": w.login_items[:1]},
        "/api/v1/curation/move": {"feedback_ids": [w.unassigned], "to_theme_id": w.csv_theme},
        "/api/v1/themes/{theme_id}/parent": {"parent_id": w.product_parent},
        "/api/v1/theme-parents/{parent_id}/merge": {"into_id": w.access_parent},
        "/api/v1/users": {"email": f"x-{role}@voc.example", "role": "viewer"},
        "/api/v1/feedback": {"source": "survey", "text": "role check"},
        "/api/v1/requests": {"title": f"Role check {role}"},
        "/api/v1/requests/{request_id}/status": {"status": "planned"},
        "/api/v1/requests/{request_id}/items": {"feedback_ids": [w.unassigned]},
        "/api/v1/requests/{request_id}/items/remove": {"feedback_ids": [w.unassigned]},
        "/api/v1/loop/requests/{request_id}/campaign": {"release_note": "Live now."},
    }
    params = {"q": "csv"} if path.endswith("/search") else None
    patch = {"title": "Renamed"} if "/requests/" in path else {"label": "Renamed"}
    body = bodies.get(path if method != "GET" else "", patch if method == "PATCH" else None)
    response = api.client.request(method, url, json=body, params=params, headers=api.headers(role))
    return response.status_code


def test_every_api_route_is_in_the_matrix(api: ApiWorld) -> None:
    assert sorted(_api_routes(api)) == sorted(EXPECTED)


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_route_checks_its_role(api: ApiWorld, method: str, path: str) -> None:
    needed = EXPECTED[(method, path)]
    assert _request(api, method, path, None) == 401
    for role in Role:
        allowed = needed is None or needed in ROLE_PERMISSIONS[role]
        if not allowed:
            assert _request(api, method, path, role) == 403, role
        elif (method, path) not in SKIP_SUCCESS:
            assert _request(api, method, path, role) not in {401, 403}, role
