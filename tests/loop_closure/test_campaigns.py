"""Campaigns: who is told (one per customer and request), who not and why, preview, approve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_string, policy

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loop_closure import campaigns
from loop_closure import suppression as suppression_service
from loop_closure.models import OutboxMessage, SuppressionReason
from tests.loop_closure.harness import relay_settings
from tests.voc_fixtures import make_feedback
from voc.customer.models import Customer
from voc.errors import Conflict, NotAllowed, NotFound
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.schemas import RequestCreate
from voc.user import service as user_service
from voc.user.models import Role, User

SETTINGS = relay_settings("sqlite://", 25)
NOW = datetime.now(UTC)


@pytest.fixture
def ops(db_session: Session) -> User:
    return user_service.create_user(db_session, email="ops@voc.example", role=Role.CS_OPS)


def _customer(
    session: Session, email: str, *, consenting: bool = True, name: str | None = None
) -> Customer:
    customer = Customer(email=email, name=name, is_consenting=consenting)
    session.add(customer)
    session.flush()
    return customer


def _request_with(session: Session, items: list[tuple[Customer | None, str, datetime]],
                  key: str = "PROD-7") -> int:  # fmt: skip
    rid = request_service.create(
        session, data=RequestCreate(title="Dark mode", external_key=key,
                                    release_note="Settings > Theme > Dark."),
        actor="pm@voc.example",
    ).id  # fmt: skip
    ids = [make_feedback(session, text=text, created_at=at,
                         customer_id=c.id if c else None).id for c, text, at in items]  # fmt: skip
    request_links.link_items(session, request_id=rid, feedback_ids=ids, actor="pm@voc.example")
    return rid


def _ship(session: Session, rid: int) -> None:
    campaigns.ship(session, request_id=rid, actor="pm@voc.example")


def test_one_email_per_customer_however_many_comments_and_mixed_case_addresses(
    db_session: Session, ops: User
) -> None:
    ann = _customer(db_session, "ann@shop.example", name="Ann Lee")
    ann_upper = _customer(db_session, "ANN@Shop.Example")  # the same person, another row
    bob = _customer(db_session, "bob@shop.example")
    items = [(ann, f"Dark mode please, take {i}. My eyes hurt.", NOW - timedelta(days=i + 1))
             for i in range(5)]  # fmt: skip
    items += [(ann_upper, "Dark mode!!", NOW - timedelta(days=30)),
              (bob, "I would love a dark theme.", NOW - timedelta(days=3)),
              (None, "anonymous dark mode wish", NOW - timedelta(days=3))]  # fmt: skip
    rid = _request_with(db_session, items)
    _ship(db_session, rid)
    preview = campaigns.preview(db_session, settings=SETTINGS, request_ref="PROD-7", now=NOW)
    assert sorted(r.email for r in preview.recipients) == ["ann@shop.example", "bob@shop.example"]
    ann_row = next(r for r in preview.recipients if r.email == "ann@shop.example")
    assert ann_row.n_items == 6
    assert ann_row.quote.text == "Dark mode please, take 0. My eyes hurt."  # the newest
    assert ann_row.customer_id in {ann.id, ann_upper.id}
    assert "you wrote:" in ann_row.text
    assert "Dark mode please, take 0. My eyes hurt." in ann_row.text
    assert "Settings &gt; Theme &gt; Dark." in ann_row.html
    assert preview.counts["recipients"] == 2
    assert preview.counts["anonymous_items"] == 1
    approval = campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops, now=NOW)
    assert (approval.queued, approval.skipped) == (2, 0)
    rows = db_session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == rid)).all()
    assert sorted(r.to_address for r in rows) == ["ann@shop.example", "bob@shop.example"]
    parsed = message_from_string(rows[0].payload, policy=policy.default)
    assert parsed["Message-ID"] == rows[0].message_id


def test_exclusions_carry_their_reasons(db_session: Session, ops: User) -> None:
    fresh = NOW - timedelta(days=2)
    people = {
        "ok": _customer(db_session, "ok@shop.example"),
        "no_consent": _customer(db_session, "quiet@shop.example", consenting=False),
        "unsubscribed": _customer(db_session, "gone@shop.example"),
        "suppressed": _customer(db_session, "bounced@shop.example"),
        "no_email": _customer(db_session, "not an address"),
        "feedback_too_old": _customer(db_session, "old@shop.example"),
        "frequency_cap": _customer(db_session, "busy@shop.example"),
    }
    suppression_service.suppress(db_session, address="GONE@shop.example",
                                 reason=SuppressionReason.UNSUBSCRIBE, source="link")  # fmt: skip
    suppression_service.suppress(db_session, address="bounced@shop.example",
                                 reason=SuppressionReason.BOUNCE, source="event")  # fmt: skip
    # busy@ was told about another request last week
    other = _request_with(
        db_session, [(people["frequency_cap"], "Export to PDF", fresh)], key="P-1"
    )
    _ship(db_session, other)
    campaigns.approve(db_session, settings=SETTINGS, request_ref=other, actor=ops,
                      now=NOW - timedelta(days=7))  # fmt: skip
    items = [(c, f"Dark mode from {name}", NOW - timedelta(days=800) if name == "feedback_too_old"
              else fresh) for name, c in people.items()]  # fmt: skip
    rid = _request_with(db_session, items)
    _ship(db_session, rid)
    preview = campaigns.preview(db_session, settings=SETTINGS, request_ref=rid, now=NOW)
    assert [r.email for r in preview.recipients] == ["ok@shop.example"]
    reasons = {e.customer_id: e.reason for e in preview.excluded}
    assert reasons == {c.id: name for name, c in people.items() if name != "ok"}
    assert preview.counts["excluded"] == 6
    assert all(preview.counts[f"excluded_{name}"] == 1 for name in people if name != "ok")
    campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops, now=NOW)
    # told now: a second look shows it
    again = campaigns.audience(db_session, settings=SETTINGS, request_id=rid, now=NOW)
    assert {e.reason for e in again.excluded if e.customer_id == people["ok"].id} == {
        "already_told"
    }


def test_unship_reship_and_approving_again_sends_nothing_twice(
    db_session: Session, ops: User
) -> None:
    ann = _customer(db_session, "ann@shop.example")
    rid = _request_with(db_session, [(ann, "Dark mode please.", NOW - timedelta(days=1))])
    _ship(db_session, rid)
    first = campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops)
    assert first.queued == 1
    with pytest.raises(Conflict, match="already approved"):
        campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops)
    request_service.change_status(db_session, request_id=rid, status="planned", actor="pm")
    with pytest.raises(Conflict, match="not shipped"):
        campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops)
    outcome, draft = campaigns.ship(db_session, request_id=rid, actor="pm")
    assert outcome.became_shipped
    assert draft is not None
    assert draft.id != first.campaign.id
    with pytest.raises(Conflict, match=r"nobody to tell.*1 excluded_already_told"):
        campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops)
    # even the outbox writer cannot add a second row: the unique key decides
    from loop_closure import outbox

    recipient = outbox.Recipient(
        customer_id=ann.id, email="ANN@shop.example", name=None, feedback_id=None,
        quote_text="x", quote_at=NOW, source="nps",
    )  # fmt: skip
    queued = outbox.enqueue(
        db_session, settings=SETTINGS, recipients=[recipient], request_id=rid,
        request_title="t", release_note="", campaign_id=None, now=NOW,
    )  # fmt: skip
    assert queued == 0
    count = db_session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.request_id == rid))  # fmt: skip
    assert count == 1


def test_bad_input_is_a_clear_error(db_session: Session, ops: User) -> None:
    viewer = user_service.create_user(db_session, email="v@voc.example", role=Role.VIEWER)
    with pytest.raises(NotFound, match="NOPE"):
        campaigns.preview(db_session, settings=SETTINGS, request_ref="NOPE")
    rid = _request_with(db_session, [(_customer(db_session, "a@shop.example"), "Dark", NOW)])
    with pytest.raises(Conflict, match="is open, not shipped"):
        campaigns.preview(db_session, settings=SETTINGS, request_ref=rid)
    with pytest.raises(Conflict, match="is open, not shipped"):
        campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops)
    _ship(db_session, rid)
    with pytest.raises(NotAllowed, match="viewer"):
        campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=viewer)
    empty = _request_with(db_session, [(None, "anonymous only", NOW)], key="EMPTY")
    _ship(db_session, empty)
    with pytest.raises(Conflict, match="nobody to tell about EMPTY"):
        campaigns.approve(db_session, settings=SETTINGS, request_ref="EMPTY", actor=ops)
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_release_note_is_editable_until_approval(db_session: Session, ops: User) -> None:
    rid = _request_with(db_session, [(_customer(db_session, "a@shop.example"), "Dark", NOW)])
    _ship(db_session, rid)
    campaigns.set_release_note(db_session, request_ref=rid, release_note="Now <b>in</b> beta",
                               actor=ops)  # fmt: skip
    preview = campaigns.preview(db_session, settings=SETTINGS, request_ref=rid)
    assert "Now in beta" not in preview.recipients[0].html
    assert "Now &lt;b&gt;in&lt;/b&gt; beta" in preview.recipients[0].html
    campaigns.approve(db_session, settings=SETTINGS, request_ref=rid, actor=ops)
    with pytest.raises(Conflict, match="approved"):
        campaigns.set_release_note(db_session, request_ref=rid, release_note="late", actor=ops)


def test_waiting_list_and_what_an_account_was_told(db_session: Session, ops: User) -> None:
    from voc.customer.models import Account

    account = Account(name="Shop")
    db_session.add(account)
    db_session.flush()
    ann = _customer(db_session, "ann@shop.example")
    ann.account_id = account.id
    rid = _request_with(db_session, [(ann, "Dark", NOW)])
    request_service.change_status(db_session, request_id=rid, status="shipped", actor="import")
    waiting = campaigns.list_waiting(db_session, settings=SETTINGS)  # the sweep opens the draft
    assert [(w.request_key, w.campaign.status, w.n_recipients) for w in waiting] == [
        ("PROD-7", "draft", 1)
    ]
    campaigns.approve(db_session, settings=SETTINGS, request_ref="PROD-7", actor=ops)
    told = campaigns.told_on_account(db_session, account_id=account.id)
    assert [(t.email, t.request_title, t.status) for t in told] == [
        ("ann@shop.example", "Dark mode", "queued")
    ]
    delivery = campaigns.delivery(db_session, request_ref="PROD-7")
    assert delivery.counts["queued"] == 1
