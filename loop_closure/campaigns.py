"""Close-the-loop campaigns: who is told about a shipped request, the preview, the approval.

Shipping a request opens a draft campaign: every entry point changes a status through
:func:`change_status` (or :func:`ship`) and imports trackers through :func:`import_requests`;
:func:`open_drafts` (run by the waiting list) catches a request shipped any other way. Its
recipients are the customers behind the request's evidence
(``voc.request.evidence.evidence_items``): one per customer and request however many comments
they wrote, addresses compared case-insensitively.
Everyone else behind the evidence is listed with the reason they are left out.

:func:`approve` writes one outbox row per recipient in the approval's own transaction; the
outbox's unique keys (customer, request, kind) and (address, request, kind) decide, so no
concurrent, repeated or re-shipped approval can queue a second email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from loop_closure import message as email_message
from loop_closure import outbox, repository
from loop_closure.models import CampaignStatus, LoopCampaign, OutboxMessage, SuppressionReason
from loop_closure.schemas import (
    ApprovalRead,
    CampaignRead,
    DeliveryRead,
    ExcludedRead,
    PreviewRead,
    QuoteRead,
    RecipientRead,
    ToldRead,
    WaitingRead,
)
from voc.config import Settings
from voc.customer.models import Customer
from voc.errors import Conflict, InvalidInput, NotAllowed
from voc.feedback.models import Feedback
from voc.request import evidence as request_evidence
from voc.request import service as request_service
from voc.request import tracker_import
from voc.request.models import ProductRequest, RequestStatus
from voc.request.schemas import ImportReport
from voc.request.service import StatusOutcome
from voc.types import utcnow
from voc.user.models import Permission, User

MAX_RELEASE_NOTE = 5_000
REASONS = (
    "no_email",
    "no_consent",
    "unsubscribed",
    "suppressed",
    "already_told",
    "frequency_cap",
    "feedback_too_old",
)
REASON_TEXT = {
    "no_email": "no usable email address",
    "no_consent": "has not consented to email",
    "unsubscribed": "unsubscribed",
    "suppressed": "address suppressed (bounced or complained)",
    "already_told": "already told about this request",
    "frequency_cap": "got a close-the-loop email in the last {days} days",
    "feedback_too_old": "their feedback is older than {days} days",
}


# --- campaigns ---------------------------------------------------------------------------------


def latest(session: Session, *, request_id: int) -> LoopCampaign | None:
    """The request's newest campaign, or None."""
    query = (
        select(LoopCampaign)
        .where(LoopCampaign.request_id == request_id)
        .order_by(LoopCampaign.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def on_shipped(session: Session, *, request_id: int) -> LoopCampaign:
    """Open the draft campaign of a request that just shipped (or return the open draft).

    A request shipped again after an approved campaign gets a new draft: customers who asked
    since may be told; those told already are excluded as such.
    """
    request = request_service.get_or_raise(session, request_id)
    current = latest(session, request_id=request_id)
    if current is not None and current.status == CampaignStatus.DRAFT:
        return current
    if current is not None and (
        request.shipped_at is None
        or (current.approved_at is not None and current.approved_at >= request.shipped_at)
    ):
        return current  # approved after this shipping: nothing new to open
    campaign = LoopCampaign(
        request_id=request_id,
        status=CampaignStatus.DRAFT.value,
        release_note=(request.release_note or "").strip()[:MAX_RELEASE_NOTE],
        created_at=utcnow(),
        excluded=[],
    )
    session.add(campaign)
    session.flush()
    return campaign


def change_status(
    session: Session, *, request_id: int, status: str, actor: str, note: str | None = None
) -> tuple[StatusOutcome, LoopCampaign | None]:
    """Every status change of an entry point comes here: shipping opens the draft campaign.

    ``voc.request.service.change_status`` does the change (voc cannot call loop_closure);
    the API route, the request page, ``voc requests ship`` and the tracker import call this.
    """
    outcome = request_service.change_status(
        session, request_id=request_id, status=status, actor=actor, note=note
    )
    campaign = on_shipped(session, request_id=request_id) if outcome.became_shipped else None
    return outcome, campaign


def ship(
    session: Session, *, request_id: int, actor: str, note: str | None = None
) -> tuple[StatusOutcome, LoopCampaign | None]:
    """Mark a request shipped and open its draft campaign."""
    return change_status(
        session, request_id=request_id, status=RequestStatus.SHIPPED.value, actor=actor, note=note
    )


def import_requests(
    session: Session,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    status_map: Mapping[str, str],
    actor: str,
) -> ImportReport:
    """A tracker import; each request it moved to shipped gets its draft campaign."""
    report = tracker_import.import_file(
        session, path, mapping=mapping, status_map=status_map, actor=actor
    )
    for request_id in report.shipped_ids:
        on_shipped(session, request_id=request_id)
    return report


def open_drafts(session: Session) -> int:
    """Open a draft for every shipped request that has none since it shipped (tracker imports)."""
    shipped = session.scalars(
        select(ProductRequest).where(ProductRequest.status == RequestStatus.SHIPPED.value)
    ).all()
    opened = 0
    for request in shipped:
        before = latest(session, request_id=request.id)
        after = on_shipped(session, request_id=request.id)
        if before is None or before.id != after.id:
            opened += 1
    return opened


def _campaign_or_raise(session: Session, *, request: ProductRequest) -> LoopCampaign:
    campaign = latest(session, request_id=request.id)
    if campaign is None:
        if request.status != RequestStatus.SHIPPED:
            raise Conflict(_not_shipped(request))
        campaign = on_shipped(session, request_id=request.id)
    return campaign


def _not_shipped(request: ProductRequest) -> str:
    name = request.external_key or str(request.id)
    return (
        f"request: {name} is {request.status}, not shipped; ship it first "
        f"(voc requests ship {name})"
    )


def resolve_request(session: Session, *, ref: str | int) -> ProductRequest:
    """A request by id, or by external key (CLI and pages); ``NotFound`` otherwise."""
    if isinstance(ref, int):
        return request_service.get_or_raise(session, ref)
    return request_service.resolve(session, ref)


# --- who is told -------------------------------------------------------------------------------


@dataclass
class _Candidate:
    customer: Customer
    address: str | None
    items: list[tuple[Feedback, str]]  # (item, via), newest first


@dataclass
class Audience:
    """Recipients and exclusions of one request, decided now."""

    recipients: list[tuple[outbox.Recipient, str, int]]  # (recipient, via, n_items)
    excluded: list[ExcludedRead]
    anonymous_items: int


def _candidates(
    session: Session, *, settings: Settings, request_id: int
) -> tuple[list[_Candidate], int]:
    items = request_evidence.evidence_items(
        session, request_id=request_id, min_confidence=settings.requests.min_confidence
    )
    via_of: dict[int, str] = {}
    for item in items:  # an item both linked and in a theme counts as direct
        if via_of.get(item.feedback_id) != "direct":
            via_of[item.feedback_id] = item.via
    anonymous = len({i.feedback_id for i in items if i.customer_id is None})
    customer_ids = sorted({i.customer_id for i in items if i.customer_id is not None})
    if not customer_ids:
        return [], anonymous
    customers: dict[int, Customer] = {}
    feedback_of: dict[int, list[Feedback]] = defaultdict(list)
    wanted = [fid for fid, _ in via_of.items()]
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        customers.update(
            {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(chunk)))}
        )
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in session.scalars(select(Feedback).where(Feedback.id.in_(chunk))):
            if row.customer_id is not None:
                feedback_of[row.customer_id].append(row)
    by_address: dict[str, _Candidate] = {}
    candidates: list[_Candidate] = []
    for customer_id in customer_ids:
        customer = customers.get(customer_id)
        rows = feedback_of.get(customer_id, [])
        if customer is None or not rows:
            continue
        ranked = sorted(
            rows, key=lambda f: (via_of[f.id] == "direct", f.created_at, f.id), reverse=True
        )
        entries = [(f, via_of[f.id]) for f in ranked]
        address = email_message.normalise_address(customer.email)
        if address is not None and address in by_address:  # same person, other case
            merged = by_address[address]
            merged.items = sorted(merged.items + entries,
                                  key=lambda e: (e[1] == "direct", e[0].created_at, e[0].id),
                                  reverse=True)  # fmt: skip
            continue
        candidate = _Candidate(customer=customer, address=address, items=entries)
        candidates.append(candidate)
        if address is not None:
            by_address[address] = candidate
    return candidates, anonymous


