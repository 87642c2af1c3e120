"""Support queries as weak sentiment labels: problem intents negative, question intents neutral."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from nlp.training.support_queries import (
    NEGATIVE,
    NEUTRAL,
    PROBLEM,
    QUESTION,
    banking77_queries,
    is_held_out,
)


def _write(root: Path, rows: list[tuple[str, str]]) -> Path:
    folder = root / "banking77"
    folder.mkdir(parents=True)
    with (folder / "train.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category"])
        writer.writerows(rows)
    return root


def test_an_intent_is_a_problem_or_a_question_never_both() -> None:
    assert not PROBLEM & QUESTION
    assert "card_not_working" in PROBLEM
    assert "activate_my_card" in QUESTION


def test_queries_take_the_label_of_their_intent_and_skip_the_rest(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        [
            ("My card was declined at the shop", "declined_card_payment"),
            ("How do I activate my card?", "activate_my_card"),
            ("Is my transfer still pending?", "pending_transfer"),
        ],
    )

    got = dict(banking77_queries(root, 0, random.Random(1)))

    assert got == {
        "My card was declined at the shop": NEGATIVE,
        "How do I activate my card?": NEUTRAL,
    }


def test_limit_keeps_a_seeded_sample(tmp_path: Path) -> None:
    rows = [(f"query {i} about my card", "card_not_working") for i in range(20)]
    root = _write(tmp_path, rows)

    first = banking77_queries(root, 5, random.Random(3))
    again = banking77_queries(root, 5, random.Random(3))

    assert len(first) == 5
    assert first == again


def test_the_held_out_fifth_is_never_in_the_training_split(tmp_path: Path) -> None:
    rows = [(f"query {i} about my card", "card_not_working") for i in range(200)]
    root = _write(tmp_path, rows)

    train = {t for t, _ in banking77_queries(root, 0, random.Random(0), split="train")}
    held = {t for t, _ in banking77_queries(root, 0, random.Random(0), split="held_out")}

    assert train.isdisjoint(held)
    assert len(train) + len(held) == 200
    assert 20 <= len(held) <= 60  # about one in HELD_OUT_EVERY
    assert all(is_held_out(t) for t in held)
