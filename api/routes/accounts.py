"""Accounts: what a customer success manager opens before a business review."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PathId, Reader, SessionDep
from voc.customer import queries as account_queries
from voc.customer.schemas import AccountDetail

router = APIRouter(tags=["accounts"])


@router.get("/accounts/{account_id}", response_model=AccountDetail)
def account(session: SessionDep, _user: Reader, account_id: PathId) -> AccountDetail:
    """An account: customers, latest feedback, themes, and the requests it is waiting on."""
    return account_queries.get_detail(session, account_id=account_id)
