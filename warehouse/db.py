"""Open the DuckDB warehouse (read-only for readers), applying the schema and views on write connections."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
SCHEMA_SQL = (HERE / "schema.sql").read_text()
VIEWS_SQL = (HERE / "views.sql").read_text()
DEFAULT_DB = Path("data/warehouse.duckdb")


class WarehouseError(Exception):
    """A warehouse could not be opened: missing file, lock held by another process, or not a DuckDB file."""


def _explain(path: Path, exc: Exception) -> WarehouseError:
    text = str(exc)
    if "lock" in text.lower():
        return WarehouseError(f"{path}: the warehouse is locked by another process (an ingest is running?): {text}")
    return WarehouseError(f"{path}: cannot open the warehouse: {text}")


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def lock_holder(exc: Exception) -> str:
    """'PID 1234' from DuckDB's lock error, or 'another process'."""
    m = re.search(r"PID (\d+)", str(exc))
    return f"process {m.group(1)}" if m else "another process"


def connect(
    path: Path | str = DEFAULT_DB,
    *,
    read_only: bool = False,
    lock_timeout: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; write connections create it and bring the schema up to date.

    DuckDB lets one process write at a time. While another process holds the file, retry with backoff for up to
    ``lock_timeout`` seconds (``on_wait`` is told once, with a message), then raise WarehouseError.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse here; run `councilkpi ingest` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    delay, told = 0.05, False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            remaining = deadline - time.monotonic()
            if not _is_lock_error(exc) or remaining <= 0:
                if _is_lock_error(exc) and lock_timeout > 0:
                    raise WarehouseError(
                        f"{path}: the warehouse is still locked by {lock_holder(exc)} (an ingest is running?) "
                        f"after waiting {lock_timeout:g} s; try again later or raise --lock-timeout"
                    ) from exc
                raise _explain(path, exc) from exc
            if not told and on_wait is not None:
                on_wait(
                    f"{path}: the warehouse is locked by {lock_holder(exc)} (an ingest is running?); "
                    f"waiting up to {lock_timeout:g} s"
                )
            told = True
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 2.0)
    if not read_only:
        migrate(con)
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if they are missing and (re)create the views, then checkpoint.

    The checkpoint writes schema changes into the database file at once: DuckDB 1.5 cannot replay an
    ``ALTER TABLE ... ADD COLUMN`` from the write-ahead log (on a table with a ``DEFAULT current_timestamp``
    column), so a run killed before its first checkpoint would otherwise leave a warehouse that cannot be opened.
    """
    con.execute(SCHEMA_SQL)
    con.execute(VIEWS_SQL)
    con.execute("CHECKPOINT")
