"""The evidence behind a request: its items, customers, accounts, ARR, NPS and opportunity.

An item counts as evidence when it is linked directly to the request, or when it sits in a
confirmed (active) theme with an assignment confidence at or above
``settings.requests.min_confidence``.

The full evidence of each request (totals, NPS counts, segment and plan mix, items per day,
the strongest quotes) is stored in ``request_evidence`` (:class:`Stored`; the totals the list
sorts by stay in the narrow ``request_stats``) whenever its totals are refreshed, so the list
and a cold detail view read one row each; what moves with the
clock (mentions per week, recent growth, opportunity) is derived from the stored days at read
time. Who writes it:

- a link change (confirm, reject, item links) refreshes that request (``voc/request/links.py``);
- every refresh of theme stats (a run, a curation step, the end of an import) refreshes the
  requests confirmed on those themes, after carrying links along the lineage
  (``voc/request/links.py::themes_changed``, called by ``voc/theme/stats.py::refresh``);
- an item assigned through the incremental path is added as a delta (:func:`add_new_items`:
  counts, mixes, days and quotes; its customer and account count once, checked with two small
  indexed queries), in the transaction that assigns it, so it counts at once.

A stored row is used when its threshold is the one asked for and nothing it depends on is newer
(the stats of its confirmed themes, its links, the accounts); otherwise the detail is computed
live (:func:`cached_compute`). Every path computes through :func:`compute_many`.

Modules: ``shape`` (the stored row and what is read from it), ``frame`` (rows as columns),
``compute`` (which items count, and their summary), ``store`` (write, refresh, read back),
``delta`` (the incremental path), ``cache`` (live evidence per fingerprint).
"""

from __future__ import annotations

from voc.request.evidence.cache import (
    CACHE_BUCKET_S,
    DETAIL_CACHE_SIZE,
    cached_compute,
    fingerprint,
)
from voc.request.evidence.compute import (
    compute,
    compute_many,
    confirmed_themes,
    evidence_ids,
    evidence_items,
    request_ids_of_account,
)
from voc.request.evidence.delta import add_new_items
from voc.request.evidence.shape import (
    N_QUOTES,
    WINDOW_DAYS,
    Stored,
    aware,
    formula_text,
    growth,
    opportunity,
    to_evidence,
)
from voc.request.evidence.store import (
    detail_evidence,
    refresh_for_themes,
    refresh_stats,
    store_many,
    stored_evidence,
)

__all__ = [
    "CACHE_BUCKET_S",
    "DETAIL_CACHE_SIZE",
    "N_QUOTES",
    "WINDOW_DAYS",
    "Stored",
    "add_new_items",
    "aware",
    "cached_compute",
    "compute",
    "compute_many",
    "confirmed_themes",
    "detail_evidence",
    "evidence_ids",
    "evidence_items",
    "fingerprint",
    "formula_text",
    "growth",
    "opportunity",
    "refresh_for_themes",
    "refresh_stats",
    "request_ids_of_account",
    "store_many",
    "stored_evidence",
    "to_evidence",
]
