"""Customer text on its way into files people open: spreadsheet-safe cells.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or with the
full-width ``＝``, ``＋``, ``－``, ``＠`` that some spreadsheets read as their ASCII forms, can run
as a formula when the file is opened (CSV injection). :func:`neutralise_formula` gives such text
a leading apostrophe; every CSV we write (page exports, ``voc analyze --output``, report tables,
rejected rows) passes its text cells through it.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_formula(text: str) -> str:
    """The text, with a leading apostrophe when a spreadsheet could run it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text
