"""Send 10,000 close-the-loop emails to aiosmtpd on loopback: the relay vs plain smtplib.

Both send the same stored messages (rendered by the approval path, one outbox row each) to the
same server in one run. The relay (``python -m loop_closure.relay``, a process of its own)
claims in batches, checks suppressions, sends and commits a mark per message; the baseline is a
process with one ``smtplib.SMTP`` connection calling ``sendmail`` for each payload read from a
file, nothing else. Peak RSS of each process is sampled with psutil.

    .venv/bin/python bench/loop_send.py [--messages 10000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench._common import machine
from loop_closure.models import OutboxMessage
from tests.loop_closure.harness import (
    ROOT,
    clean,
    relay_env,
    relay_settings,
    seed,
    start_smtp,
)
from voc.db import make_engine, upgrade_schema

RESULTS = Path(__file__).resolve().parent / "results"
BASELINE = """
import json, smtplib, sys
port, path = int(sys.argv[1]), sys.argv[2]
messages = json.load(open(path))
smtp = smtplib.SMTP("127.0.0.1", port)
for to, payload in messages:
    smtp.sendmail("p@loop.test", [to], payload.encode("ascii"))
smtp.quit()
"""


def _measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.02)
    _out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {err[-2000:]}")
    return {"seconds": time.perf_counter() - started, "peak_rss_mib": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'send.sqlite3'}"
        engine = make_engine(url)
        upgrade_schema(engine)
        clean(engine)
        server = start_smtp()
        try:
            settings = relay_settings(url, server.port)
            started = time.perf_counter()
            with Session(engine) as session:
                seed(session, settings, n=args.messages)
                session.commit()
            render_s = time.perf_counter() - started
            with Session(engine) as session:
                rows = session.execute(
                    select(OutboxMessage.to_address, OutboxMessage.payload)
                ).all()
            payloads = Path(tmp) / "payloads.json"
            payloads.write_text(json.dumps([list(r) for r in rows]))
            size = sum(len(p) for _, p in rows) / len(rows)
            baseline = _measure([sys.executable, "-c", BASELINE, str(server.port), str(payloads)])
            received_baseline = len(server.handler.received)
            relay = _measure([sys.executable, "-m", "loop_closure.relay"], env=relay_env(settings))
            received_relay = len(server.handler.received) - received_baseline
            with Session(engine) as session:
                sent = session.scalars(select(OutboxMessage.status)).all().count("sent")
        finally:
            server.stop()
            clean(engine)
            engine.dispose()
    n = args.messages
    result = {
        "bench": "loop_send",
        "database": engine.dialect.name,
        "messages": n,
        "mean_message_bytes": round(size),
        "render_and_queue_s": round(render_s, 1),
        "relay": {**{k: round(v, 2) for k, v in relay.items()},
                  "msgs_per_s": round(n / relay["seconds"]),
                  "received": received_relay, "rows_sent": sent},
        "smtplib_baseline": {**{k: round(v, 2) for k, v in baseline.items()},
                             "msgs_per_s": round(n / baseline["seconds"]),
                             "received": received_baseline},
        "relay_vs_baseline_speed": round(baseline["seconds"] / relay["seconds"], 2),
        "machine": machine(),
    }  # fmt: skip
    text = json.dumps(result, indent=2)
    print(text)
    (RESULTS / f"loop_send_{engine.dialect.name}.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
