"""Request pages: list (sort, filter, CSV), detail with its forms, theme page links, account."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import ApiWorld, csrf_token, page_login
from voc.user import service as user_service
from voc.user.models import Role

PASSWORD = "correct horse battery"


@pytest.fixture
def editor(api: ApiWorld, api_session: Session) -> ApiWorld:
    user_service.create_user(api_session, email="pm@voc.example", role=Role.EDITOR,
                             password=PASSWORD)  # fmt: skip
    user_service.create_user(api_session, email="look@voc.example", role=Role.VIEWER,
                             password=PASSWORD)  # fmt: skip
    api_session.commit()
    page_login(api.client, "pm@voc.example", PASSWORD)
    return api


def test_list_sorts_filters_and_exports(editor: ApiWorld) -> None:
    c = editor.client
    token = csrf_token(c, "/requests")
    made = c.post("/requests", data={"title": "Faster login", "csrf_token": token},
                  follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    assert made.headers["location"].startswith("/requests/")
    page = c.get("/requests", params={"sort": "items", "dir": "desc"})
    assert page.status_code == 200
    table = page.text[page.text.index('id="requests"') :]
    assert table.index("Choose the CSV separator") < table.index("Faster login")
    assert "opportunity = " in page.text
    up = c.get("/requests", params={"sort": "items", "dir": "asc"}).text
    up = up[up.index('id="requests"') :]
    assert up.index("Faster login") < up.index("Choose the CSV separator")
    shipped = c.get("/requests", params={"status": "shipped"}).text
    assert "No requests yet" in shipped
    body = c.get("/requests", params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["request_id", "external_key", "title", "status"]
    assert {r[2] for r in rows[1:]} == {"Choose the CSV separator", "Faster login"}


def test_detail_forms_change_status_link_and_reject(editor: ApiWorld) -> None:
    c, w, rid = editor.client, editor.world, editor.request_id
    page = c.get(f"/requests/{rid}")
    assert page.status_code == 200
    assert "CSV export" in page.text  # the confirmed theme
    assert 'id="opportunity"' in page.text
    token = csrf_token(c, f"/requests/{rid}")
    c.post(f"/requests/{rid}/status", data={"status": "planned", "note": "Q3", "csrf_token": token})
    c.post(f"/requests/{rid}/items", data={"feedback_ids": [w.login_items[0]], "csrf_token": token})
    after = c.get(f"/requests/{rid}").text
    assert "open → planned · Q3" in after
    assert "Linked items (1)" in after
    reject = c.post(f"/requests/{rid}/themes/{w.login_theme}/reject",
                    data={"csrf_token": token, "back": f"/themes/{w.login_theme}"},
                    follow_redirects=False)  # fmt: skip
    assert reject.headers["location"] == f"/themes/{w.login_theme}"
    assert "never suggested again" in c.get(f"/requests/{rid}").text
    hidden = c.post(f"/requests/{rid}/themes/{w.hidden_theme}/confirm",
                    data={"csrf_token": token})  # fmt: skip
    assert "hidden" in hidden.text  # flashed, not a 500
    theme = c.get(f"/themes/{w.csv_theme}").text
    assert 'id="theme-requests"' in theme
    assert "Choose the CSV separator" in theme
    assert c.get("/requests/99999").status_code == 404


def test_viewer_sees_no_forms_and_cannot_post(editor: ApiWorld) -> None:
    c = editor.client
    c.cookies.clear()
    page_login(c, "look@voc.example", PASSWORD)
    page = c.get(f"/requests/{editor.request_id}").text
    assert "Change status" not in page
    token = csrf_token(c, "/requests")
    refused = c.post(f"/requests/{editor.request_id}/status",
                     data={"status": "shipped", "csrf_token": token})  # fmt: skip
    assert refused.status_code == 403


def test_account_page_from_an_item_and_from_the_call_list(editor: ApiWorld) -> None:
    c = editor.client
    theme = c.get(f"/themes/{editor.world.csv_theme}").text
    assert "/customers/" in theme
    account = c.get(f"/accounts/{editor.account_id}")
    assert account.status_code == 200
    assert "Acme Corp" in account.text
    assert "Choose the CSV separator" in account.text  # the request it waits on
    assert "alice@acme.example" in account.text
    assert c.get("/accounts/99999").status_code == 404


def test_list_pages_a_hundred_at_a_time_and_the_csv_holds_every_request(
    editor: ApiWorld, api_session: Session
) -> None:
    from api.pages.requests import PAGE_SIZE
    from voc.request import service as request_service
    from voc.request.schemas import RequestCreate

    before = request_service.list_requests(api_session, limit=1).total
    for n in range(PAGE_SIZE + 5):
        request_service.create(
            api_session, data=RequestCreate(title=f"Bulk request {n:03d}"), actor="pm@voc.example"
        )
    api_session.commit()
    c = editor.client
    first = c.get("/requests", params={"sort": "title", "dir": "asc"}).text
    table = first[first.index('id="requests"') : first.index("</table>")]
    assert table.count('href="/requests/') == PAGE_SIZE
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    second = c.get("/requests", params={"sort": "title", "dir": "asc", "offset": PAGE_SIZE}).text
    rest = second[second.index('id="requests"') : second.index("</table>")]
    assert rest.count('href="/requests/') == before + 5
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    body = c.get("/requests", params={"format": "csv", "offset": PAGE_SIZE}).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) - 1 == before + PAGE_SIZE + 5
    assert c.get("/requests", params={"offset": -1}).status_code == 422
