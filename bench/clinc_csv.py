"""Write clinc150 in-scope (train+val+test, 22,500 queries) as a CSV for ``voc analyze``.

    .venv/bin/python bench/clinc_csv.py /tmp/clinc150.csv [--data-dir ../shared/data]

Columns ``text,intent``. The file goes wherever you point it (never into the repository).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import DEFAULT_DATA_DIR, clinc150


def main() -> None:
    """Write the CSV and say how many rows it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    texts, intents = clinc150(args.data_dir)
    with args.output.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "intent"])
        writer.writerows(zip(texts, intents, strict=True))
    sys.stdout.write(f"{len(texts)} rows -> {args.output}\n")


if __name__ == "__main__":
    main()
