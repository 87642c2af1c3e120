"""Embedding throughput: embed + store in the cache, next to plain SentenceTransformer.encode.

    .venv/bin/python bench/embed.py --n 4000 --repeats 3

Both paths run in the same process on the same texts (banking77 + clinc150 queries); each
repeat of the cached path starts from an empty SQLite cache, so every text is embedded and
written. Prints JSON: texts/s of each path (medians) and their ratio (floor 0.85).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from _common import DEFAULT_DATA_DIR, banking77, clinc150, machine, median, need_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model-path", default=None, help="model dir (default: packaged)")
    parser.add_argument("--db-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    from nlp.embedding import SentenceTransformerEmbedder
    from nlp.normalize import normalize_for_model
    from voc.db import ensure_schema, make_engine, session_scope
    from voc.feedback.embeddings import embed_with_cache, text_hash

    data = need_data(args.data_dir)
    texts = list(dict.fromkeys(banking77(data)[0] + clinc150(data)[0]))[: args.n]
    embedder = SentenceTransformerEmbedder(args.model_path)
    model = embedder._load()
    embedder.embed(texts[:64])  # warm-up

    plain, cached = [], []
    for repeat in range(args.repeats):
        start = time.perf_counter()
        model.encode(
            [normalize_for_model(t) for t in texts],
            batch_size=args.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        plain.append(len(texts) / (time.perf_counter() - start))
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db_url or f"sqlite:///{Path(tmp) / f'embed{repeat}.sqlite3'}"
            engine = make_engine(url)
            ensure_schema(engine)
            start = time.perf_counter()
            with session_scope(engine) as session:
                embed_with_cache(
                    session,
                    texts_by_hash={text_hash(t): t for t in texts},
                    embedder=embedder,
                    batch_size=args.batch_size,
                )
            cached.append(len(texts) / (time.perf_counter() - start))
            engine.dispose()
    result = {
        "bench": "embed",
        "machine": machine(),
        "n_texts": len(texts),
        "repeats": args.repeats,
        "plain_encode_texts_per_s": median(plain),
        "embed_and_store_texts_per_s": median(cached),
        "ratio": round(median(cached) / median(plain), 3),
        "floor": 0.85,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
