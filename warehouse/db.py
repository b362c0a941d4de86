"""Open the DuckDB warehouse (read-only for readers), applying the schema and views on write connections."""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import duckdb

from warehouse.readonly import SANDBOX_CONFIG

HERE = Path(__file__).parent
SCHEMA_SQL = (HERE / "schema.sql").read_text()
VIEWS_SQL = (HERE / "views.sql").read_text()
DEFAULT_DB = Path("data/warehouse.duckdb")
READ_WAIT = float(os.environ.get("COUNCILKPI_READ_WAIT") or 5.0)
"""seconds a reader waits, by default, while a writer holds the warehouse (the CLI's --lock-timeout sets it)"""


def set_read_wait(seconds: float) -> None:
    """How long read-only connections wait for a writer by default (the read commands' --lock-timeout)."""
    global READ_WAIT
    READ_WAIT = max(float(seconds), 0.0)


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
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    migrate_schema: bool = True,
    sandbox: bool | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; write connections create it and bring the schema up to date.

    Read-only connections are sandboxed unless ``sandbox=False``: DuckDB may not touch any file but the warehouse,
    load extensions or change settings (warehouse/readonly.py). Readers never need more; `export`, which has
    DuckDB write the files, opts out. DuckDB shares one database per file and process, so a sandboxed and an
    unrestricted connection to the same file cannot be open at once in one process (WarehouseError).

    DuckDB lets one process write at a time, and no other process read meanwhile. While another process holds
    the file, retry with backoff for up to ``lock_timeout`` seconds (``on_wait`` is told once, with a message),
    then raise WarehouseError. ``lock_timeout`` None: readers wait ``READ_WAIT`` seconds, writers not at all.
    """
    path = Path(path)
    if lock_timeout is None:
        lock_timeout = READ_WAIT if read_only else 0.0
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse here; run `councilkpi ingest` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    sandbox = read_only if sandbox is None else sandbox
    if sandbox and not read_only:
        raise ValueError("a sandboxed connection must be read-only")
    config = SANDBOX_CONFIG if sandbox else {}
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    delay, told = 0.05, False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            break
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise _explain(path, exc) from exc
            raise WarehouseError(
                f"{path}: this process already has the warehouse open with other settings (a writable "
                "connection, or a plain duckdb.connect() of the file); close that connection first"
            ) from exc
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
    if not read_only and migrate_schema:
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


MIN_HOLD = 1.0
"""seconds a write session keeps the warehouse open before it lets readers in (see WriteSession.release_soon)"""


class WriteSession:
    """The single writer of an ingest run, holding DuckDB's write lock only while it writes.

    A run takes the warehouse's run lock (``<db>.ingest.lock``, an flock held until ``close``) so that a second
    ingest waits for the first; the DuckDB connection itself is opened on first use (``con``) and closed by
    ``release`` whenever the run waits for extraction, so readers can get in between the writes.
    """

    def __init__(
        self, path: Path | str, *, lock_timeout: float = 0.0, on_wait: Callable[[str], None] | None = None
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self._con: duckdb.DuckDBPyConnection | None = None
        self._migrated = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run_lock: IO[str] | None = _take_run_lock(self.path, lock_timeout, on_wait)
        self._opened_at = 0.0
        self.opens = 0
        """how many times the write connection was opened (one per write burst)"""

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The write connection, opened (waiting for readers to let go) if it is not open."""
        if self._run_lock is None:
            raise WarehouseError(f"{self.path}: this write session has been closed")
        if self._con is None:
            self._con = connect(
                self.path,
                lock_timeout=max(self.lock_timeout, READ_WAIT),
                on_wait=self.on_wait,
                migrate_schema=not self._migrated,
            )
            self._migrated = True
            self._opened_at = time.monotonic()
            self.opens += 1
        return self._con

    def release_soon(self) -> float | None:
        """Release, unless the connection was opened less than MIN_HOLD seconds ago: then the seconds to wait.

        Closing checkpoints what was written; holding the connection a moment lets quick results share one
        open and close, while a reader still gets in within about a second.
        """
        if self._con is None:
            return None
        held = time.monotonic() - self._opened_at
        if held < MIN_HOLD:
            return MIN_HOLD - held
        self.release()
        return None

    def release(self) -> None:
        """Close the write connection (committed work is in the file) so that readers can open the warehouse."""
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def close(self) -> None:
        self.release()
        if self._run_lock is not None:
            self._run_lock.close()  # closing the file drops the flock
            self._run_lock = None

    def __enter__(self) -> WriteSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HeldConnection:
    """A connection the caller keeps open for the whole run, in WriteSession's shape (``release`` does nothing)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def release(self) -> None:
        pass

    def release_soon(self) -> float | None:
        return None


def _take_run_lock(path: Path, timeout: float, on_wait: Callable[[str], None] | None) -> IO[str]:
    fh = open(path.with_name(path.name + ".ingest.lock"), "a+", encoding="utf-8")  # noqa: SIM115 (held open)
    deadline = time.monotonic() + max(timeout, 0.0)
    delay, told = 0.05, False
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            fh.seek(0)
            pid = fh.read().strip()
            holder = f"process {pid}" if pid.isdigit() else "another process"
            if remaining <= 0:
                fh.close()
                waited = f" after waiting {timeout:g} s; try again later or raise --lock-timeout" if timeout else ""
                raise WarehouseError(
                    f"{path}: the warehouse is locked by {holder} (an ingest is running){waited}"
                ) from None
            if not told and on_wait is not None:
                on_wait(
                    f"{path}: the warehouse is locked by {holder} (an ingest is running); waiting up to {timeout:g} s"
                )
            told = True
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    return fh
