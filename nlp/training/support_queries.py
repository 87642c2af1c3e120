"""Support queries as sentiment training data: banking77 intents read as problem or question.

Tweets and movie reviews teach what an opinion sounds like, but not how customers write to a
company: mostly to report that something went wrong, in plain words and without a single
emotional one ("My card payment was declined twice", "I still haven't received my refund").
Annotators of customer feedback call such reports negative; a model trained on tweets alone
calls them neutral. Banking77's intents (real customer-support queries) separate the two cases
cleanly, so each intent *name* is read once, by hand, as one of:

- ``PROBLEM`` intents: the customer reports that something failed, is missing, wrong, blocked,
  lost or charged unexpectedly; their queries are labelled **negative**;
- ``QUESTION`` intents: the customer asks how something works or how to do it; their queries
  are labelled **neutral**;
- every other intent (pending states, limits whose tone varies) is left out.

The labels come from the intent, not from the text of each query, so they are weak labels; the
intents were read by name only, never by looking at scores on any measurement set.
"""

from __future__ import annotations

import csv
import random
import zlib
from pathlib import Path
from typing import Literal

PROBLEM = frozenset(
    {
        "balance_not_updated_after_bank_transfer",
        "balance_not_updated_after_cheque_or_cash_deposit",
        "card_not_working",
        "card_payment_not_recognised",
        "card_payment_wrong_exchange_rate",
        "card_swallowed",
        "cash_withdrawal_not_recognised",
        "compromised_card",
        "contactless_not_working",
        "declined_card_payment",
        "declined_cash_withdrawal",
        "declined_transfer",
        "direct_debit_payment_not_recognised",
        "extra_charge_on_statement",
        "failed_transfer",
        "lost_or_stolen_card",
        "lost_or_stolen_phone",
        "pin_blocked",
        "Refund_not_showing_up",
        "top_up_failed",
        "top_up_reverted",
        "transaction_charged_twice",
        "transfer_not_received_by_recipient",
        "unable_to_verify_identity",
        "virtual_card_not_working",
        "wrong_amount_of_cash_received",
        "wrong_exchange_rate_for_cash_withdrawal",
    }
)
QUESTION = frozenset(
    {
        "activate_my_card",
        "age_limit",
        "apple_pay_or_google_pay",
        "atm_support",
        "automatic_top_up",
        "card_about_to_expire",
        "card_acceptance",
        "card_delivery_estimate",
        "card_linking",
        "cash_withdrawal_charge",
        "change_pin",
        "country_support",
        "disposable_card_limits",
        "edit_personal_details",
        "exchange_charge",
        "exchange_rate",
        "exchange_via_app",
        "fiat_currency_support",
        "get_disposable_virtual_card",
        "get_physical_card",
        "getting_spare_card",
        "getting_virtual_card",
        "order_physical_card",
        "receiving_money",
        "supported_cards_and_currencies",
        "top_up_by_bank_transfer_charge",
        "top_up_by_card_charge",
        "top_up_by_cash_or_cheque",
        "top_up_limits",
        "topping_up_by_card",
        "transfer_into_account",
        "transfer_timing",
        "verify_my_identity",
        "verify_source_of_funds",
        "verify_top_up",
        "visa_or_mastercard",
        "why_verify_identity",
    }
)
NEGATIVE, NEUTRAL = 0, 1
# one query in HELD_OUT_EVERY (by a CRC32 of its text) is never trained on: bench/sentiment.py
# measures how support queries read on those
HELD_OUT_EVERY = 5
Split = Literal["all", "train", "held_out"]


def is_held_out(text: str) -> bool:
    """True for the queries kept out of training (the same ones on every machine and run)."""
    return zlib.crc32(text.encode("utf-8")) % HELD_OUT_EVERY == 0


def banking77_queries(
    data_dir: Path, limit: int, rng: random.Random, split: Split = "all"
) -> list[tuple[str, int]]:
    """Up to ``limit`` seeded (text, label) pairs from banking77 train (0 = all of them).

    ``split``: every query, those trained on ("train"), or the held-out ones.
    """
    path = data_dir / "banking77" / "train.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = [
        (row["text"], NEGATIVE if row["category"] in PROBLEM else NEUTRAL)
        for row in rows
        if (row["category"] in PROBLEM or row["category"] in QUESTION)
        and (split == "all" or is_held_out(row["text"]) == (split == "held_out"))
    ]
    rng.shuffle(out)
    return out[:limit] if limit > 0 else out
