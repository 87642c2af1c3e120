"""Bulk upsert of the accounts and customers named by a batch of feedback rows.

Accounts are keyed by name, customers by lower-cased email. One SELECT per table per batch for
names not yet cached, then one executemany INSERT and one UPDATE. Within a batch the last
non-empty value of each attribute wins; an empty cell never erases a stored value. The caches
are cleared when they grow past ``CACHE_LIMIT`` entries, which bounds memory on files with
millions of distinct customers (at the price of re-selecting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from voc.feedback import repository as repo
from voc.feedback.repository import StoredAccount, StoredCustomer

CACHE_LIMIT = 200_000
_ACCOUNT_FIELDS = ("segment", "plan", "region", "arr")


class PersonRow(Protocol):
    """The attributes of a validated row that describe its customer and account."""

    email: str | None
    name: str | None
    consent: bool | None
    account: str | None
    segment: str | None
    plan: str | None
    region: str | None
    arr: float | None


@dataclass
class PeopleUpserter:
    """Resolves customer ids for rows, creating or updating customers and accounts."""

    session: Session
    now: datetime
    accounts: dict[str, StoredAccount] = field(default_factory=dict)
    customers: dict[str, StoredCustomer] = field(default_factory=dict)
    accounts_created: int = 0
    customers_created: int = 0

    def customer_ids(self, rows: Sequence[PersonRow]) -> list[int | None]:
        """Upsert the batch's accounts and customers; the customer id of each row."""
        self._trim()
        account_ids = self._upsert_accounts(rows)
        wanted: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.email is None:
                continue
            attrs = wanted.setdefault(row.email, {})
            if row.name is not None:
                attrs["name"] = row.name
            if row.consent is not None:
                attrs["is_consenting"] = row.consent
            if row.account is not None:
                attrs["account_id"] = account_ids[row.account]
        self._upsert_customers(wanted)
        return [self.customers[r.email].id if r.email is not None else None for r in rows]

    def _trim(self) -> None:
        if len(self.accounts) > CACHE_LIMIT:
            self.accounts.clear()
        if len(self.customers) > CACHE_LIMIT:
            self.customers.clear()

    def _upsert_accounts(self, rows: Sequence[PersonRow]) -> dict[str, int]:
        wanted: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.account is None:
                continue
            attrs = wanted.setdefault(row.account, {})
            for name in _ACCOUNT_FIELDS:
                if (value := getattr(row, name)) is not None:
                    attrs[name] = value
        if not wanted:
            return {}
        unknown = [name for name in wanted if name not in self.accounts]
        self.accounts.update(repo.accounts_by_name(self.session, unknown))
        inserts, updates = [], []
        for name, attrs in wanted.items():
            stored = self.accounts.get(name)
            if stored is None:
                inserts.append({"name": name, "created_at": self.now, "updated_at": self.now,
                                **{k: attrs.get(k) for k in _ACCOUNT_FIELDS}})  # fmt: skip
            elif any(getattr(stored, k) != v for k, v in attrs.items()):
                merged = {k: attrs.get(k, getattr(stored, k)) for k in _ACCOUNT_FIELDS}
                updates.append({"id": stored.id, "updated_at": self.now, **merged})
                self.accounts[name] = StoredAccount(stored.id, **merged)
        repo.insert_accounts(self.session, inserts)
        repo.update_accounts(self.session, updates)
        if inserts:
            new = repo.accounts_by_name(self.session, [str(row["name"]) for row in inserts])
            self.accounts.update(new)
            self.accounts_created += len(new)
        return {name: self.accounts[name].id for name in wanted}

    def _upsert_customers(self, wanted: dict[str, dict[str, Any]]) -> None:
        if not wanted:
            return
        unknown = [email for email in wanted if email not in self.customers]
        self.customers.update(repo.customers_by_email(self.session, unknown))
        inserts, updates = [], []
        for email, attrs in wanted.items():
            stored = self.customers.get(email)
            if stored is None:
                inserts.append(
                    {
                        "email": email,
                        "name": attrs.get("name"),
                        "is_consenting": attrs.get("is_consenting", False),
                        "account_id": attrs.get("account_id"),
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
            elif any(getattr(stored, k) != v for k, v in attrs.items()):
                merged = {
                    "name": attrs.get("name", stored.name),
                    "account_id": attrs.get("account_id", stored.account_id),
                    "is_consenting": attrs.get("is_consenting", stored.is_consenting),
                }
                updates.append({"id": stored.id, "updated_at": self.now, **merged})
                self.customers[email] = StoredCustomer(stored.id, **merged)
        repo.insert_customers(self.session, inserts)
        repo.update_customers(self.session, updates)
        if inserts:
            new = repo.customers_by_email(self.session, [row["email"] for row in inserts])
            self.customers.update(new)
            self.customers_created += len(new)