def audience(
    session: Session, *, settings: Settings, request_id: int, now: datetime | None = None
) -> Audience:
    """Who would be told about ``request_id`` now, and who not with the reason."""
    now = now or utcnow()
    email = settings.email
    candidates, anonymous = _candidates(session, settings=settings, request_id=request_id)
    addresses = [c.address for c in candidates if c.address]
    suppressed = repository.suppressed(session, addresses)
    ids = [c.customer.id for c in candidates]
    told_ids = outbox.told_customer_ids(session, request_id=request_id, customer_ids=ids)
    told_addresses = set(
        session.scalars(
            select(OutboxMessage.to_address).where(
                OutboxMessage.request_id == request_id, OutboxMessage.to_address.in_(addresses)
            )
        )
    ) if addresses else set()  # fmt: skip
    capped = outbox.recently_mailed(
        session, customer_ids=ids, since=now - timedelta(days=email.frequency_cap_days)
    ) if email.frequency_cap_days else set()  # fmt: skip
    oldest = now - timedelta(days=email.max_feedback_age_days)
    recipients: list[tuple[outbox.Recipient, str, int]] = []
    excluded: list[ExcludedRead] = []
    for candidate in candidates:
        customer, address = candidate.customer, candidate.address
        fresh = [(f, via) for f, via in candidate.items if f.created_at >= oldest]
        reason: str | None = None
        if address is None:
            reason = "no_email"
        elif not customer.is_consenting:
            reason = "no_consent"
        elif suppressed.get(address) == SuppressionReason.UNSUBSCRIBE:
            reason = "unsubscribed"
        elif address in suppressed:
            reason = "suppressed"
        elif customer.id in told_ids or address in told_addresses:
            reason = "already_told"
        elif customer.id in capped:
            reason = "frequency_cap"
        elif not fresh:
            reason = "feedback_too_old"
        if reason is not None:
            days = (
                email.frequency_cap_days
                if reason == "frequency_cap"
                else email.max_feedback_age_days
            )
            excluded.append(
                ExcludedRead(
                    customer_id=customer.id,
                    email=address or customer.email or None,
                    name=customer.name,
                    reason=reason,
                    detail=REASON_TEXT[reason].format(days=days),
                )
            )
            continue
        item, via = fresh[0]
        assert address is not None
        recipients.append(
            (
                outbox.Recipient(
                    customer_id=customer.id,
                    email=address,
                    name=customer.name,
                    feedback_id=item.id,
                    quote_text=item.text,
                    quote_at=item.created_at,
                    source=item.source,
                ),
                via,
                len(candidate.items),
            )
        )
    return Audience(recipients=recipients, excluded=excluded, anonymous_items=anonymous)


