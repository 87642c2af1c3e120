"""The outbox relay: claim due rows, send each over SMTP, mark it sent; never one row twice.

Each step is its own short transaction, so a process that dies anywhere leaves the outbox
consistent:

1. **claim** (commit): up to ``batch_size`` due rows get this pass's claim token
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, one ``UPDATE`` under SQLite's write lock);
2. **send**: the stored message (its Message-ID fixed when the row was written) goes to the
   SMTP server; transient failures (4xx, connection errors) are retried by tenacity with
   exponential backoff and jitter;
3. **mark** (commit, per message): sent, or retrying with a later ``next_attempt_at``, or failed
   (5xx, and the address is suppressed).

A relay killed after a claim leaves rows claimed: another pass takes them once the claim is
older than ``email.claim_lease_s``. Killed after the server accepted a message but before the
mark committed, that one message is sent again later, with the same Message-ID (receivers
deduplicate on it): the only duplicate possible, at most one per kill.
"""

from __future__ import annotations

import logging
import os
import random
import smtplib
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from sqlalchemy import Engine
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from loop_closure import repository
from loop_closure import suppression as suppression_service
from loop_closure.models import OutboxMessage, OutboxStatus, SuppressionReason
from loop_closure.schemas import RelayReport
from voc.config import EmailSettings, Settings
from voc.db import session_scope
from voc.errors import VocError
from voc.types import utcnow

logger = logging.getLogger(__name__)

# Test hook: "STEP" or "STEP:N" stops this process at STEP (claimed, accepted, committed) of
# its N-th message (default 1) and waits there to be killed (tests/loop_closure, bench/).
STOP_AT_ENV = "VOC_OUTBOX_STOP_AT"
STEPS = ("claimed", "accepted", "committed")


class RelayError(VocError):
    """The SMTP server cannot take mail at all (down, or refusing the sender): the run stops."""

    code = "relay_error"


class PermanentFailure(Exception):
    """The server refused this message for good (5xx at RCPT or DATA)."""


class TransientFailure(Exception):
    """Try again later (4xx, a dropped or refused connection, a timeout)."""


class ServerRefusal(Exception):
    """The server refuses every message (5xx to the sender, the login or HELO)."""


