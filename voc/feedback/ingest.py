"""The ingest use case: map columns, validate rows, upsert feedback, customers and accounts.

Rules (the README and ``voc ingest --help`` repeat them):

- **Transactions.** The whole file is one transaction owned by the caller: this module only
  executes statements, never commits. Bad *rows* are rejected and reported (line, field,
  reason) while good rows import. A failing *file* (undecodable bytes, binary, cut mid-row,
  an unbalanced quote, a JSON syntax error) raises ``FileFormatError``; the caller rolls back
  and the database is exactly as it was, even when the problem is found at the last byte.
- **Identity.** Items are upserted by ``(source, external_id)``. Without an id column (or
  with an empty id) the external id is ``"h:" + sha256(text, created_at, email)``: re-importing
  the file is idempotent, an edited score updates in place, an edited text makes a new item.
- **Duplicates inside one file** are rejected (``duplicate id``): the first row wins, so
  re-importing stays a no-op instead of flip-flopping between the two versions. Keys seen are
  remembered as 64-bit hashes (about 70 bytes per row).
- **Changes.** ``content_hash`` covers everything stored on the item; equal hash -> unchanged,
  otherwise updated in place (sentiment is cleared when the text itself changed).
- **Defaults.** ``source`` and ``campaign`` come from their column when the row has a value,
  else from the options. A missing ``created_at`` becomes the ingestion time and the item's
  metadata records ``"_created_at_defaulted": true`` (an update keeps the first time).
- **Metadata.** Unmapped columns with a value go into the item's metadata, as do the row's
  ``account``, ``segment``, ``plan``, ``region`` and ``arr`` (a snapshot, kept even for
  anonymous rows) and ``name`` when there is no email.
- **People.** Accounts (by name) and customers (by lower-cased email) are upserted in bulk
  with per-import caches; an empty cell never erases a stored value; consent only changes
  when the row says yes or no.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError

from voc import column_map
from voc.errors import InvalidInput
from voc.feedback.date_bounds import DEFAULT_BOUNDS, DateBounds
from voc.feedback.models import Source
from voc.feedback.reader import RawRecord
from voc.feedback.schemas import FeedbackIn, RowError

FIELDS: Final = (
    "text", "score", "created_at", "external_id", "email", "name", "account", "segment",
    "plan", "arr", "region", "campaign", "source", "consent",
)  # fmt: skip
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "text": ("text", "comment", "comments", "feedback", "body", "message", "verbatim",
             "response", "answer", "reason"),
    "score": ("score", "nps", "npsscore", "rating", "likelihoodtorecommend"),
    "created_at": ("createdat", "date", "timestamp", "created", "submittedat", "datetime",
                   "time", "respondedat"),
    "external_id": ("externalid", "id", "ticketid", "responseid", "ticket", "feedbackid"),
    "email": ("email", "emailaddress", "customeremail", "useremail"),
    "name": ("name", "customername", "fullname", "contactname", "customer"),
    "account": ("account", "company", "accountname", "companyname", "organization",
                "organisation"),
    "segment": ("segment", "customersegment", "tier"),
    "plan": ("plan", "planname", "subscription"),
    "arr": ("arr", "annualrecurringrevenue", "revenue"),
    "region": ("region", "country", "geo"),
    "campaign": ("campaign", "survey", "surveyname", "wave"),
    "source": ("source", "channel", "type"),
    "consent": ("consent", "optin", "contactconsent", "maycontact", "cancontact"),
}  # fmt: skip
SNAPSHOT_FIELDS: Final = ("account", "segment", "plan", "region", "arr")
_NORMALISE = re.compile(r"[^a-z0-9]")


def _key(column: str) -> str:
    return _NORMALISE.sub("", column.lower())


def parse_mapping(specs: Iterable[str]) -> dict[str, str]:
    """``["text=Comment,score=NPS"]`` -> ``{"text": "Comment", "score": "NPS"}``."""
    return column_map.parse_mapping(specs, fields=FIELDS, example="text=Comment")


def resolve_columns(columns: Iterable[str], explicit: Mapping[str, str]) -> dict[str, str]:
    """Field -> column: the explicit mapping first, then the first matching alias."""
    columns = list(columns)
    missing = [c for c in explicit.values() if c not in columns]
    if missing:
        raise InvalidInput(f"--map names columns not in the file: {missing}; columns: {columns}")
    resolved = dict(explicit)
    used = set(explicit.values())
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    for target in FIELDS:
        if target in resolved:
            continue
        for alias in ALIASES[target]:
            found = by_key.get(alias)
            if found is not None and found not in used:
                resolved[target] = found
                used.add(found)
                break
    if "text" not in resolved:
        raise InvalidInput(f"no text column found: use --map text=COLUMN; columns: {columns}")
    return resolved


def sha256(text: str) -> str:
    """Hex SHA-256 of a string (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class PreparedRow:
    """A validated row, ready for the bulk upsert."""

    line: int
    source: str
    external_id: str
    content_hash: str
    values: dict[str, Any]
    item: FeedbackIn
    created_at_defaulted: bool


@dataclass
class RowPreparer:
    """Turns raw records into PreparedRow or RowError (pure: no database)."""

    columns: dict[str, str]
    source: Source | None
    campaign: str | None
    now: datetime
    bounds: DateBounds = DEFAULT_BOUNDS
    extra_columns_cache: dict[frozenset[str], list[str]] = field(default_factory=dict)

    def prepare(self, record: RawRecord) -> PreparedRow | RowError:
        """Validate one record."""
        if record.problem is not None:
            return RowError(line=record.line, field=None, reason=record.problem)
        values = record.values
        data: dict[str, Any] = {t: values.get(c) for t, c in self.columns.items()}
        if data.get("source") in (None, "") and self.source is not None:
            data["source"] = self.source.value
        elif isinstance(data.get("source"), str):
            data["source"] = data["source"].strip().lower()
        if data.get("source") in (None, ""):
            return RowError(line=record.line, field="source", reason="missing source")
        if data.get("campaign") in (None, ""):
            data["campaign"] = self.campaign
        data["metadata"] = self._extras(values)
        try:
            item = FeedbackIn.model_validate(data)
        except ValidationError as exc:
            return _row_error(record.line, exc)
        if (problem := self.bounds.problem(item.created_at, now=self.now)) is not None:
            return RowError(line=record.line, field="created_at", reason=problem)
        return self.prepared(record.line, item)

    def _extras(self, values: dict[str, Any]) -> dict[str, Any]:
        names = frozenset(values)
        extra = self.extra_columns_cache.get(names)
        if extra is None:
            mapped = set(self.columns.values())
            extra = [c for c in values if c not in mapped]
            self.extra_columns_cache[names] = extra
        return {c: v for c in extra if (v := values[c]) not in (None, "")}

    def prepared(self, line: int, item: FeedbackIn) -> PreparedRow:
        """Hashes, external id, metadata and column values of a validated row."""
        meta = dict(item.metadata)
        for name in SNAPSHOT_FIELDS:
            if (value := getattr(item, name)) is not None:
                meta[name] = value
        if item.name is not None and item.email is None:
            meta["name"] = item.name
        created = item.created_at.isoformat() if item.created_at else None
        if item.created_at is None:
            meta["_created_at_defaulted"] = True
        external_id = item.external_id or "h:" + sha256(
            f"{item.text}\x1f{created or ''}\x1f{item.email or ''}"
        )
        content = [item.text, item.score, created, item.campaign, item.email, meta]
        content_hash = sha256(json.dumps(content, sort_keys=True, default=str))
        values = {
            "source": item.source.value,
            "external_id": external_id,
            "text": item.text,
            "text_hash": sha256(item.text),
            "content_hash": content_hash,
            "score": item.score,
            "created_at": item.created_at or self.now,
            "campaign": item.campaign,
            "meta": meta,
        }
        return PreparedRow(
            line, item.source.value, external_id, content_hash, values, item, created is None
        )


def _row_error(line: int, exc: ValidationError) -> RowError:
    errors = exc.errors(include_url=False, include_input=False)
    fields = [str(e["loc"][0]) if e["loc"] else None for e in errors]
    messages = [str(e["msg"]).removeprefix("Value error, ") for e in errors]
    if len(errors) == 1:
        return RowError(line=line, field=fields[0], reason=messages[0])
    reason = "; ".join(f"{f}: {m}" if f else m for f, m in zip(fields, messages, strict=True))
    return RowError(line=line, field=fields[0], reason=reason)


__all__ = [
    "ALIASES",
    "FIELDS",
    "PreparedRow",
    "RowPreparer",
    "parse_mapping",
    "resolve_columns",
    "sha256",
]
