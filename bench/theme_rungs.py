"""Why the granularity ladder stops where it does: every minimum size on a wide ladder, scored.

    nice -n 10 .venv/bin/python -m bench.theme_rungs [--data-dir ../shared/data] \
        [--seed 42] [--rungs 5,7,10,14,20,28,40 | ladder] [--stability-seeds 2] \
        [--subsamples "banking77:10,20,40;clinc150:5,10,30;demo:full"] \
        [--output bench/results/theme_rungs.json]

On the balanced subsamples of bench/theme_sizes.py (banking77 train at 10/20/40 per intent,
clinc150 in-scope at 5/10/30, one seed), one reduction and one HDBSCAN tree per subsample are
cut at each minimum theme size of a wide ladder and finished into themes as discovery does
(nlp.discovery: noise propagation, merge, assignment of the rest). For every cut: themes,
unassigned share, NMI and ARI against the gold intents (unassigned items as singletons), and
the label-free score the engine ranks cuts by (mean cosine silhouette, nlp.granularity). It
prints, per subsample, the cut that score would pick on this wide ladder (one-standard-error
rule) next to the cut that the gold labels prefer, which is the evidence for the ladder's range
in nlp.granularity: the silhouette keeps rising as themes shrink to template level on some
data (banking77 at 40 per intent) and tracks the gold on others (clinc150 at 10 per intent).

``--rungs ladder``: each subsample's own ladder (nlp.granularity.size_ladder around
DiscoveryParams.for_size) and one rung below it. ``--stability-seeds N``: N more reductions
with seeds seed+1.. cut at the same sizes; each rung's ``stability`` is the mean pairwise ARI of
the N+1 cuts (agreement across seeds, a label-free criterion the issue names), with the rung
it picks and the rung the product silhouette x stability picks. ``--subsamples`` takes
``set:sizes`` groups (``full`` for the whole set; ``demo:full`` is the demo sample with its
planted themes). Development measure only: the data sets are read from ``--data-dir``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import DEFAULT_DATA_DIR, banking77, clinc150, machine, need_data
from bench.theme_sizes import balanced_sample, embeddings_of, score

RESULTS = Path(__file__).resolve().parent / "results" / "theme_rungs.json"
SUBSAMPLES = "banking77:10,20,40;clinc150:5,10,30"


def demo(_data_dir: Path) -> tuple[list[str], list[str]]:
    """The demo sample's texts and planted themes."""
    from voc.demo import generate_demo

    items = [i for i in generate_demo(seed=7) if i.text.strip()]
    return [i.text for i in items], [i.gold_theme for i in items]


def parse_subsamples(spec: str) -> list[tuple[str, tuple[str, ...]]]:
    """``"banking77:10,20;demo:full"`` -> [("banking77", ("10", "20")), ("demo", ("full",))]."""
    out = []
    for group in filter(None, (g.strip() for g in spec.split(";"))):
        name, _, sizes = group.partition(":")
        out.append((name, tuple(x for x in sizes.split(",") if x) or ("full",)))
    return out


