"""Training data for the sentiment branch: loading, splitting, clause-pair augmentation.

Every example is a text plus labelled character spans. A plain example has one span, the
whole text. A *pair* joins two training texts with a connector the clause splitter knows
("A, but B", "A. However, B", "A; B" ...) and labels each part with its own gold label, so the
head learns to read a clause's sentiment from in-context token states (see
``nlp.sentiment_branch``). Pairs are built only from training texts.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from nlp.normalize import normalize_for_model
from nlp.training.support_queries import banking77_queries

NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2
_CONNECTORS = (
    "{a}, but {b}",
    "{a} but {b}",
    "{a}. However, {b}",
    "{a}; however {b}",
    "{a}, though {b}",
    "{a}, although {b}",
    "{a}, whereas {b}",
    "{a}, yet {b}",
    "{a}; {b}",
    "{a}. {b}",
    "{a}! {b}",
    "{a}. But {b}",
)


@dataclass(frozen=True)
class Example:
    """A text with labelled character spans ``(start, end, label)``."""

    text: str
    spans: tuple[tuple[int, int, int], ...]
    source: str


@dataclass(frozen=True)
class Corpus:
    """Training, calibration and measurement examples."""

    train: list[Example]
    calibration: list[Example]
    tweet_val: list[Example]
    tweet_test: list[Example]
    sst2_dev: list[Example]


def _plain(text: str, label: int, source: str) -> Example | None:
    clean = normalize_for_model(text).strip()
    if not clean:
        return None
    return Example(clean, ((0, len(clean), label),), source)


def _tweets(data_dir: Path, split: str) -> list[Example]:
    root = data_dir / "tweeteval_sentiment"
    texts = (root / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (root / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    if len(texts) != len(labels):
        raise ValueError(f"{root}: {len(texts)} texts but {len(labels)} labels in {split}")
    out = [_plain(t, int(y), f"tweeteval_{split}") for t, y in zip(texts, labels, strict=True)]
    return [e for e in out if e is not None]


_LABEL_NAMES = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}


def _semeval_pool(data_dir: Path) -> list[Example]:
    """The SemEval 2013-2016 task 4A pool (TweetEval val tweets already removed upstream)."""
    path = data_dir / "semeval2017_sentiment" / "train.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        label = _LABEL_NAMES.get(row["label"].strip().lower())
        if label is None:
            raise ValueError(f"{path}: unknown label {row['label']!r}")
        # the SemEval files carry extra quote marks around some tweets
        text = row["text"].strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1].replace('""', '"')
        out.append(_plain(text, label, "semeval2017_train"))
    return [e for e in out if e is not None]


def _sst2(data_dir: Path, split: str) -> list[Example]:
    path = data_dir / "sst2" / f"{split}.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = [
        _plain(r["text"], POSITIVE if r["label"].strip() == "1" else NEGATIVE, f"sst2_{split}")
        for r in rows
    ]
    return [e for e in out if e is not None]


def make_pairs(pool: list[Example], n_pairs: int, rng: random.Random) -> list[Example]:
    """Join random pairs of short plain examples; a third are forced to opposite polarity."""
    short = [e for e in pool if len(e.text) <= 160]
    by_label = {y: [e for e in short if e.spans[0][2] == y] for y in (NEGATIVE, POSITIVE)}
    pairs: list[Example] = []
    for i in range(n_pairs):
        if i % 3 == 0:
            first_label = rng.choice((NEGATIVE, POSITIVE))
            a = rng.choice(by_label[first_label])
            b = rng.choice(by_label[POSITIVE + NEGATIVE - first_label])
        else:
            a, b = rng.choice(short), rng.choice(short)
        a_text, b_text = a.text.rstrip(" .!?;,"), b.text
        if rng.random() < 0.5 and b_text[:1].isupper() and not b_text[:2].isupper():
            b_text = b_text[0].lower() + b_text[1:]
        template = rng.choice(_CONNECTORS)
        head, _, tail = template.partition("{b}")
        prefix = head.replace("{a}", a_text)
        text = prefix + b_text + tail
        spans = (
            (0, len(a_text), a.spans[0][2]),
            (len(prefix), len(prefix) + len(b_text), b.spans[0][2]),
        )
        pairs.append(Example(text, spans, "pair"))
    return pairs


def load_corpus(
    data_dir: Path,
    *,
    seed: int,
    calibration_fraction: float,
    sst2_train: int,
    n_pairs: int,
    support_queries: int = 0,
    pool_limit: int = 0,
) -> Corpus:
    """Load the sets, hold out a stratified calibration slice of the training tweets.

    Training tweets: the SemEval 2013-2016 pool (``semeval2017_sentiment/train.csv``). TweetEval
    ``val`` and ``test`` are measurement sets only, never trained or calibrated on.
    ``support_queries`` banking77 queries (weak labels from their intent, see
    ``nlp.training.support_queries``; -1 = all of them, 0 = none) join the training set.
    """
    rng = random.Random(seed)
    tweets = _semeval_pool(data_dir)
    by_label: dict[int, list[Example]] = {}
    for e in tweets:
        by_label.setdefault(e.spans[0][2], []).append(e)
    train_tweets, calibration = [], []
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        cut = round(len(group) * calibration_fraction)
        calibration.extend(group[:cut])
        train_tweets.extend(group[cut:])
    if pool_limit > 0:
        rng.shuffle(train_tweets)
        train_tweets = train_tweets[:pool_limit]
    sst2 = _sst2(data_dir, "train")
    rng.shuffle(sst2)
    sst2 = sst2[:sst2_train] if sst2_train > 0 else sst2
    support = []
    if support_queries:
        for text, label in banking77_queries(data_dir, max(0, support_queries), rng, split="train"):
            example = _plain(text, label, "banking77_train")
            if example is not None:
                support.append(example)
    plain = train_tweets + sst2 + support
    train = plain + make_pairs(plain, n_pairs, rng)
    rng.shuffle(train)
    return Corpus(
        train,
        calibration,
        _tweets(data_dir, "val"),
        _tweets(data_dir, "test"),
        _sst2(data_dir, "dev"),
    )
