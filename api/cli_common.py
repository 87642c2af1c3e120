"""Helpers every CLI command shares: settings, the schema, and one-line errors."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from voc.config import Settings, get_settings
from voc.db import ensure_schema, get_engine
from voc.errors import VocError


class ThemeLevel(StrEnum):
    """Which level of the theme hierarchy a command lists or reports on."""

    THEME = "theme"
    PARENT = "parent"


P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def offline_env() -> None:
    """Models load from installed packages only; never from a hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def settings() -> Settings:
    """The process settings (environment and .env)."""
    return get_settings()


def migrated_engine(current: Settings | None = None) -> Engine:
    """The configured database, with its schema brought to head."""
    current = current or get_settings()
    engine = get_engine(current.database_url)
    ensure_schema(engine)
    return engine


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn domain, database and file errors into one line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except VocError as exc:
            raise fail(exc.detail) from None
        except SQLAlchemyError as exc:
            first = str(exc.orig if hasattr(exc, "orig") and exc.orig else exc).splitlines()[0]
            raise fail(f"database error: {first}") from None
        except OSError as exc:
            raise fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing half-written was committed", 130) from None

    return wrapper


@contextmanager
def field_flags(**flags: str) -> Iterator[None]:
    """Say a domain error's field as the command's flag: ``compare: ...`` -> ``--compare: ...``.

    Domain errors name fields (the API shows them as they are); the CLI user typed flags.
    """
    try:
        yield
    except VocError as exc:
        field, sep, rest = exc.detail.partition(": ")
        if sep and field in flags:
            raise type(exc)(f"{flags[field]}: {rest}") from None
        raise


def configure_logging(verbose: bool) -> None:
    """Quiet by default; -v shows INFO logs."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