def rungs_of(
    name: str,
    texts: list[str],
    gold: list[str],
    per_intent: str,
    seed: int,
    rungs: list[int] | None,
    stability_seeds: int = 0,
) -> dict[str, Any]:
    """Scores of every rung on one subsample, and the rung each criterion picks."""
    from sklearn.metrics import adjusted_rand_score

    from bench.theme_sizes import singletons
    from nlp import discovery
    from nlp.granularity import CondensedCuts, pick_cut, score_rows, silhouettes, size_ladder
    from nlp.reduction import reduce_dimensions
    from nlp.types import DiscoveryParams

    vectors = embeddings_of(texts)
    rows = balanced_sample(gold, per_intent, seed)
    emb = vectors[rows]
    truth = [gold[i] for i in rows.tolist()]
    params = DiscoveryParams.for_size(emb.shape[0])
    reduced = reduce_dimensions(
        emb,
        method=params.reduction,
        n_components=params.n_components,
        n_neighbors=params.n_neighbors,
        seed=seed,
    )
    if rungs is None:  # the subsample's own ladder and one rung below it
        ladder = size_ladder(params.min_cluster_size, emb.shape[0])
        rungs = sorted({max(5, round(ladder[0] / 2**0.5)), *ladder})
    others = []
    for extra in range(1, stability_seeds + 1):
        other = reduce_dimensions(
            emb,
            method=params.reduction,
            n_components=params.n_components,
            n_neighbors=params.n_neighbors,
            seed=seed + extra,
        )
        others.append((other, CondensedCuts(other, min_samples=params.min_samples)))
    cuts = CondensedCuts(reduced, min_samples=params.min_samples)
    scored = score_rows(emb.shape[0], seed)
    table, per_item = [], []
    for size in rungs:
        raw = cuts.labels(size, params.cluster_selection_method)
        labels = discovery._finish(emb, reduced, raw, params)
        assigned, _ = discovery._assign_rest(emb, labels, params, with_confidence=False)
        values = silhouettes(emb, assigned, scored)
        per_item.append(values)
        figures = score(truth, assigned, 0.0)
        row: dict[str, Any] = {
            "min_size": size,
            "silhouette": round(float(values.mean()), 4),
            **{k: figures[k] for k in ("nmi", "ari", "n_themes", "unassigned")},
        }
        if others:
            cuts_here = [singletons(assigned)]
            for other, other_cuts in others:
                other_raw = other_cuts.labels(size, params.cluster_selection_method)
                other_labels = discovery._finish(emb, other, other_raw, params)
                other_assigned, _ = discovery._assign_rest(
                    emb, other_labels, params, with_confidence=False
                )
                cuts_here.append(singletons(other_assigned))
            pairs = [
                adjusted_rand_score(a, b)
                for i, a in enumerate(cuts_here)
                for b in cuts_here[i + 1 :]
            ]
            row["stability"] = round(float(np.mean(pairs)), 4)
        table.append(row)
    # pick_cut takes finest first and returns the coarsest within one standard error
    picked = table[pick_cut(per_item)]["min_size"]
    by_ari = max(table, key=lambda row: row["ari"])["min_size"]
    out: dict[str, Any] = {
        "set": name,
        "per_intent": per_intent,
        "n": int(emb.shape[0]),
        "ladder_default": params.min_cluster_size,
        "silhouette_pick": picked,
        "gold_ari_pick": by_ari,
    }
    if others:
        out["stability_pick"] = max(table, key=lambda r: r["stability"])["min_size"]
        out["silhouette_x_stability_pick"] = max(
            table, key=lambda r: r["silhouette"] * r["stability"]
        )["min_size"]
    return {**out, "rungs": table}


def main(argv: list[str] | None = None) -> int:
    """Score the rungs of every subsample; print a table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rungs", default="5,7,10,14,20,28,40", help="sizes, or 'ladder'")
    parser.add_argument("--stability-seeds", type=int, default=0)
    parser.add_argument("--subsamples", default=SUBSAMPLES)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    need_data(args.data_dir)
    rungs = None if args.rungs == "ladder" else sorted({int(r) for r in args.rungs.split(",")})
    loaders = {"banking77": banking77, "clinc150": clinc150, "demo": demo}
    results = []
    for name, sizes in parse_subsamples(args.subsamples):
        texts, gold = loaders[name](args.data_dir)
        for per_intent in sizes:
            result = rungs_of(name, texts, gold, per_intent, args.seed, rungs, args.stability_seeds)
            results.append(result)
            print(f"{name} {per_intent}/intent (n={result['n']}):")
            for row in result["rungs"]:
                mark = " <- silhouette" if row["min_size"] == result["silhouette_pick"] else ""
                mark += " <- gold ARI" if row["min_size"] == result["gold_ari_pick"] else ""
                if row["min_size"] == result.get("stability_pick"):
                    mark += " <- stability"
                if row["min_size"] == result.get("silhouette_x_stability_pick"):
                    mark += " <- silhouette x stability"
                stability = f", stability {row['stability']:.3f}" if "stability" in row else ""
                print(
                    f"  size {row['min_size']:>3}: {row['n_themes']:>4} themes, unassigned "
                    f"{row['unassigned']:.3f}, silhouette {row['silhouette']:.4f}{stability}, "
                    f"NMI {row['nmi']:.3f}, ARI {row['ari']:.3f}{mark}"
                )
    report = {
        "command": "python -m bench.theme_rungs " + " ".join(argv or sys.argv[1:]),
        "machine": machine(),
        "seed": args.seed,
        "subsamples": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
