"""Test hook for the crash tests: stop at a named point of a run when $COUNCILKPI_PAUSE_AT names it."""

from __future__ import annotations

import os
import time

# COUNCILKPI_PAUSE_AT=<point>[,<point>...]   points: after_paper (a paper committed), in_transaction (rows
# written, not yet committed). COUNCILKPI_PAUSE_FILE: a line "<point>" is appended there on each pause, so a
# test knows when to kill. COUNCILKPI_PAUSE_SECONDS: how long to stay (default 30).


def pause(point: str) -> None:
    wanted = os.environ.get("COUNCILKPI_PAUSE_AT")
    if not wanted or point not in wanted.split(","):
        return
    marker = os.environ.get("COUNCILKPI_PAUSE_FILE")
    if marker:
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write(point + "\n")
    time.sleep(float(os.environ.get("COUNCILKPI_PAUSE_SECONDS", "30")))
