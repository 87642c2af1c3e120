"""``voc outbox run [--once]``: the relay that sends the close-the-loop emails."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from api.cli_common import console, migrated_engine, one_line_errors, settings
from loop_closure.relay import Relay

app = typer.Typer(help="The email outbox and its relay.", no_args_is_help=True)


@app.command("run")
@one_line_errors
def run(
    once: bool = typer.Option(False, "--once", help="Send what is due now, then exit."),
) -> None:
    """Send due emails over SMTP (VOC_EMAIL__SMTP_*); without --once, poll until stopped."""
    current = settings()
    relay = Relay(current, migrated_engine(current))
    if once:
        report = relay.run_once()
        console.print(
            f"claimed {report.claimed}, sent {report.sent}, retrying {report.retrying}, "
            f"failed {report.failed}, suppressed {report.suppressed}",
            highlight=False,
        )
        return
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    console.print(f"relay {relay.name} polling every {current.email.poll_interval_s:g} s")
    relay.run_forever(stop)
