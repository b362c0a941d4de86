"""Open the DuckDB warehouse (read-only for readers), applying the schema and views on write connections."""

from __future__ import annotations

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


def connect(path: Path | str = DEFAULT_DB, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; write connections create it and bring the schema up to date."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse here; run `councilkpi ingest` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise _explain(path, exc) from exc
    if not read_only:
        migrate(con)
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if they are missing and (re)create the views."""
    con.execute(SCHEMA_SQL)
    con.execute(VIEWS_SQL)
