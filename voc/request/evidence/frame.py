"""Evidence rows as compact columns: one query shape, read into arrays for numpy summaries.

A request on big themes has 80k evidence rows at 1M items: Python objects per row would cost
more than the query, so rows go into typed arrays and are summarised with numpy.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, select

from voc.customer.models import Account, Customer
from voc.feedback.models import Feedback
from voc.request.evidence.shape import aware
from voc.theme.models import ThemeAssignment

UNKNOWN = "unknown"
NAN = float("nan")


class Frame:
    """Evidence rows as compact columns (one row per feedback item); codes for segment, plan."""

    def __init__(self) -> None:
        self.feedback_id = array("q")
        self.theme_id = array("q")
        self.confidence = array("d")
        self.customer_id = array("q")
        self.account_id = array("q")
        self.segment = array("q")
        self.plan = array("q")
        self.arr = array("d")
        self.score = array("q")
        self.negative = array("b")
        self.sentiment = array("d")
        self.timestamp = array("d")
        self.day = array("q")
        self.names: dict[str, int] = {UNKNOWN: 0}

    def code(self, name: str | None) -> int:
        """The code of a segment or plan name (missing ones share ``unknown``)."""
        return self.names.setdefault(name or UNKNOWN, len(self.names))

    def add(self, row: Sequence[Any]) -> None:
        """Append one row of :func:`item_query`."""
        fid, cid, aid, segment, plan, arr, score, label, sentiment, created, tid, conf = row
        at = aware(created)
        self.feedback_id.append(int(fid))
        self.theme_id.append(-1 if tid is None else int(tid))
        self.confidence.append(NAN if conf is None else float(conf))
        self.customer_id.append(-1 if cid is None else int(cid))
        self.account_id.append(-1 if aid is None else int(aid))
        self.segment.append(self.code(segment))
        self.plan.append(self.code(plan))
        self.arr.append(NAN if arr is None else float(arr))
        self.score.append(-1 if score is None else int(score))
        self.negative.append(label == "negative")
        self.sentiment.append(NAN if sentiment is None else float(sentiment))
        self.timestamp.append(at.timestamp())
        self.day.append(at.date().toordinal())


@dataclass
class Columns:
    """A :class:`Frame` as numpy arrays."""

    feedback_id: npt.NDArray[np.int64]
    theme_id: npt.NDArray[np.int64]
    confidence: npt.NDArray[np.float64]
    customer_id: npt.NDArray[np.int64]
    account_id: npt.NDArray[np.int64]
    segment: npt.NDArray[np.int64]
    plan: npt.NDArray[np.int64]
    arr: npt.NDArray[np.float64]
    score: npt.NDArray[np.int64]
    negative: npt.NDArray[np.bool_]
    sentiment: npt.NDArray[np.float64]
    timestamp: npt.NDArray[np.float64]
    day: npt.NDArray[np.int64]
    names: list[str]

    @classmethod
    def of(cls, frame: Frame) -> Columns:
        """The frame's arrays viewed as numpy (no copy) and its code -> name list."""
        names = [""] * len(frame.names)
        for name, code in frame.names.items():
            names[code] = name

        def ints(values: array[int]) -> npt.NDArray[np.int64]:
            return np.frombuffer(values, dtype=np.int64) if values else np.zeros(0, np.int64)

        def floats(values: array[float]) -> npt.NDArray[np.float64]:
            return np.frombuffer(values, dtype=np.float64) if values else np.zeros(0)

        return cls(
            feedback_id=ints(frame.feedback_id),
            theme_id=ints(frame.theme_id),
            confidence=floats(frame.confidence),
            customer_id=ints(frame.customer_id),
            account_id=ints(frame.account_id),
            segment=ints(frame.segment),
            plan=ints(frame.plan),
            arr=floats(frame.arr),
            score=ints(frame.score),
            negative=np.frombuffer(frame.negative, dtype=np.int8).astype(np.bool_)
            if frame.negative
            else np.zeros(0, np.bool_),
            sentiment=floats(frame.sentiment),
            timestamp=floats(frame.timestamp),
            day=ints(frame.day),
            names=names,
        )


def item_query(where: ColumnElement[bool], *, themed: bool) -> Select[*tuple[Any, ...]]:
    """Evidence rows: the item, its customer's account, and its theme assignment."""
    query: Select[*tuple[Any, ...]] = select(
        Feedback.id, Feedback.customer_id, Customer.account_id, Account.segment, Account.plan,
        Account.arr, Feedback.score, Feedback.sentiment_label, Feedback.sentiment_score,
        Feedback.created_at, ThemeAssignment.theme_id, ThemeAssignment.confidence,
    )  # fmt: skip
    if themed:
        query = query.select_from(ThemeAssignment).join(
            Feedback, Feedback.id == ThemeAssignment.feedback_id
        )
    else:
        query = query.select_from(Feedback).outerjoin(
            ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id
        )
    return (
        query.outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Account, Account.id == Customer.account_id)
        .where(where)
    )


def chunked(values: Sequence[int], size: int = 5_000) -> Iterable[list[int]]:
    """Slices of ``size`` ids: bounded ``IN`` lists for every database."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
