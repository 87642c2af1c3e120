"""Crash safety of the outbox relay: SIGKILL it 20 times at each step, then finish, count.

A relay process (``python -m loop_closure.relay``) is stopped by ``VOC_OUTBOX_STOP_AT`` after a
claim, after the SMTP server (aiosmtpd on loopback) accepted a message, or after the commit of
its mark, and SIGKILLed there from this process. A last pass then sends what is left. Counts:
emails lost (an outbox row whose Message-ID the server never got), duplicates (the server got a
Message-ID more than once), and duplicates not explained by an accepted-but-unmarked kill.

    .venv/bin/python bench/loop_crash.py [--kills 20] [--messages 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine
from tests.loop_closure.harness import clean, crash_run, relay_settings, start_smtp
from voc.db import make_engine, upgrade_schema

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=20, help="kills per step")
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'crash.sqlite3'}"
        engine = make_engine(url)
        upgrade_schema(engine)
        clean(engine)
        server = start_smtp()
        try:
            settings = relay_settings(url, server.port, claim_lease_s=0.0, batch_size=5)
            report = crash_run(engine, settings, server, kills_per_step=args.kills,
                               n_messages=args.messages)  # fmt: skip
        finally:
            server.stop()
            clean(engine)
            engine.dispose()
    result = {
        "bench": "loop_crash",
        "database": engine.dialect.name,
        "kills_per_step": args.kills,
        "messages": args.messages,
        **report.as_dict(),
        "machine": machine(),
    }
    text = json.dumps(result, indent=2)
    print(text)
    output = args.output or RESULTS / f"loop_crash_{engine.dialect.name}.json"
    output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