def _counts(found: Audience) -> dict[str, int]:
    counts = {"recipients": len(found.recipients), "excluded": len(found.excluded),
              "anonymous_items": found.anonymous_items}  # fmt: skip
    for reason in REASONS:
        counts[f"excluded_{reason}"] = sum(1 for e in found.excluded if e.reason == reason)
    return counts


# --- use cases ---------------------------------------------------------------------------------


def preview(
    session: Session, *, settings: Settings, request_ref: str | int, now: datetime | None = None
) -> PreviewRead:
    """The dry run: each recipient's quote and exact email, each exclusion's reason, counts."""
    now = now or utcnow()
    request = resolve_request(session, ref=request_ref)
    campaign = _campaign_or_raise(session, request=request)
    found = audience(session, settings=settings, request_id=request.id, now=now)
    recipients = []
    for recipient, via, n_items in found.recipients:
        rendered = outbox.render_for(
            settings, recipient=recipient, request_title=request.title,
            release_note=campaign.release_note, message_id="<preview@voc>", now=now,
        )  # fmt: skip
        recipients.append(
            RecipientRead(
                customer_id=recipient.customer_id, email=recipient.email, name=recipient.name,
                n_items=n_items,
                quote=QuoteRead(feedback_id=recipient.feedback_id or 0, text=recipient.quote_text,
                                date=recipient.quote_at, source=recipient.source, via=via),
                subject=rendered.subject, text=rendered.text, html=rendered.html,
            )
        )  # fmt: skip
    return PreviewRead(
        request_id=request.id, request_key=request.external_key, request_title=request.title,
        request_status=request.status, shipped_at=request.shipped_at,
        campaign=CampaignRead.model_validate(campaign), counts=_counts(found),
        recipients=recipients, excluded=found.excluded,
    )  # fmt: skip


