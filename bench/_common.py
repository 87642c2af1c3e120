"""Shared helpers of the benchmarks: machine description, data loading, medians."""

from __future__ import annotations

import csv
import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def machine() -> dict[str, Any]:
    """CPU model, cores and accelerator, for every JSON result."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def need_data(data_dir: Path) -> Path:
    """The development data folder, or a clear exit."""
    if not (data_dir / "banking77" / "train.csv").exists():
        raise SystemExit(f"data not found under {data_dir}: pass --data-dir ../shared/data")
    return data_dir


def banking77(data_dir: Path) -> tuple[list[str], list[str]]:
    """banking77 train texts and gold intents."""
    with (data_dir / "banking77" / "train.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def clinc150(data_dir: Path) -> tuple[list[str], list[str]]:
    """clinc150 in-scope texts (train+val+test) and gold intents."""
    data = json.loads((data_dir / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    pairs = [p for split in ("train", "val", "test") for p in data[split]]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def median(values: list[float]) -> float:
    """The median, rounded for JSON."""
    return round(statistics.median(values), 4)
