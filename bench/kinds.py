"""Feedback kinds: the two dev-visible figures and the ingest cost, in one run. JSON.

Run from the repository root:
    .venv/bin/python -m bench.kinds [--data-dir ../shared/data] [--n 1000] [--repeats 3]

Writes ``bench/results/kinds.json`` (``--output`` to change). Figures, each named:

- ``semeval2019_suggestions``: suggestion (1) vs not (0), F1 of class 1 on the trial file
  (592 sentences, latin-1). ``shipped_zero_shot``: the shipped classifier (``nlp.kinds``, never
  trained on this set), ``request`` counts as 1. ``protocol_head``: the issue's protocol, a
  logistic head trained on the training file (8,500 sentences) over TF-IDF 1-3 grams, the
  MiniLM embedding, the per-rule cue hits and the shipped probabilities, its regularisation C
  chosen from ``PROTOCOL_C_GRID`` by 5-fold cross-validation on the training file (the trial
  file is scored once, with that C); measured here, never shipped.
  ``frozen_minilm_head``: the same head on the embedding alone (the issue's 0.78 reference).
- ``nlbse24_issues``: bug / feature / question macro-F1 over the 1,500 issues, label words
  stripped from titles (``strip_label_words``), text = title + body. ``shipped_zero_shot``: the
  shipped classifier restricted to request (feature), bug and question. ``protocol_head``:
  5-fold stratified cross-validation of a logistic head over the MiniLM embedding, the cue
  hits, the shipped probabilities and TF-IDF of title + body; ``frozen_minilm_head``: the same
  folds on the embedding alone (the issue's 0.56 reference).
- ``throughput``: texts/s of the embedding pass alone vs the ingest pass with sentiment and
  kinds (``JointEncoder.encode`` then ``classify_kinds`` on its embeddings), alternating in one
  process on the first ``--n`` texts of tweeteval val, median of ``--repeats``.

Neither data set trains anything the service ships: both are non-commercial or unlicensed.
Embeddings are cached under ``.cache/kinds/`` (keyed by the texts' digest).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench._common import DEFAULT_DATA_DIR, machine
from bench.eval_sentiment import tweeteval_val
from nlp.embedding import SentenceTransformerEmbedder
from nlp.joint import JointEncoder
from nlp.kinds import KINDS, cue_features, load_kind_classifier

CACHE = Path(".cache/kinds")
# regularisation strengths the SemEval protocol head chooses from (by CV on the training file)
PROTOCOL_C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0)
RESULTS = Path("bench/results/kinds.json")
BODY_CHARS = 1500
_LABEL_WORDS = re.compile(
    r"\[[^\]]*\]|\b(?:bug|bugs|feature|features|feature request|request|question|questions|"
    r"enhancement|proposal|rfc|help wanted|q)\b\s*:?",
    re.IGNORECASE,
)


def strip_label_words(title: str) -> str:
    """A title without bracketed tags ("[DevTools Bug]") and the label words themselves."""
    return re.sub(r"\s+", " ", _LABEL_WORDS.sub(" ", title)).strip(" :-")


def semeval(data_dir: Path) -> tuple[list[str], list[int], list[str], list[int]]:
    """SemEval-2019 task 9 subtask A: training and trial sentences with labels."""
    folder = data_dir / "semeval2019_suggestions"
    with (folder / "V1.4_Training.csv").open(encoding="utf-8", errors="replace") as fh:
        train = [row for row in csv.reader(fh) if len(row) == 3]
    with (folder / "SubtaskA_Trial_Test_Labeled.csv").open(encoding="latin-1") as fh:
        trial = list(csv.DictReader(fh))
    train_texts = [row[1].strip().strip('"').replace('""', '"') for row in train]
    return (
        train_texts,
        [int(row[2]) for row in train],
        [row["sentence"] for row in trial],
        [int(row["label"]) for row in trial],
    )


def nlbse(data_dir: Path) -> tuple[list[str], list[str]]:
    """NLBSE'24 issues: stripped title + body, and the label."""
    csv.field_size_limit(10**8)
    path = data_dir / "nlbse24_issues" / "issues_train.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [f"{strip_label_words(r['title'])}\n{r['body'][:BODY_CHARS]}".strip() for r in rows]
    return texts, [r["label"] for r in rows]


def embed_cached(embedder: SentenceTransformerEmbedder, texts: Sequence[str]) -> Any:
    """MiniLM embeddings of ``texts``, cached on disk by their digest."""
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"{embedder.model_id.replace('/', '_')}-{digest}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    vectors = embedder.embed(list(texts), batch_size=64)
    np.save(path, vectors)
    return vectors


