"""``voc requests import``: a tracker's CSV export (Jira, Linear, GitHub) into requests.

Columns named key, title, description, status and url are recognised as they are (and the
usual tracker names: "Issue key", "Summary", "ID", "Identifier", "State", ...); others are
mapped with ``key=Issue key,title=Summary``. Tracker statuses become request statuses through
``settings.requests.status_map`` (lower-cased names). Idempotent by key: a re-import updates in
place and reports inserted / updated / unchanged / rejected, bad rows with line, field and
reason; nothing stored is lost. A row whose status moves to shipped goes through
:func:`voc.request.service.change_status` and is listed in ``shipped_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from voc import column_map
from voc.errors import InvalidInput, VocError
from voc.feedback.reader import FeedbackFile
from voc.request import repository
from voc.request import service as request_service
from voc.request.models import ProductRequest
from voc.request.schemas import ImportProblem, ImportReport, RequestCreate

FIELDS = ("key", "title", "description", "status", "url")
ALIASES: dict[str, tuple[str, ...]] = {
    "key": ("key", "issue key", "issue_key", "identifier", "id", "number", "issue id"),
    "title": ("title", "summary", "name", "issue title"),
    "description": ("description", "body", "details"),
    "status": ("status", "state", "issue status"),
    "url": ("url", "link", "issue url", "html_url", "web url"),
}


def parse_mapping(specs: Iterable[str]) -> dict[str, str]:
    """``["key=Issue key,title=Summary"]`` -> ``{"key": "Issue key", "title": "Summary"}``."""
    return column_map.parse_mapping(specs, fields=FIELDS, example="title=Summary")


def resolve_columns(columns: list[str], explicit: Mapping[str, str]) -> dict[str, str]:
    """Field -> column: the mapping first, then the recognised names (case insensitive)."""
    if missing := [c for c in explicit.values() if c not in columns]:
        raise InvalidInput(f"--map names columns not in the file: {missing}; columns: {columns}")
    resolved = dict(explicit)
    lowered = {c.strip().lower(): c for c in reversed(columns)}
    for field in FIELDS:
        if field not in resolved:
            for alias in ALIASES[field]:
                if alias in lowered and lowered[alias] not in resolved.values():
                    resolved[field] = lowered[alias]
                    break
    for needed in ("key", "title"):
        if needed not in resolved:
            raise InvalidInput(
                f"--map: no {needed} column found (columns: {columns}); "
                f"name it with --map {needed}=COLUMN"
            )
    return resolved


def map_status(value: str, status_map: Mapping[str, str]) -> str:
    """A tracker status as a request status, through the mapping setting."""
    raw = " ".join(value.split()).lower()
    if not raw:
        return "open"
    mapped = {k.strip().lower(): v for k, v in status_map.items()}.get(raw, raw)
    try:
        return request_service.clean_status(mapped)
    except InvalidInput:
        raise InvalidInput(
            f"status: {value!r} is not a known status; add it to the status mapping setting "
            "(VOC_REQUESTS__STATUS_MAP) or use open, planned, in_progress, shipped, declined"
        ) from None


def _values(row: Mapping[str, str], columns: Mapping[str, str]) -> dict[str, str]:
    return {field: (row.get(column) or "") for field, column in columns.items()}


def _clean(values: Mapping[str, str], status_map: Mapping[str, str]) -> dict[str, str | None]:
    key = request_service.clean_key(values.get("key"))
    if key is None:
        raise InvalidInput("key: is required (the tracker's issue key)")
    return {
        "key": key,
        "title": request_service.clean_title(values.get("title")),
        "description": request_service.clean_description(values.get("description")),
        "status": map_status(values.get("status", ""), status_map) if "status" in values else None,
        "url": request_service.clean_url(values.get("url")),
    }


def _apply(
    session: Session, *, stored: ProductRequest, row: Mapping[str, str | None], actor: str
) -> tuple[bool, bool]:
    """Update a stored request from a row; returns (changed, became shipped)."""
    changed = False
    for field, attr in (("title", "title"), ("description", "description"), ("url", "url")):
        if field in row and getattr(stored, attr) != row[field]:
            setattr(stored, attr, row[field])
            changed = True
    if changed:
        stored.updated_by = actor
    became_shipped = False
    status = row.get("status")
    if status is not None and status != stored.status:
        outcome = request_service.change_status(
            session, request_id=stored.id, status=status, actor=actor, note="tracker import"
        )
        changed, became_shipped = True, outcome.became_shipped
    session.flush()
    return changed, became_shipped


def import_file(
    session: Session,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    status_map: Mapping[str, str],
    actor: str,
) -> ImportReport:
    """Import a tracker CSV; good rows are stored, bad ones reported (line, field, reason)."""
    source = FeedbackFile(path, kind="csv")
    records = source.records()
    first = next(records, None)
    problems: list[ImportProblem] = []
    inserted = updated = unchanged = 0
    shipped: list[int] = []
    if first is None:
        return ImportReport(inserted=0, updated=0, unchanged=0, rejected=0, problems=[],
                            shipped_ids=[])  # fmt: skip
    columns = resolve_columns(list(first.values), mapping or {})
    seen: dict[str, int] = {}
    for record in (first, *records):
        if record.problem is not None:
            problems.append(ImportProblem(line=record.line, field="row", reason=record.problem))
            continue
        values = _values(record.values, columns)
        try:
            row = _clean(values, status_map)
        except VocError as exc:
            field, _, reason = exc.detail.partition(": ")
            problems.append(ImportProblem(line=record.line, field=field, reason=reason))
            continue
        key = str(row["key"])
        if key in seen:
            problems.append(
                ImportProblem(line=record.line, field="key",
                              reason=f"duplicate key {key!r} (first at line {seen[key]})")
            )  # fmt: skip
            continue
        seen[key] = record.line
        stored = repository.by_key(session, key)
        if stored is None:
            created = request_service.create(
                session,
                data=RequestCreate(
                    title=str(row["title"]),
                    description=row["description"],
                    status=row["status"] or "open",
                    external_key=key,
                    url=row["url"],
                ),
                actor=actor,
            )
            inserted += 1  # arriving already shipped is history, not a shipping event
            del created
            continue
        changed, became_shipped = _apply(session, stored=stored, row=row, actor=actor)
        updated, unchanged = updated + changed, unchanged + (not changed)
        if became_shipped:
            shipped.append(stored.id)
    return ImportReport(
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=len(problems),
        problems=problems,
        shipped_ids=shipped,
    )
