"""``voc serve`` (the web app) and ``voc worker`` (a Dramatiq worker for background jobs)."""

from __future__ import annotations

import typer

from api.cli_common import configure_logging, migrated_engine, offline_env, settings
from loop_closure import jobs as loop_jobs
from voc.jobs.runners import DEFAULT_NAMESPACE
from voc.jobs.worker import run_worker

app = typer.Typer(help="Serve the app; run background workers.", no_args_is_help=True)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes"),
) -> None:
    """Serve the pages and the JSON API (docs at /docs)."""
    import uvicorn

    current = settings()
    migrated_engine(current)
    typer.echo(f"serving on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="warning")


@app.command("worker")
def worker(
    threads: int = typer.Option(2, "--threads", help="jobs run at once by this process"),
    namespace: str = typer.Option(DEFAULT_NAMESPACE, "--namespace", help="queue name/prefix"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Consume background jobs from the broker (VOC_JOBS__BROKER=redis or rabbitmq)."""
    offline_env()
    configure_logging(verbose)
    current = settings()
    if current.jobs.broker == "inprocess":
        raise typer.BadParameter("set VOC_JOBS__BROKER=redis (or rabbitmq) to run a worker")
    migrated_engine(current)
    run_worker(
        current, namespace=namespace, threads=threads, extra_actors=[loop_jobs.declare_actors]
    )


if __name__ == "__main__":
    app()
