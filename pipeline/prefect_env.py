"""Prefect settings for offline runs, applied before Prefect is imported (the user's own settings win)."""

from __future__ import annotations

import os
from pathlib import Path

OFFLINE_DEFAULTS = {
    # the ephemeral server would otherwise try to send anonymous usage data and log an error offline
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_HOME": str(Path.home() / ".councilkpi" / "prefect"),
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_UI_ENABLED": "false",
}


def apply() -> None:
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # Prefect creates its home without parents; a missing parent makes its server fail to start
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


apply()
