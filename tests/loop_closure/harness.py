"""A real SMTP server on loopback (aiosmtpd), seeded outbox rows, relay processes to kill.

Shared by the reliability tests and ``bench/loop_crash.py`` / ``bench/loop_send.py``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from loop_closure import outbox
from loop_closure.models import EmailSuppression, LoopCampaign, OutboxMessage
from loop_closure.relay import STEPS, STOP_AT_ENV
from voc.config import Settings
from voc.customer.models import Customer
from voc.request.models import ProductRequest

ROOT = Path(__file__).resolve().parents[2]
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
TEST_DOMAIN = "loop.test"


class RecordingHandler:
    """Accepts every message (unless told to refuse) and records its Message-ID."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, list[str], bytes]] = []
        self.rcpt_reply: dict[str, str] = {}  # address -> reply, e.g. "550 5.1.1 no such user"
        self.data_reply: str | None = None  # e.g. "451 4.3.0 try later" for every message
        self.mail_reply: str | None = None  # e.g. "550 5.7.1 sender refused"

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:  # fmt: skip
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        reply = self.rcpt_reply.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        content: bytes = envelope.original_content or envelope.content
        match = MESSAGE_ID.search(content)
        with self.lock:
            self.received.append(
                (match.group(1).decode() if match else "", list(envelope.rcpt_tos), content)
            )
        return "250 OK queued"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(mid for mid, _, _ in self.received)


@dataclass
class SmtpServer:
    """A running aiosmtpd controller and its recorder."""

    controller: Controller
    handler: RecordingHandler

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def stop(self) -> None:
        if self.controller._thread is not None:  # stopping twice is fine
            self.controller.stop()


def start_smtp(port: int = 0) -> SmtpServer:
    """An SMTP server on 127.0.0.1 (a free port unless ``port``)."""
    handler = RecordingHandler()
    if port == 0:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            data_size_limit=10_000_000, decode_data=False)  # fmt: skip
    controller.start()
    return SmtpServer(controller=controller, handler=handler)


def relay_settings(database_url: str, smtp_port: int, **email: Any) -> Settings:
    """Settings of a relay on the test database and the loopback server."""
    values = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "sender": "Product <p@loop.test>",
              "send_backoff_s": 0.01, "retry_base_s": 0.0, "retry_max_s": 0.0, **email}  # fmt: skip
    return Settings.model_validate(
        {
            "environment": "test",
            "database_url": database_url,
            "email": values,
            "public_url": "https://voc.loop.test",
        }
    )


def relay_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment of a relay subprocess with these settings."""
    email = settings.email
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    env.update(
        {
            "VOC_ENVIRONMENT": "test",
            "VOC_DATABASE_URL": settings.database_url,
            "VOC_PUBLIC_URL": settings.public_url,
            "VOC_EMAIL__SMTP_HOST": email.smtp_host,
            "VOC_EMAIL__SMTP_PORT": str(email.smtp_port),
            "VOC_EMAIL__SENDER": email.sender,
            "VOC_EMAIL__BATCH_SIZE": str(email.batch_size),
            "VOC_EMAIL__CLAIM_LEASE_S": str(email.claim_lease_s),
            "VOC_EMAIL__SEND_BACKOFF_S": "0.01",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def make_request(session: Session, *, title: str = "Dark mode", key: str | None = None,
                 shipped: bool = True) -> ProductRequest:  # fmt: skip
    request = ProductRequest(
        title=title, external_key=key, status="shipped" if shipped else "open",
        created_by="test", updated_by="test", release_note="Settings > Theme > Dark.",
        shipped_at=datetime.now(UTC) if shipped else None,
    )  # fmt: skip
    session.add(request)
    session.flush()
    return request


def seed(session: Session, settings: Settings, *, n: int, request_id: int | None = None,
         prefix: str = "c") -> list[int]:  # fmt: skip
    """``n`` consenting customers and one queued email each about a (new) shipped request."""
    if request_id is None:
        request_id = make_request(session).id
    customers = [
        Customer(email=f"{prefix}{i}@{TEST_DOMAIN}", name=f"Customer {i}", is_consenting=True)
        for i in range(n)
    ]
    session.add_all(customers)
    session.flush()
    recipients = [
        outbox.Recipient(
            customer_id=c.id,
            email=c.email,
            name=c.name,
            feedback_id=None,
            quote_text=f"Please add dark mode, number {i}. It hurts at night.",
            quote_at=datetime(2026, 3, 2, tzinfo=UTC),
            source="nps",
        )
        for i, c in enumerate(customers)
    ]
    outbox.enqueue(session, settings=settings, recipients=recipients, request_id=request_id,
                   request_title="Dark mode", release_note="Settings > Theme > Dark.",
                   campaign_id=None, now=datetime.now(UTC))  # fmt: skip
    return [c.id for c in customers]


def clean(engine: Engine) -> None:
    """Remove what the relay tests committed."""
    with Session(engine) as session:
        session.execute(delete(OutboxMessage))
        session.execute(delete(EmailSuppression))
        session.execute(delete(LoopCampaign))
        session.execute(delete(Customer).where(Customer.email.ilike(f"%@{TEST_DOMAIN}")))
        session.execute(delete(ProductRequest).where(ProductRequest.created_by == "test"))
        session.commit()


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def start_relay(settings: Settings, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "loop_closure.relay"], cwd=ROOT, env=relay_env(settings, **extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_relay(settings: Settings, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """One relay pass to the end, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "loop_closure.relay"], cwd=ROOT, env=relay_env(settings),
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