def set_release_note(
    session: Session, *, request_ref: str | int, release_note: str, actor: User
) -> CampaignRead:
    """Edit the line of what shipped, before approval."""
    _check_role(actor)
    note = release_note.strip()
    if len(note) > MAX_RELEASE_NOTE:
        raise InvalidInput(f"release_note: at most {MAX_RELEASE_NOTE} characters")
    request = resolve_request(session, ref=request_ref)
    campaign = _campaign_or_raise(session, request=request)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("release_note: the campaign is approved; its emails are written already")
    campaign.release_note = note
    session.flush()
    return CampaignRead.model_validate(campaign)


def _check_role(actor: User) -> None:
    if not actor.can(Permission.LOOP_CLOSURE):
        raise NotAllowed(f"as: {actor.email} ({actor.role}) may not approve; needs cs_ops or admin")


def approve(
    session: Session, *, settings: Settings, request_ref: str | int, actor: User,
    now: datetime | None = None,
) -> ApprovalRead:  # fmt: skip
    """Approve the draft: one outbox row per recipient, in this same transaction.

    The campaign flips from draft with one conditional UPDATE (a concurrent approval finds it
    approved and gets ``Conflict``); the outbox rows go in with ``ON CONFLICT DO NOTHING``.
    """
    _check_role(actor)
    now = now or utcnow()
    request = resolve_request(session, ref=request_ref)
    if request.status != RequestStatus.SHIPPED:
        raise Conflict(_not_shipped(request))
    campaign = _campaign_or_raise(session, request=request)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict(_already_approved(campaign))
    found = audience(session, settings=settings, request_id=request.id, now=now)
    if not found.recipients:
        reasons = ", ".join(f"{n} {r}" for r, n in _counts(found).items()
                            if r.startswith("excluded_") and n)  # fmt: skip
        raise Conflict(
            f"recipients: nobody to tell about {request.external_key or request.id} "
            f"({len(found.excluded)} excluded{': ' + reasons if reasons else ''}); "
            "nothing was approved or queued"
        )
    try:
        flipped = _flip(session, campaign=campaign, actor=actor, now=now, found=found)
    except OperationalError as exc:  # SQLite: a concurrent approval holds the write lock
        if "locked" not in str(exc):
            raise
        raise Conflict("campaign: another approval is being written; reload and see") from None
    if not flipped:
        session.refresh(campaign)
        raise Conflict(_already_approved(campaign))
    queued = outbox.enqueue(
        session, settings=settings, recipients=[r for r, _, _ in found.recipients],
        request_id=request.id, request_title=request.title,
        release_note=campaign.release_note, campaign_id=campaign.id, now=now,
    )  # fmt: skip
    session.refresh(campaign)
    return ApprovalRead(
        campaign=CampaignRead.model_validate(campaign), queued=queued,
        skipped=len(found.recipients) - queued, excluded=len(found.excluded),
    )  # fmt: skip


