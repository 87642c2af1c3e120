"""The relay against a real SMTP server (aiosmtpd on loopback) and the real database.

Crash safety: relay processes are SIGKILLed after a claim, after the server accepted a message
and after the commit (``VOC_OUTBOX_STOP_AT`` stops them there); a last pass then finishes.
The suite kills a few times per step; ``bench/loop_crash.py`` kills 20 times per step.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from loop_closure import suppression as suppression_service
from loop_closure.models import EmailSuppression, OutboxMessage, SuppressionReason
from loop_closure.relay import Relay, RelayError
from tests.loop_closure.harness import (
    TEST_DOMAIN,
    SmtpServer,
    crash_run,
    outbox_rows,
    relay_settings,
    run_relay,
    seed,
    start_relay,
)

SUITE_KILLS_PER_STEP = 3


def _seed(engine: Engine, database_url: str, smtp: SmtpServer, n: int, **email: object) -> Relay:
    settings = relay_settings(database_url, smtp.port, **email)
    with Session(engine) as session:
        seed(session, settings, n=n)
        session.commit()
    return Relay(settings, engine, name="test-relay")


def test_the_relay_sends_every_due_email_once_and_marks_it(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    relay = _seed(relay_db, database_url, smtp, 12, batch_size=5)
    report = relay.run_once()
    assert (report.claimed, report.sent, report.failed) == (12, 12, 0)
    rows = outbox_rows(relay_db)
    assert {r.status for r in rows} == {"sent"}
    assert all(r.claimed_by is None and r.sent_at is not None and r.attempts == 1 for r in rows)
    assert smtp.handler.message_ids() == Counter({r.message_id: 1 for r in rows})
    assert {rcpt[0] for _, rcpt, _ in smtp.handler.received} == {r.to_address for r in rows}
    assert relay.run_once().claimed == 0  # nothing is due any more


def test_crash_at_every_step_loses_nothing_and_duplicates_only_accepted_unmarked_mail(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    settings = relay_settings(database_url, smtp.port, claim_lease_s=0.0, batch_size=3)
    report = crash_run(relay_db, settings, smtp, kills_per_step=SUITE_KILLS_PER_STEP,
                       n_messages=SUITE_KILLS_PER_STEP + 4)  # fmt: skip
    assert report.kills == dict.fromkeys(("claimed", "accepted", "committed"), SUITE_KILLS_PER_STEP)
    assert report.lost == 0
    assert report.sent_rows == report.rows
    assert report.duplicates_outside_accepted == 0
    assert report.duplicates <= report.kills["accepted"]
    assert report.duplicates >= 1  # the accepted-but-unmarked message really went out again


def test_two_relays_in_parallel_never_send_one_row_twice(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    settings = relay_settings(database_url, smtp.port, batch_size=7)
    with Session(relay_db) as session:
        seed(session, settings, n=120)
        session.commit()
    relays = [start_relay(settings) for _ in range(3)]
    for process in relays:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
    rows = outbox_rows(relay_db)
    received = smtp.handler.message_ids()
    assert {r.status for r in rows} == {"sent"}
    assert sorted(received) == sorted(r.message_id for r in rows)
    assert max(received.values()) == 1


def test_a_5xx_recipient_fails_and_is_suppressed_a_4xx_waits(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    smtp.handler.rcpt_reply = {f"c0@{TEST_DOMAIN}": "550 5.1.1 no such user",
                               f"c1@{TEST_DOMAIN}": "452 4.2.2 mailbox full"}  # fmt: skip
    relay = _seed(relay_db, database_url, smtp, 3, send_attempts=2)
    report = relay.run_once()
    assert (report.sent, report.failed, report.retrying) == (1, 1, 1)
    by_address = {r.to_address: r for r in outbox_rows(relay_db)}
    failed, waiting = by_address[f"c0@{TEST_DOMAIN}"], by_address[f"c1@{TEST_DOMAIN}"]
    assert failed.status == "failed"
    assert "550" in (failed.last_error or "")
    assert waiting.status == "retrying"
    assert waiting.attempts == 1
    assert "452" in (waiting.last_error or "")
    with Session(relay_db) as session:
        assert suppression_service.reason_of(session, address=f"C0@{TEST_DOMAIN}") == "bounce"
        assert suppression_service.reason_of(session, address=f"c1@{TEST_DOMAIN}") is None
    smtp.handler.rcpt_reply = {}
    assert relay.run_once().sent == 1  # due again at once (retry_base_s=0 in the test settings)


def test_a_suppressed_address_gets_nothing_even_when_already_queued(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    relay = _seed(relay_db, database_url, smtp, 2)
    with Session(relay_db) as session:
        suppression_service.suppress(
            session, address=f"C1@{TEST_DOMAIN.upper()}", reason=SuppressionReason.UNSUBSCRIBE,
            source="link",
        )  # fmt: skip
        session.commit()
    report = relay.run_once()
    assert (report.sent, report.suppressed) == (1, 1)
    assert [rcpt for _, rcpt, _ in smtp.handler.received] == [[f"c0@{TEST_DOMAIN}"]]


def test_smtp_down_is_a_clear_error_and_the_outbox_stays_consistent(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    port = smtp.port
    smtp.stop()
    relay = _seed(relay_db, database_url, smtp, 4, send_attempts=2, batch_size=10)
    with pytest.raises(RelayError, match=rf"127.0.0.1:{port} unreachable.*4 emails stay"):
        relay.run_once()
    rows = outbox_rows(relay_db)
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {("retrying", 1, None)}


def test_a_server_refusing_every_sender_stops_the_run_and_marks_nothing(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    smtp.handler.mail_reply = "550 5.7.1 relaying denied"
    relay = _seed(relay_db, database_url, smtp, 3)
    with pytest.raises(RelayError, match=r"refuses every message.*550 5\.7\.1"):
        relay.run_once()
    rows = outbox_rows(relay_db)
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {("queued", 0, None)}
    with Session(relay_db) as session:
        assert session.scalar(select(EmailSuppression.id)) is None  # nobody suppressed


def test_a_row_retried_too_often_is_failed(relay_db: Engine, database_url: str,
                                           smtp: SmtpServer) -> None:  # fmt: skip
    smtp.handler.data_reply = "451 4.3.0 try again later"
    relay = _seed(relay_db, database_url, smtp, 1, send_attempts=1, max_attempts=2)
    assert relay.run_once().retrying == 1
    assert relay.run_once().failed == 1
    row = outbox_rows(relay_db)[0]
    assert (row.status, row.attempts) == ("failed", 2)


def test_a_stale_claim_is_taken_over_but_a_fresh_one_is_not(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    relay = _seed(relay_db, database_url, smtp, 2, claim_lease_s=60.0)
    with Session(relay_db) as session:
        session.execute(
            update(OutboxMessage).values(claimed_by="dead", claimed_at=datetime.now(UTC))
        )
        first = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).first()
        session.execute(update(OutboxMessage).where(OutboxMessage.id == first)
                        .values(claimed_at=datetime.now(UTC) - timedelta(minutes=5)))  # fmt: skip
        session.commit()
    assert relay.run_once().sent == 1
    assert [r.status for r in outbox_rows(relay_db)] == ["sent", "queued"]


def test_voc_outbox_run_once_sends_and_exits_0(
    relay_db: Engine, database_url: str, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import app
    from voc.config import get_settings

    settings = relay_settings(database_url, smtp.port)
    with Session(relay_db) as session:
        seed(session, settings, n=2)
        session.commit()
    for key, value in {"VOC_DATABASE_URL": database_url, "VOC_EMAIL__SMTP_HOST": "127.0.0.1",
                       "VOC_EMAIL__SMTP_PORT": str(smtp.port),
                       "VOC_EMAIL__SENDER": "p@loop.test"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["outbox", "run", "--once"])
        assert result.exit_code == 0, result.output
        assert "sent 2" in result.output
        smtp.stop()
        # nothing due: exits 0 without touching SMTP
        assert CliRunner().invoke(app, ["outbox", "run", "--once"]).exit_code == 0
    finally:
        get_settings.cache_clear()


def test_the_relay_process_reports_smtp_down_in_one_line(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    settings = relay_settings(database_url, smtp.port, send_attempts=1)
    with Session(relay_db) as session:
        seed(session, settings, n=1)
        session.commit()
    smtp.stop()
    done = run_relay(settings)
    assert done.returncode == 1
    assert "unreachable" in done.stderr
    assert "Traceback" not in done.stderr


def test_smtp_errors_are_classified() -> None:
    from loop_closure.relay import PermanentFailure, ServerRefusal, TransientFailure, _classify

    assert isinstance(_classify(smtplib.SMTPDataError(554, b"spam")), PermanentFailure)
    assert isinstance(_classify(smtplib.SMTPDataError(451, b"later")), TransientFailure)
    assert isinstance(_classify(smtplib.SMTPSenderRefused(550, b"no", "a@b")), ServerRefusal)
    assert isinstance(_classify(smtplib.SMTPAuthenticationError(535, b"bad")), ServerRefusal)
    assert isinstance(_classify(ConnectionRefusedError()), TransientFailure)
    assert isinstance(_classify(smtplib.SMTPServerDisconnected()), TransientFailure)