def f1_binary(gold: Sequence[int], pred: Sequence[int]) -> float:
    """F1 of class 1."""
    from sklearn.metrics import f1_score

    return round(float(f1_score(gold, pred, pos_label=1)), 4)


def _features(
    texts: Sequence[str], vectors: npt.NDArray[np.float32], probs: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    return np.hstack([vectors, cue_features(texts), probs]).astype(np.float64)


def semeval_figures(
    data_dir: Path, embedder: SentenceTransformerEmbedder, seed: int
) -> dict[str, Any]:
    """Shipped zero-shot and protocol-head F1 on the trial file."""
    from sklearn.linear_model import LogisticRegression

    train_x, train_y, trial_x, trial_y = semeval(data_dir)
    train_v, trial_v = embed_cached(embedder, train_x), embed_cached(embedder, trial_x)
    classifier = load_kind_classifier()
    request = KINDS.index("request")
    shipped = [int(p.kind == "request") for p in classifier.predict(trial_x, trial_v)]
    cues_only = [int(p.kind == "request") for p in classifier.predict(trial_x)]
    train_p = classifier.probabilities(train_x, train_v)
    trial_p = classifier.probabilities(trial_x, trial_v)
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold

    def matrices(fit: Any, test: Any) -> tuple[Any, Any]:
        """Protocol features of rows ``fit`` (TF-IDF fitted on them) and of rows ``test``."""
        (fx, fv, fp), (tx, tv, tp) = fit, test
        tfidf = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True)
        words_fit, words_test = tfidf.fit_transform(fx), tfidf.transform(tx)
        return (
            hstack([words_fit, csr_matrix(_features(fx, fv, fp))]).tocsr(),
            hstack([words_test, csr_matrix(_features(tx, tv, tp))]).tocsr(),
        )

    def head(c: float) -> Any:
        return LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)

    # The head's regularisation is chosen by 5-fold cross-validation on the training file
    # alone (F1 of class 1); the trial file is scored once, with the chosen C.
    gold = np.asarray(train_y)
    scores: dict[float, list[float]] = {c: [] for c in PROTOCOL_C_GRID}
    for fit_rows, test_rows in StratifiedKFold(5, shuffle=True, random_state=seed).split(
        train_x, gold
    ):
        x_fit, x_test = matrices(
            ([train_x[i] for i in fit_rows], train_v[fit_rows], train_p[fit_rows]),
            ([train_x[i] for i in test_rows], train_v[test_rows], train_p[test_rows]),
        )
        for c in PROTOCOL_C_GRID:
            predicted = head(c).fit(x_fit, gold[fit_rows]).predict(x_test)
            scores[c].append(f1_binary(gold[test_rows].tolist(), predicted.tolist()))
    cv = {c: round(float(np.mean(f)), 4) for c, f in scores.items()}
    best_c = max(PROTOCOL_C_GRID, key=lambda c: (cv[c], -c))  # a tie goes to the smaller C
    x_train, x_trial = matrices((train_x, train_v, train_p), (trial_x, trial_v, trial_p))
    protocol = head(best_c).fit(x_train, gold).predict(x_trial)
    frozen = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced", random_state=seed)
    frozen.fit(train_v, train_y)
    shipped_train = [int(r.argmax() == request) for r in train_p]
    return {
        "data": "semeval2019_suggestions: train V1.4_Training.csv (8,500), trial (592)",
        "metric": "F1 of class 1 (suggestion) on the trial file",
        "floor": 0.84,
        "shipped_zero_shot": f1_binary(trial_y, shipped),
        "shipped_cues_only": f1_binary(trial_y, cues_only),
        "shipped_zero_shot_on_train_file": f1_binary(train_y, shipped_train),
        "protocol_head": f1_binary(trial_y, protocol.tolist()),
        "protocol": "logistic regression (balanced classes) trained on the training file over "
        "TF-IDF 1-3 grams + MiniLM embedding + cue hits + shipped probabilities; C chosen by "
        "5-fold cross-validation on the training file",
        "protocol_c": best_c,
        "protocol_cv_f1_by_c": {str(c): f for c, f in cv.items()},
        "frozen_minilm_head": f1_binary(trial_y, frozen.predict(trial_v).tolist()),
    }


