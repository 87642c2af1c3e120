"""Write the demo sample with its planted ground truth (gold_theme, gold_sentiment) as a CSV.

    .venv/bin/python bench/demo_csv.py /tmp/demo.csv [--seed 7]
    .venv/bin/voc analyze /tmp/demo.csv --text-column text --id-column external_id \\
        --output /tmp/demo_out.csv
    .venv/bin/python bench/score_analyze_output.py /tmp/demo_out.csv --gold-column gold_theme

The same generator and seed as ``make demo``; the gold columns are what the analysis must find.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voc.demo import generate_demo, write_demo_csv


def main() -> None:
    """Write the CSV and say how many rows it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items = generate_demo(seed=args.seed)
    write_demo_csv(items, args.output, include_gold=True)
    sys.stdout.write(f"{len(items)} rows -> {args.output}\n")


if __name__ == "__main__":
    main()
