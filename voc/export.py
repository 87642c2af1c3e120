"""Customer text on its way out to people: display text, spreadsheet-safe cells, paged exports.

Text imported from web forms and mail often arrives with HTML character references
(``I&#x27;m``, ``&amp;``). The stored text keeps them as typed; :func:`display_text` decodes them
where people read the text (pages, through the ``display`` filter, and CSV downloads).

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or with the
full-width ``＝``, ``＋``, ``－``, ``＠`` that some spreadsheets read as their ASCII forms, can run
as a formula when the file is opened (CSV injection). :func:`neutralise_formula` gives such text
a leading apostrophe; every CSV we write (page exports, ``voc analyze --output``, report tables,
rejected rows) passes its text cells through it.

:func:`export_items` pages through a list for a download. A download is streamed after the
request's own session has committed and closed, so each page is read in a short session of its
own, and no connection is held between pages or after the last one.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from voc.feedback.schemas import FeedbackPage, FeedbackRead

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
EXPORT_MAX_ROWS = 100_000  # one cap for every download: no unbounded dumps
EXPORT_PAGE_SIZE = 200

# a complete character reference: decimal, hex or named, ended by ";" ("AT&T", "&notes" stay)
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)

PageFetch = Callable[[Session, str | None, int], FeedbackPage]
"""Reads one page: ``fetch(session, cursor, limit)``."""


def display_text(text: str) -> str:
    """The text as people should read it: HTML character references decoded (once)."""
    if "&" not in text:
        return text
    return _CHARACTER_REFERENCE.sub(lambda ref: html.unescape(ref.group(0)), text)


def neutralise_formula(text: str) -> str:
    """The text, with a leading apostrophe when a spreadsheet could run it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _page(
    sessions: Callable[[], Session], fetch: PageFetch, cursor: str | None, limit: int
) -> FeedbackPage:
    with sessions() as session:  # closed (its read transaction ended) before the page is used
        return fetch(session, cursor, limit)


def export_items(
    sessions: Callable[[], Session],
    fetch: PageFetch,
    *,
    max_rows: int = EXPORT_MAX_ROWS,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Iterator[FeedbackRead]:
    """Every item ``fetch`` pages through, up to ``max_rows``, one short session per page.

    The first page is read at once, so bad input raises here (a clear error, before a download
    starts); the following pages are read as the caller iterates.
    """
    first = _page(sessions, fetch, None, min(page_size, max_rows))

    def rest() -> Iterator[FeedbackRead]:
        page, written = first, len(first.items)
        while page.next_cursor is not None and written < max_rows:
            page = _page(sessions, fetch, page.next_cursor, min(page_size, max_rows - written))
            written += len(page.items)
            yield from page.items

    return itertools.chain(first.items, rest())
