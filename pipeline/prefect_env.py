"""Prefect settings for offline runs, applied before Prefect is imported (the user's own settings win)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OFFLINE_DEFAULTS = {
    # the ephemeral server would otherwise try to send anonymous usage data and log an error offline
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_HOME": str(Path.home() / ".councilkpi" / "prefect"),
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",  # a busy 2-CPU machine needs more than 90 s
    "PREFECT_UI_ENABLED": "false",
}


def apply() -> None:
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # Prefect creates its home without parents; a missing parent makes its server fail to start
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


apply()


@contextmanager
def prefect_api() -> Iterator[float | None]:
    """Run flows against ``PREFECT_API_URL`` when it is set; else start a temporary server and time its start-up.

    Yields the seconds the temporary server took to start (None when a configured server is used). Setting the
    temporary server's URL for the flow (instead of Prefect's implicit ephemeral mode) also lets Dask workers
    report their task runs to it rather than each starting a server of their own.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield None
        return
    from prefect.server.api.server import SubprocessASGIServer

    started = time.monotonic()
    server = SubprocessASGIServer()
    server.start()
    took = time.monotonic() - started
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield took
    finally:
        _stop(server)


def _stop(server) -> None:
    """Send the logs and events still queued for the temporary server, then stop it (now, not at exit).

    Stopping it first would leave Prefect's log and event workers retrying against a closed port at exit.
    """
    import logging

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=10)
        except Exception:  # noqa: BLE001 (best effort: the server is going anyway)
            pass
    server_logger = logging.getLogger("prefect")
    level = server_logger.level
    server_logger.setLevel(logging.WARNING)  # "Stopping temporary server" would be queued for the closed API
    try:
        server.stop()
    finally:
        server_logger.setLevel(level)


@contextmanager
def quiet(enabled: bool = True) -> Iterator[None]:
    """Only warnings and errors from Prefect's and Dask's loggers while in the block (``-q``)."""
    import logging

    if not enabled:
        yield
        return
    import prefect  # noqa: F401  (its logging set-up first, so the levels set here are not reset)

    loggers = [logging.getLogger(name) for name in ("prefect", "distributed")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
