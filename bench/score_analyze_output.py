"""Score the CSV written by ``voc analyze FILE --output OUT.csv`` against a gold column.

    .venv/bin/voc analyze train.csv --text-column text --output /tmp/b77.csv
    .venv/bin/python bench/score_analyze_output.py /tmp/b77.csv --gold-column category

Each unassigned item counts as a theme of its own (the strict reading). Label quality: the
share of themes whose label shares a word (stop words aside, plural s folded) with the name of
the majority gold intent of its items.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def _words(text: str) -> set[str]:
    tokens = re.findall(r"[a-z0-9]+", text.lower().replace("_", " "))
    return {t.rstrip("s") for t in tokens if t not in ENGLISH_STOP_WORDS and len(t) > 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--gold-column", required=True)
    args = parser.parse_args()
    with args.output.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gold = [r[args.gold_column] for r in rows]
    predicted = [r["theme_id"] or f"unassigned-{i}" for i, r in enumerate(rows)]
    members: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for row, g in zip(rows, gold, strict=True):
        if row["theme_id"]:
            members[row["theme_id"]].append(g)
            labels[row["theme_id"]] = row["theme_label"]
    matched = sum(
        1
        for tid, gs in members.items()
        if _words(labels[tid]) & _words(Counter(gs).most_common(1)[0][0])
    )
    result = {
        "rows": len(rows),
        "nmi": round(normalized_mutual_info_score(gold, predicted), 4),
        "ari": round(adjusted_rand_score(gold, predicted), 4),
        "unassigned_share": round(sum(1 for r in rows if not r["theme_id"]) / len(rows), 4),
        "n_themes": len(members),
        "n_gold": len(set(gold)),
        "label_shares_word_with_gold": round(matched / max(1, len(members)), 3),
        "sentiment_filled": round(sum(1 for r in rows if r["sentiment"]) / len(rows), 4),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
