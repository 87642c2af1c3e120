"""CSV export of page tables; spreadsheet formulas in customer text are neutralised.

Text cells go through :func:`voc.export.neutralise_formula` (a leading single quote on text a
spreadsheet could run). Numbers we format ourselves (ints, floats) are not customer text and
stay numeric.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from starlette.responses import StreamingResponse

from voc.export import neutralise_formula

Cell = str | int | float | bool | datetime | date | None
_FILENAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def neutralise(value: Cell) -> str | int | float:
    """One cell as written to CSV: text that could be a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise_formula(str(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """CSV text, line by line (UTF-8 BOM first so spreadsheets read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> StreamingResponse:
    """A streamed CSV download (rows may be a generator over pages of a query)."""
    safe_name = _FILENAME_SAFE.sub("-", filename).strip("-") or "export"
    if not safe_name.endswith(".csv"):
        safe_name += ".csv"
    return StreamingResponse(
        csv_lines(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
