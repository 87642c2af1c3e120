"""Close the loop through the app: the JSON API, the pages, unsubscribe links, email events."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loop_closure import tokens
from loop_closure.models import EmailSuppression, LoopCampaign, OutboxMessage
from tests.api.conftest import ApiWorld, csrf_token
from tests.voc_fixtures import make_feedback
from voc.config import Settings
from voc.customer.models import Customer
from voc.request import links as request_links
from voc.user import service as user_service
from voc.user.models import Role


def _settings(api: ApiWorld) -> Settings:
    settings: Settings = api.client.app.state.settings  # type: ignore[attr-defined]
    return settings


def _asked(api: ApiWorld, session: Session) -> None:
    """Two consenting customers asked for REQ-1 in their own words."""
    asked = (
        ("Zoe@Shop.example", "Please let me pick the CSV separator. Excel hates commas."),
        ("max@shop.example", "Semicolon CSV please!"),
    )
    for email, text in asked:
        customer = Customer(email=email, name=email.split("@")[0], is_consenting=True,
                            account_id=api.account_id)  # fmt: skip
        session.add(customer)
        session.flush()
        item = make_feedback(session, text=text, customer_id=customer.id)
        request_links.link_items(session, request_id=api.request_id, feedback_ids=[item.id],
                                 actor="admin@voc.example")  # fmt: skip
    session.commit()


def test_ship_preview_edit_approve_and_delivery_through_the_api(
    api: ApiWorld, api_session: Session
) -> None:
    _asked(api, api_session)
    ops, viewer = api.headers(Role.CS_OPS), api.headers(Role.VIEWER)
    rid = api.request_id
    shipped = api.client.post(f"/api/v1/requests/{rid}/status", json={"status": "shipped"},
                              headers=api.headers(Role.EDITOR))  # fmt: skip
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["became_shipped"] is True
    drafts = api_session.scalars(select(LoopCampaign.status).where(LoopCampaign.request_id == rid))
    assert list(drafts) == ["draft"]  # opened by the shipping itself
    waiting = api.client.get("/api/v1/loop/campaigns", headers=viewer).json()
    assert [(w["request_key"], w["campaign"]["status"]) for w in waiting] == [("REQ-1", "draft")]
    note = api.client.patch(
        f"/api/v1/loop/requests/{rid}/campaign",
        json={"release_note": "Pick it under Export > Separator."}, headers=ops,
    )  # fmt: skip
    assert note.status_code == 200, note.text
    preview = api.client.get(f"/api/v1/loop/requests/{rid}/preview", headers=viewer).json()
    emails = {r["email"] for r in preview["recipients"]}
    assert {"zoe@shop.example", "max@shop.example"} <= emails
    zoe = next(r for r in preview["recipients"] if r["email"] == "zoe@shop.example")
    assert "Excel hates commas." in zoe["text"]
    assert "Pick it under Export &gt; Separator." in zoe["html"]
    assert all({"email", "reason"} <= set(e) for e in preview["excluded"])
    assert (
        api.client.post(f"/api/v1/loop/requests/{rid}/approve", headers=viewer).status_code == 403
    )
    approved = api.client.post(f"/api/v1/loop/requests/{rid}/approve", headers=ops)
    assert approved.status_code == 200, approved.text
    assert approved.json()["queued"] == preview["counts"]["recipients"]
    again = api.client.post(f"/api/v1/loop/requests/{rid}/approve",
                            headers=api.headers(Role.ADMIN))  # fmt: skip
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]
    delivery = api.client.get(f"/api/v1/loop/requests/{rid}/delivery", headers=viewer).json()
    assert delivery["counts"]["queued"] == preview["counts"]["recipients"]
    assert {m["to_address"] for m in delivery["messages"]} == emails
    rows = api_session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.request_id == rid))  # fmt: skip
    assert rows == len(emails)


def test_bad_requests_are_clear_errors(api: ApiWorld) -> None:
    ops = api.headers(Role.CS_OPS)
    unknown = api.client.post("/api/v1/loop/requests/999999/approve", headers=ops)
    assert unknown.status_code == 404
    open_request = api.client.post(f"/api/v1/loop/requests/{api.request_id}/approve", headers=ops)
    assert open_request.status_code == 409
    assert "not shipped" in open_request.json()["detail"]
    too_long = api.client.patch(f"/api/v1/loop/requests/{api.request_id}/campaign",
                                json={"release_note": "x" * 6000}, headers=ops)  # fmt: skip
    assert too_long.status_code == 422


def test_pages_show_the_preview_and_approve_once(api: ApiWorld, api_session: Session) -> None:
    _asked(api, api_session)
    user_service.create_user(api_session, email="ops2@voc.example", role=Role.CS_OPS,
                             password="s3cret-pass!")  # fmt: skip
    api_session.commit()
    api.client.post(f"/api/v1/requests/{api.request_id}/status", json={"status": "shipped"},
                    headers=api.headers(Role.EDITOR))  # fmt: skip
    from tests.api.conftest import page_login

    page_login(api.client, "ops2@voc.example", "s3cret-pass!")
    listing = api.client.get("/loop")
    assert listing.status_code == 200
    assert "Choose the CSV separator" in listing.text
    page = api.client.get(f"/loop/{api.request_id}")
    assert page.status_code == 200
    assert "Excel hates commas." in page.text
    assert "Approve and send" in page.text
    token = csrf_token(api.client, f"/loop/{api.request_id}")
    for _ in range(2):  # two clicks (or two browsers): one approval, the second is refused
        done = api.client.post(f"/loop/{api.request_id}/approve", data={"csrf_token": token})
        assert done.status_code == 200
    assert "already approved" in done.text
    assert "queued" in done.text
    account = api.client.get(f"/accounts/{api.account_id}")  # what its customers were told
    assert account.status_code == 200
    told = account.text.split('id="told"')[1].split("</ul>")[0]
    assert "zoe@shop.example" in told
    assert "Choose the CSV separator" in told


def test_unsubscribe_link_confirms_on_get_and_unsubscribes_on_post(
    api: ApiWorld, api_session: Session
) -> None:
    token = tokens.unsubscribe_token(_settings(api), address="Zoe@Shop.example")
    confirm = api.client.get(f"/u/{token}")
    assert confirm.status_code == 200
    assert "zoe@shop.example" in confirm.text
    assert api_session.scalar(select(func.count()).select_from(EmailSuppression)) == 0
    for _ in range(2):  # idempotent; the one-click POST of a mail client needs no login or CSRF
        done = api.client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
        assert "unsubscribed" in done.text
    stored = api_session.scalars(select(EmailSuppression)).all()
    assert [(s.address, s.reason, s.source) for s in stored] == [
        ("zoe@shop.example", "unsubscribe", "one_click")
    ]
    for forged in (token[:-3] + "abc", "garbage", "a" * 500):
        for method in ("GET", "POST"):
            page = api.client.request(method, f"/u/{forged}")
            assert page.status_code == 400
            assert "not valid" in page.text


def _signed(
    api: ApiWorld, body: bytes, *, secret: str | None = None, at: int | None = None
) -> dict[str, str]:
    stamp = str(at or int(time.time()))
    key = secret or _settings(api).email.events_secret.get_secret_value()
    return {"X-Voc-Timestamp": stamp, "Content-Type": "application/json",
            "X-Voc-Signature": tokens.event_signature(key, timestamp=stamp, body=body)}  # fmt: skip


def test_email_events_need_a_valid_signature_and_suppress_hard_bounces(
    api: ApiWorld, api_session: Session
) -> None:
    body = json.dumps({"events": [
        {"type": "bounce", "bounce_type": "hard", "email": "Gone@Shop.example"},
        {"type": "complaint", "email": "angry@shop.example"},
        {"type": "bounce", "bounce_type": "soft", "email": "full@shop.example"},
    ]}).encode()  # fmt: skip
    url = "/api/v1/email-events"
    assert api.client.post(url, content=body).status_code == 403
    assert (
        api.client.post(url, content=body, headers=_signed(api, body, secret="wrong")).status_code
        == 403
    )
    stale = _signed(api, body, at=int(time.time()) - 3600)
    assert api.client.post(url, content=body, headers=stale).status_code == 403
    tampered = _signed(api, body)
    assert api.client.post(url, content=body + b" ", headers=tampered).status_code == 403
    ok = api.client.post(url, content=body, headers=_signed(api, body))
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"received": 3, "suppressed": 2, "ignored": 1}
    stored = {s.address: s.reason for s in api_session.scalars(select(EmailSuppression))}
    assert stored == {"gone@shop.example": "bounce", "angry@shop.example": "complaint"}
    bad = b'{"events": [{"type": "bounce"}]}'
    refused = api.client.post(url, content=bad, headers=_signed(api, bad))
    assert refused.status_code == 422
    assert "events.0.email" in refused.json()["detail"]
    assert (
        api.client.post(url, content=b"not json", headers=_signed(api, b"not json")).status_code
        == 422
    )


def test_shipping_from_the_request_page_opens_the_draft(
    api: ApiWorld, api_session: Session
) -> None:
    from tests.api.conftest import page_login

    user_service.create_user(api_session, email="pm2@voc.example", role=Role.EDITOR,
                             password="s3cret-pass!")  # fmt: skip
    api_session.commit()
    page_login(api.client, "pm2@voc.example", "s3cret-pass!")
    token = csrf_token(api.client, f"/requests/{api.request_id}")
    done = api.client.post(f"/requests/{api.request_id}/status",
                           data={"status": "shipped", "csrf_token": token})  # fmt: skip
    assert done.status_code == 200
    assert "close-the-loop campaign is waiting" in done.text
    drafts = api_session.scalars(
        select(LoopCampaign.status).where(LoopCampaign.request_id == api.request_id)
    )
    assert list(drafts) == ["draft"]