def nlbse_figures(
    data_dir: Path, embedder: SentenceTransformerEmbedder | None, seed: int
) -> dict[str, Any]:
    """Shipped zero-shot and 5-fold protocol-head macro-F1 on bug / feature / question.

    Without ``embedder`` (``--nlbse-without-embeddings``) the shipped classifier runs on its
    cues and the head drops the embedding: the figures say so in ``embeddings``.
    """
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    texts, labels = nlbse(data_dir)
    vectors = embed_cached(embedder, texts) if embedder is not None else None
    classifier = load_kind_classifier()
    probs = classifier.probabilities(texts, vectors)
    columns = [KINDS.index("bug"), KINDS.index("request"), KINDS.index("question")]
    names = np.array(["bug", "feature", "question"])
    shipped = names[probs[:, columns].argmax(axis=1)]
    gold = np.array(labels)
    dense = (
        _features(texts, vectors, probs)
        if vectors is not None
        else np.hstack([cue_features(texts), probs])
    )
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    protocol = np.empty(len(texts), dtype=object)
    frozen = np.empty(len(texts), dtype=object)
    for train, test in folds.split(dense, gold):
        tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=50000)
        words_train = tfidf.fit_transform([texts[i] for i in train])
        words_test = tfidf.transform([texts[i] for i in test])
        head = LogisticRegression(C=4.0, max_iter=3000, random_state=seed)
        head.fit(hstack([words_train, csr_matrix(dense[train])]).tocsr(), gold[train])
        protocol[test] = head.predict(hstack([words_test, csr_matrix(dense[test])]).tocsr())
        if vectors is not None:
            plain = LogisticRegression(C=1.0, max_iter=3000, random_state=seed)
            plain.fit(vectors[train], gold[train])
            frozen[test] = plain.predict(vectors[test])

    def macro(pred: Any) -> float:
        return round(float(f1_score(gold, pred.astype(str), average="macro")), 4)

    parts = "TF-IDF 1-2 grams + " + ("MiniLM embedding + " if vectors is not None else "")
    return {
        "data": "nlbse24_issues: issues_train.csv (1,500: 500 bug, 500 feature, 500 question)",
        "text": f"title without label words + first {BODY_CHARS} characters of the body",
        "metric": "macro-F1 over bug, feature, question",
        "floor": 0.72,
        "embeddings": vectors is not None,
        "shipped_zero_shot": macro(shipped),
        "protocol_head": macro(protocol),
        "protocol": "5-fold stratified CV (seeded); head: logistic regression over "
        f"{parts}cue hits + shipped probabilities",
        "frozen_minilm_head": macro(frozen) if vectors is not None else None,
    }


def _timed(run: Any) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def throughput(texts: list[str], repeats: int, batch_size: int) -> dict[str, Any]:
    """Median texts/s: embedding alone vs embedding + sentiment + kinds (the ingest pass)."""
    embedder, joint = SentenceTransformerEmbedder(), JointEncoder()
    classifier = load_kind_classifier()
    embedder.embed(texts[:batch_size], batch_size=batch_size)
    joint.encode(texts[:batch_size], batch_size=batch_size)

    def ingest() -> None:
        result = joint.encode(texts, batch_size=batch_size)
        classifier.predict(texts, result.embeddings)

    vectors = embedder.embed(texts, batch_size=batch_size)
    embed_s, full_s, kinds_only_s = [], [], []
    for _ in range(repeats):
        embed_s.append(_timed(lambda: embedder.embed(texts, batch_size=batch_size)))
        full_s.append(_timed(ingest))
        kinds_only_s.append(_timed(lambda: classifier.predict(texts, vectors)))
    embed_tps = len(texts) / statistics.median(embed_s)
    full_tps = len(texts) / statistics.median(full_s)
    return {
        "data": "tweeteval_sentiment val, first --n texts",
        "texts": len(texts),
        "batch_size": batch_size,
        "repeats": repeats,
        "embed_only_texts_per_s": round(embed_tps, 1),
        "embed_sentiment_kinds_texts_per_s": round(full_tps, 1),
        "ratio_vs_embed": round(full_tps / embed_tps, 3),
        "kinds_only_ms_per_text": round(1000 * statistics.median(kinds_only_s) / len(texts), 3),
        "embed_seconds": [round(s, 2) for s in embed_s],
        "full_seconds": [round(s, 2) for s in full_s],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure both figures and the cost; write and print JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--nlbse-without-embeddings", action="store_true")
    args = parser.parse_args(argv)
    embedder = SentenceTransformerEmbedder()
    out: dict[str, Any] = {"machine": machine(), "kind_version": load_kind_classifier().version}
    if not args.throughput_only:
        out["semeval2019_suggestions"] = semeval_figures(args.data_dir, embedder, args.seed)
        nlbse_embedder = None if args.nlbse_without_embeddings else embedder
        out["nlbse24_issues"] = nlbse_figures(args.data_dir, nlbse_embedder, args.seed)
    if not args.skip_throughput:
        tweets, _ = tweeteval_val(args.data_dir)
        out["throughput"] = throughput(tweets[: args.n], args.repeats, args.batch_size)
    text = json.dumps(out, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return out


if __name__ == "__main__":
    main()
