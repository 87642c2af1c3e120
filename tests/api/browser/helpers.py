"""What every browser test shares: Chromium, a settings object, a live uvicorn, signing in."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr

from api.app import create_app
from voc.config import AuthSettings, Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def settings_for(data_dir: Path, secret: str = "browser-test-secret") -> Settings:
    """Test settings on a fresh SQLite file in ``data_dir``."""
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'voc.sqlite3'}",
        auth=AuthSettings(secret_key=SecretStr(secret)),
    )


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve the app with uvicorn on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), log_level="warning", ws="none", lifespan="on", access_log=False
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


def require_chromium() -> None:
    """Skip without Debian's chromium (fail under CI, where .ci/run installs it)."""
    if not CHROMIUM.exists():
        message = "chromium missing: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def fresh_folder(path: Path) -> Path:
    """An emptied screenshot folder, printed so that people find it."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    print(f"\nscreenshots: {path}")
    return path


def sign_in(page: Any, url: str, email: str, password: str, next_path: str) -> None:
    """Sign in through the login form and land on ``next_path``."""
    from playwright.sync_api import expect

    page.goto(f"{url}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}{next_path}")
