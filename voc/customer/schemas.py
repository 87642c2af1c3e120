"""Schemas of accounts: what a customer success manager opens before a business review."""

from __future__ import annotations

from pydantic import BaseModel

from voc.feedback.schemas import FeedbackRead
from voc.request.schemas import RequestSummary


class CustomerRead(BaseModel):
    """A person of the account, with how much feedback they gave."""

    id: int
    email: str
    name: str | None
    is_consenting: bool
    n_feedback: int


class AccountThemeCount(BaseModel):
    """A theme the account's feedback sits in."""

    theme_id: int
    label: str
    count: int


class AccountDetail(BaseModel):
    """An account: its customers, latest feedback, themes, and the requests it waits on."""

    id: int
    name: str
    segment: str | None
    plan: str | None
    region: str | None
    arr: float | None
    customers: list[CustomerRead]
    n_feedback: int
    feedback: list[FeedbackRead]
    themes: list[AccountThemeCount]
    requests: list[RequestSummary]
