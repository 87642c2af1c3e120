"""Rich progress bars for long CLI steps (library code only receives a callback)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from api.cli_common import err_console


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """Yield a factory: (step, total) -> advance(n); bars go to stderr."""
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as progress:

        def factory(step: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(step, total=total)

            def advance(n: int) -> None:
                progress.advance(task, n)

            return advance

        yield factory