def _flip(
    session: Session, *, campaign: LoopCampaign, actor: User, now: datetime, found: Audience
) -> bool:
    """Draft -> approved in one conditional UPDATE: True for the one approval that wins."""
    result = session.execute(
        update(LoopCampaign)
        .where(LoopCampaign.id == campaign.id, LoopCampaign.status == CampaignStatus.DRAFT.value)
        .values(
            status=CampaignStatus.APPROVED.value,
            approved_by_id=actor.id,
            approved_at=now,
            excluded=[e.model_dump() for e in found.excluded],
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _already_approved(campaign: LoopCampaign) -> str:
    when = campaign.approved_at.strftime("%Y-%m-%d %H:%M UTC") if campaign.approved_at else "?"
    return f"campaign: already approved ({when}); nothing was queued twice"


def delivery(session: Session, *, request_ref: str | int) -> DeliveryRead:
    """Delivery state per recipient of the request's latest campaign, and counts."""
    request = resolve_request(session, ref=request_ref)
    campaign = _campaign_or_raise(session, request=request)
    return DeliveryRead(
        request_id=request.id, request_title=request.title,
        campaign=CampaignRead.model_validate(campaign),
        counts=outbox.status_counts(session, campaign_id=campaign.id),
        messages=outbox.for_campaign(session, campaign_id=campaign.id),
    )  # fmt: skip


def list_waiting(session: Session, *, settings: Settings) -> list[WaitingRead]:
    """Shipped requests and their latest campaign: drafts first, with recipient counts."""
    open_drafts(session)
    shipped = session.scalars(
        select(ProductRequest)
        .where(ProductRequest.status == RequestStatus.SHIPPED.value)
        .order_by(ProductRequest.shipped_at.desc(), ProductRequest.id.desc())
    ).all()
    rows = []
    for request in shipped:
        campaign = latest(session, request_id=request.id)
        if campaign is None:
            continue
        if campaign.status == CampaignStatus.DRAFT:
            found = audience(session, settings=settings, request_id=request.id)
            n_recipients, n_excluded = len(found.recipients), len(found.excluded)
        else:
            n_recipients = sum(outbox.status_counts(session, campaign_id=campaign.id).values())
            n_excluded = len(campaign.excluded)
        rows.append(
            WaitingRead(
                request_id=request.id, request_key=request.external_key,
                request_title=request.title, shipped_at=request.shipped_at,
                campaign=CampaignRead.model_validate(campaign), n_recipients=n_recipients,
                n_excluded=n_excluded,
                delivery=outbox.status_counts(session, campaign_id=campaign.id),
            )
        )  # fmt: skip
    rows.sort(key=lambda r: r.campaign.status != CampaignStatus.DRAFT)
    return rows


def told_on_account(session: Session, *, account_id: int) -> list[ToldRead]:
    """What each customer of an account was told, and when (the account page)."""
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.account_id == account_id))
    }
    messages = outbox.for_customers(session, customer_ids=list(customers))
    titles: dict[int, str] = {}
    if messages:
        query = select(ProductRequest.id, ProductRequest.title).where(
            ProductRequest.id.in_({m.request_id for m in messages})
        )
        titles = {int(row[0]): str(row[1]) for row in session.execute(query)}
    return [
        ToldRead(
            customer_id=m.customer_id,
            email=m.to_address,
            request_id=m.request_id,
            request_title=titles.get(m.request_id, ""),
            subject=m.subject,
            status=m.status,
            queued_at=m.created_at,
            sent_at=m.sent_at,
        )
        for m in messages
    ]
