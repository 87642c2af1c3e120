"""Loading models without the loading noise, in one place that every load site uses.

transformers prints a "LOAD REPORT" table whenever checkpoint and model differ, and a "Loading
weights" progress bar. Loading all-MiniLM-L6-v2 without its pooler (the sentiment branch needs
no pooler) always reports ``pooler.dense.weight | UNEXPECTED``: expected, harmless, and shown to
every user on every start. :func:`quiet_model_load` drops exactly that: a report whose only rows
are UNEXPECTED keys, and the progress bar. A report of MISSING (newly initialised) or
mismatched weights, and every other warning, still shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

# where transformers logs its load report (modeling_utils passes its own logger)
REPORT_LOGGERS = ("transformers.modeling_utils", "transformers.utils.loading_report")
_REAL_PROBLEMS = ("MISSING", "MISMATCH", "CONVERSION")


class _HarmlessLoadReport(logging.Filter):
    """Drops a load report that lists only unexpected (unused) checkpoint keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "LOAD REPORT" not in message:
            return True
        return any(problem in message for problem in _REAL_PROBLEMS)


@contextmanager
def quiet_model_load() -> Iterator[None]:
    """Load models inside this block: no harmless load report, no progress bar."""
    from transformers.utils import logging as hf_logging

    quiet = _HarmlessLoadReport()
    loggers = [logging.getLogger(name) for name in REPORT_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    bars_were_on = hf_logging.is_progress_bar_enabled()
    if bars_were_on:
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if bars_were_on:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
        for logger in loggers:
            logger.removeFilter(quiet)
