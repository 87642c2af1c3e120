"""Read side of accounts: the account page (customers, feedback, themes, requests)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voc.customer.models import Account, Customer
from voc.customer.schemas import AccountDetail, AccountThemeCount, CustomerRead
from voc.errors import NotFound
from voc.feedback import queries as feedback_queries
from voc.feedback.models import Feedback
from voc.request import service as request_service
from voc.theme.models import Theme, ThemeAssignment, ThemeStatus

N_FEEDBACK = 50


def get_detail(session: Session, *, account_id: int) -> AccountDetail:
    """An account with its customers, latest feedback, themes and the requests it waits on."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} does not exist")
    counts = dict(
        session.execute(
            select(Feedback.customer_id, func.count())
            .join(Customer, Customer.id == Feedback.customer_id)
            .where(Customer.account_id == account.id)
            .group_by(Feedback.customer_id)
        ).all()
    )
    customers = [
        CustomerRead(
            id=c.id, email=c.email, name=c.name, is_consenting=c.is_consenting,
            n_feedback=int(counts.get(c.id, 0)),
        )
        for c in session.scalars(
            select(Customer).where(Customer.account_id == account.id).order_by(Customer.email)
        )
    ]  # fmt: skip
    items = (
        select(Feedback.id)
        .join(Customer, Customer.id == Feedback.customer_id)
        .where(Customer.account_id == account.id)
    )
    latest = list(
        session.scalars(
            items.order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(N_FEEDBACK)
        )
    )
    found = feedback_queries.by_ids(session, latest)
    themes = session.execute(
        select(Theme.id, Theme.human_label, Theme.machine_label, func.count())
        .join(ThemeAssignment, ThemeAssignment.theme_id == Theme.id)
        .where(ThemeAssignment.feedback_id.in_(items), Theme.status == ThemeStatus.ACTIVE)
        .group_by(Theme.id, Theme.human_label, Theme.machine_label)
        .order_by(func.count().desc(), Theme.id)
    ).all()
    return AccountDetail(
        id=account.id,
        name=account.name,
        segment=account.segment,
        plan=account.plan,
        region=account.region,
        arr=account.arr,
        customers=customers,
        n_feedback=sum(c.n_feedback for c in customers),
        feedback=[found[i] for i in latest if i in found],
        themes=[
            AccountThemeCount(theme_id=tid, label=human or machine, count=int(n))
            for tid, human, machine, n in themes
        ],
        requests=request_service.requests_of_account(session, account_id=account.id),
    )


def account_of_customer(session: Session, *, customer_id: int) -> int:
    """The account id of a customer; NotFound when the customer or their account is unknown."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    if customer.account_id is None:
        raise NotFound(f"customer {customer_id} belongs to no account")
    return customer.account_id