@dataclass
class CrashReport:
    """What the crash runs did and what the server got."""

    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    killed_ids: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in STEPS})
    rows: int = 0
    sent_rows: int = 0
    lost: int = 0
    duplicates: int = 0
    duplicates_outside_accepted: int = 0
    duplicates_per_accepted_kill: float = 0.0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"kills": self.kills, "rows": self.rows, "sent_rows": self.sent_rows,
                "lost": self.lost, "duplicates": self.duplicates,
                "duplicates_outside_accepted": self.duplicates_outside_accepted,
                "duplicates_per_accepted_kill": self.duplicates_per_accepted_kill,
                "seconds": round(self.seconds, 1)}  # fmt: skip


def kill_at(settings: Settings, step: str, timeout: float = 60.0) -> str | None:
    """Start a relay that stops at ``step`` of its first message; SIGKILL it there.

    Returns the Message-ID it stopped on (None when it found nothing to do and exited).
    """
    process = start_relay(settings, **{STOP_AT_ENV: f"{step}:1"})
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:  # exited without stopping
                process.wait(timeout=10)
                return None
            if line.startswith("STOPPED "):
                _, at, message_id = line.split()
                assert at == step
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                return message_id
        raise TimeoutError(f"relay did not reach {step}")
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def crash_run(engine: Engine, settings: Settings, server: SmtpServer, *, kills_per_step: int,
              n_messages: int) -> CrashReport:  # fmt: skip
    """Seed, kill a relay ``kills_per_step`` times at each step, finish, count."""
    started = time.perf_counter()
    report = CrashReport()
    with Session(engine) as session:
        seed(session, settings, n=n_messages)
        session.commit()
    for step in STEPS:
        for _ in range(kills_per_step):
            message_id = kill_at(settings, step)
            if message_id is None:
                break
            report.kills[step] += 1
            report.killed_ids[step].append(message_id)
    finished = run_relay(settings)
    assert finished.returncode == 0, finished.stderr
    rows = outbox_rows(engine)
    received = server.handler.message_ids()
    report.rows = len(rows)
    report.sent_rows = sum(1 for r in rows if r.status == "sent")
    report.lost = sum(1 for r in rows if received[r.message_id] == 0)
    extra = Counter({mid: n - 1 for mid, n in received.items() if n > 1})
    report.duplicates = sum(extra.values())
    accepted = Counter(report.killed_ids["accepted"])
    report.duplicates_outside_accepted = sum(max(0, n - accepted[m]) for m, n in extra.items())
    if report.kills["accepted"]:
        report.duplicates_per_accepted_kill = report.duplicates / report.kills["accepted"]
    report.seconds = time.perf_counter() - started
    return report