@dataclass
class _StopHook:
    step: str
    nth: int
    seen: int = 0

    @classmethod
    def from_env(cls) -> _StopHook | None:
        value = os.environ.get(STOP_AT_ENV, "").strip()
        if not value:
            return None
        step, _, nth = value.partition(":")
        if step not in STEPS:
            raise ValueError(f"{STOP_AT_ENV}: step must be one of {', '.join(STEPS)}")
        return cls(step=step, nth=int(nth or 1))

    def reached(self, step: str, message: OutboxMessage) -> None:
        if step != self.step:
            return
        self.seen += 1
        if self.seen == self.nth:
            sys.stderr.write(f"STOPPED {step} {message.message_id}\n")
            sys.stderr.flush()
            while True:  # wait for SIGKILL from the test
                time.sleep(60)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def _classify(exc: BaseException) -> BaseException:
    """Map an smtplib/socket error to transient, permanent or server-wide refusal."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{c} {_text(m)}" for c, m in exc.recipients.values())
        if codes and all(code >= 500 for code in codes):
            return PermanentFailure(f"recipient refused: {detail}")
        return TransientFailure(f"recipient deferred: {detail}")
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        if exc.smtp_code >= 500:
            return ServerRefusal(f"{exc.smtp_code} {_text(exc.smtp_error)}")
        return TransientFailure(f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPHeloError | smtplib.SMTPNotSupportedError):
        return ServerRefusal(str(exc))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        if isinstance(exc, smtplib.SMTPConnectError) and exc.smtp_code >= 500:
            return ServerRefusal(text)
        if isinstance(exc, smtplib.SMTPConnectError) or exc.smtp_code == 421:
            return TransientFailure(f"connection: {text}")  # the server closes the session
        return PermanentFailure(text) if exc.smtp_code >= 500 else TransientFailure(text)
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError | socket.timeout):
        return TransientFailure(f"connection: {exc}")
    return exc


class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after a drop."""

    def __init__(self, email: EmailSettings) -> None:
        self._email = email
        self._smtp: smtplib.SMTP | None = None
        self.envelope_from = parseaddr(email.sender)[1]

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(
                self._email.smtp_host, self._email.smtp_port, timeout=self._email.smtp_timeout_s
            )
            try:
                if self._email.starttls:
                    smtp.starttls()
                if self._email.smtp_user:
                    password = self._email.smtp_password
                    smtp.login(
                        self._email.smtp_user, password.get_secret_value() if password else ""
                    )
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _send_once(self, to_address: str, payload: str) -> None:
        try:
            smtp = self._connect()
            smtp.sendmail(self.envelope_from, [to_address], payload.encode("ascii"))
        except (smtplib.SMTPException, OSError) as exc:
            if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                self.close()
            elif isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                self._reset()
            raise _classify(exc) from exc

    def send(self, to_address: str, payload: str) -> None:
        """Send one stored message; transient failures retried with backoff and jitter."""
        retrying = Retrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, TransientFailure)),
            stop=stop_after_attempt(self._email.send_attempts),
            wait=wait_exponential_jitter(
                multiplier=self._email.send_backoff_s, max=8.0, jitter=self._email.send_backoff_s
            ),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._send_once(to_address, payload)

    def _reset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.close()

    def close(self) -> None:
        """Say QUIT (or just drop the socket)."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def retry_delay(email: EmailSettings, attempts: int) -> float:
    """Seconds until the next pass: exponential in the attempts so far, with full jitter."""
    ceiling = min(email.retry_max_s, email.retry_base_s * (2 ** max(attempts - 1, 0)))
    return random.uniform(ceiling / 2, ceiling)


class Relay:
    """Sends what is due; one instance per process (``voc outbox run``, the Dramatiq actor)."""

    def __init__(self, settings: Settings, engine: Engine, *, name: str | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.name = name or f"{socket.gethostname()[:24]}:{os.getpid()}"
        self._hook = _StopHook.from_env()

    def run_once(self) -> RelayReport:
        """Send everything due now (in batches), then return; ``RelayError`` when SMTP refuses."""
        report = RelayReport()
        transport = SmtpTransport(self.settings.email)
        started = utcnow()  # rows deferred during this pass wait for the next one
        try:
            while True:
                token = f"{self.name[:40]}:{uuid.uuid4().hex[:16]}"
                with session_scope(self.engine) as session:
                    rows = repository.claim_due(
                        session,
                        token=token,
                        limit=self.settings.email.batch_size,
                        lease_s=self.settings.email.claim_lease_s,
                        now=utcnow(),
                        due_at=started,
                    )
                    session.expunge_all()
                if not rows:
                    return report
                report.claimed += len(rows)
                self._send_batch(rows, token=token, transport=transport, report=report)
        finally:
            transport.close()

    def _send_batch(
        self,
        rows: list[OutboxMessage],
        *,
        token: str,
        transport: SmtpTransport,
        report: RelayReport,
    ) -> None:
        email = self.settings.email
        with session_scope(self.engine) as session:  # one look per batch, just after the claim
            suppressed = repository.suppressed(session, [row.to_address for row in rows])
        for index, row in enumerate(rows):
            if self._hook:
                self._hook.reached("claimed", row)
            reason = suppressed.get(row.to_address.lower())
            if reason is not None:
                self._mark(row, token, report, status=OutboxStatus.SUPPRESSED, error=reason)
                continue
            try:
                transport.send(row.to_address, row.payload)
            except PermanentFailure as exc:
                self._mark(row, token, report, status=OutboxStatus.FAILED, error=str(exc))
                with session_scope(self.engine) as session:
                    suppression_service.suppress(
                        session, address=row.to_address, reason=SuppressionReason.BOUNCE,
                        source="smtp", detail=str(exc),
                    )  # fmt: skip
                continue
            except TransientFailure as exc:
                self._defer(rows[index:], token, report, error=str(exc))
                if str(exc).startswith("connection:"):
                    raise RelayError(
                        f"SMTP server {email.smtp_host}:{email.smtp_port} unreachable ({exc}); "
                        f"{len(rows) - index} emails stay in the outbox and retry later"
                    ) from None
                continue
            except ServerRefusal as exc:
                with session_scope(self.engine) as session:
                    repository.release(session, token=token)
                raise RelayError(
                    f"SMTP server {email.smtp_host}:{email.smtp_port} refuses every message "
                    f"({exc}); nothing was marked, {len(rows) - index} emails stay queued"
                ) from None
            if self._hook:
                self._hook.reached("accepted", row)
            self._mark(row, token, report, status=OutboxStatus.SENT, error=None)
            if self._hook:
                self._hook.reached("committed", row)

    def _mark(
        self,
        row: OutboxMessage,
        token: str,
        report: RelayReport,
        *,
        status: OutboxStatus,
        error: str | None,
    ) -> None:
        now = utcnow()
        values: dict[str, object] = {"status": status.value, "attempts": row.attempts + 1}
        if status is OutboxStatus.SENT:
            values["sent_at"] = now
        if error is not None:
            values["last_error"] = error[:2000]
        with session_scope(self.engine) as session:
            held = repository.finish(session, outbox_id=row.id, token=token, now=now, **values)
        if not held:
            report.lost_claims += 1
            logger.warning("outbox row %s was taken over by another relay", row.id)
            return
        setattr(report, status.value, getattr(report, status.value) + 1)

    def _defer(
        self, rows: list[OutboxMessage], token: str, report: RelayReport, *, error: str
    ) -> None:
        """The first row failed transiently: it and (for a connection error) the rest wait."""
        email = self.settings.email
        now = utcnow()
        batch = rows if error.startswith("connection:") else rows[:1]
        with session_scope(self.engine) as session:
            for row in batch:
                attempts = row.attempts + 1
                failed = attempts >= email.max_attempts
                status = OutboxStatus.FAILED if failed else OutboxStatus.RETRYING
                next_at = now + timedelta(seconds=retry_delay(email, attempts))
                held = repository.finish(
                    session, outbox_id=row.id, token=token, now=now, status=status.value,
                    attempts=attempts, last_error=error[:2000], next_attempt_at=next_at,
                )  # fmt: skip
                if held:
                    setattr(report, status.value, getattr(report, status.value) + 1)
        report.errors.append(error)

    def run_forever(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; SMTP outages are logged and retried on the next poll."""
        while not stop.is_set():
            try:
                report = self.run_once()
                if report.claimed:
                    logger.info("relay pass: %s", report)
            except RelayError as exc:
                logger.error("%s", exc.detail)
            stop.wait(self.settings.email.poll_interval_s)


def run_due(settings: Settings, engine: Engine) -> RelayReport:
    """One pass (the Dramatiq actor and ``voc outbox run --once``)."""
    return Relay(settings, engine).run_once()


def next_due_at(engine: Engine) -> datetime | None:
    """When the next queued or retrying row becomes due (None when nothing waits)."""
    from sqlalchemy import func, select

    with session_scope(engine) as session:
        return session.scalar(
            select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status.in_(repository.DUE_STATUSES)
            )
        )


def main() -> None:
    """``python -m loop_closure.relay``: one pass with the environment's settings (light start)."""
    from voc.config import get_settings
    from voc.db import make_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        report = Relay(settings, engine).run_once()
    except RelayError as exc:
        sys.stderr.write(exc.detail + "\n")
        raise SystemExit(1) from None
    finally:
        engine.dispose()
    sys.stdout.write(f"{report}\n")


if __name__ == "__main__":
    main()
