"""Read-only Python API for analysts and notebooks: ``from warehouse import connect; connect().series(kpi)``."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse import db
from warehouse.catalog import load_catalog
from warehouse.readonly import check_read_only

# {figures} is kpi_series (after review, the default) or kpi_series_raw (as extracted): see _figures().
SERIES_SQL = """
SELECT * FROM {figures}
WHERE series = ? AND (? IS NULL OR role = ?) AND (? IS NULL OR unit = ?) AND (? IS NULL OR council = ?)
ORDER BY council NULLS LAST, unit, period_end NULLS LAST, period_start NULLS LAST, paper_date, page, observation_id
"""
SERIES_NAMES_SQL = "SELECT DISTINCT series FROM {figures} WHERE series IS NOT NULL"
LATEST_SQL = {
    False: "SELECT * FROM kpi_latest WHERE ? IS NULL OR council = ? ORDER BY council NULLS LAST, kpi, unit",
    True: "SELECT * FROM kpi_latest_raw WHERE ? IS NULL OR council = ? ORDER BY council NULLS LAST, kpi, unit",
}
COUNCILS_SQL = "SELECT DISTINCT council FROM kpi_series WHERE council IS NOT NULL ORDER BY council"
PAPERS_SQL = "SELECT * FROM paper_summary ORDER BY paper_date NULLS LAST, title, paper_id"
# One value per council, month, KPI and unit for the wide table: actual, dated figures; the latest paper wins.
WIDE_SQL = """
SELECT coalesce(council, '') AS council, date_trunc('month', period_end)::DATE AS month,
       kpi || '__' || unit AS column_name, value
FROM {figures}
WHERE kpi IS NOT NULL AND role = 'actual' AND period_end IS NOT NULL AND period_kind IS DISTINCT FROM 'paper_date'
  AND (? IS NULL OR council = ?)
QUALIFY row_number() OVER (
    PARTITION BY council, date_trunc('month', period_end), kpi, unit
    ORDER BY paper_date DESC NULLS LAST, period_end DESC, confidence DESC, observation_id
) = 1
"""
# Normalised labels of figures without a KPI, most frequent first: candidates for the taxonomy.
UNMATCHED_KEYS_SQL = """
SELECT label_key, unit, count(*) AS n_figures, count(DISTINCT paper_id) AS n_papers,
       count(DISTINCT council) AS n_councils, any_value(label ORDER BY confidence DESC) AS example_label
FROM kpi_series WHERE kpi IS NULL AND label_key IS NOT NULL
GROUP BY label_key, unit
ORDER BY n_papers DESC, n_figures DESC, label_key, unit
LIMIT ?
"""
KPI_COUNTS_SQL = """
SELECT kpi,
       count(*) AS n_figures,
       count(*) FILTER (WHERE role = 'actual') AS n_actuals,
       count(DISTINCT paper_id) AS n_papers,
       string_agg(DISTINCT unit, ', ' ORDER BY unit) AS units,
       min(period_start) AS first_period,
       max(period_end) AS last_period
FROM {figures} WHERE kpi IS NOT NULL GROUP BY kpi
"""
UNMATCHED_SQL = "SELECT count(*) FROM {figures} WHERE kpi IS NULL"
COLUMNS_SQL = """
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'main' ORDER BY table_name, ordinal_position
"""
RELATIONS_SQL = """
SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END
FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name
"""


def _figures(sql: str, raw: bool) -> str:
    """``sql`` reading the figures after review (kpi_series) or, with ``raw``, as extracted (kpi_series_raw)."""
    return sql.replace("{figures}", "kpi_series_raw" if raw else "kpi_series")


class UnknownKpiError(ValueError):
    """A KPI or series name that the taxonomy and the warehouse do not know."""


def default_path() -> Path:
    """``$COUNCILKPI_DB`` or data/warehouse.duckdb (relative to the working directory)."""
    return Path(os.environ.get("COUNCILKPI_DB") or db.DEFAULT_DB)


class Warehouse:
    """Read-only access to a councilkpi warehouse, returning pandas DataFrames.

    Each call opens its own short read-only connection and closes it, so an open notebook never blocks an
    ingest. An ingest holds the warehouse only while it writes a batch; a call made meanwhile waits up to
    ``wait`` seconds (default ``warehouse.db.READ_WAIT``, 5) and then raises ``WarehouseError`` saying the
    warehouse is locked.
    """

    def __init__(self, path: Path | str | None = None, *, wait: float | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.wait = wait
        self.closed = False
        if self.path.exists():  # a warehouse made by an older version gets its current views (if not locked)
            from warehouse.corrections import upgrade_if_needed

            try:
                upgrade_if_needed(self.path)
            except db.WarehouseError:
                pass
        with self._connection():  # fail now, with a clear message, if the file is missing or locked
            pass

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r}{', closed' if self.closed else ''})"

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Mark the warehouse closed; later calls raise. (No connection is held between calls.)"""
        self.closed = True

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.closed:
            raise db.WarehouseError(f"{self.path}: this Warehouse has been closed")
        # sandboxed: no files, extensions or settings (warehouse/readonly.py)
        con = db.connect(self.path, read_only=True, lock_timeout=self.wait, sandbox=True)
        try:
            yield con
        finally:
            con.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run one SQL statement (read-only) with optional ``?`` parameters; the result as a DataFrame.

        Only queries run: a statement that writes, reads other files or changes settings raises
        warehouse.readonly.ReadOnlyError.
        """
        check_read_only(sql)
        with self._connection() as con:
            return con.execute(sql, params or []).df()

    def series(
        self,
        kpi: str,
        *,
        role: str | None = None,
        unit: str | None = None,
        council: str | None = None,
        raw: bool = False,
    ) -> pd.DataFrame:
        """Every figure of a KPI (taxonomy id, or a label_key) with its source, by council and unit, oldest
        period first. A series is one council's: compare ``council`` before plotting several together.

        Corrections apply: rejected figures are left out and corrected values shown (``extracted_value``,
        ``review_status``, ... say what review did); ``raw=True`` gives the figures as extracted.
        ``role`` ('actual', 'target', ...), ``unit`` ('count', 'percent', ...) and ``council`` narrow it down.
        An unknown name raises UnknownKpiError suggesting close matches; a known KPI without figures gives no rows.
        """
        with self._connection() as con:
            frame = con.execute(_figures(SERIES_SQL, raw), [kpi, role, role, unit, unit, council, council]).df()
            if frame.empty and kpi not in _taxonomy_ids():
                names = [r[0] for r in con.execute(_figures(SERIES_NAMES_SQL, raw)).fetchall()]
                raise UnknownKpiError(_unknown_message(kpi, names))
        return frame

    def latest(self, council: str | None = None, *, raw: bool = False) -> pd.DataFrame:
        """The latest actual value of each council's KPIs (per unit) with its source (``kpi_latest``; raw:
        ``kpi_latest_raw``)."""
        return self.query(LATEST_SQL[raw], [council, council])

    def councils(self) -> list[str]:
        """The councils that have figures."""
        return self.query(COUNCILS_SQL).council.tolist()

    def papers(self) -> pd.DataFrame:
        """Every paper with its status and figure counts (the ``paper_summary`` view)."""
        return self.query(PAPERS_SQL)

    def wide(self, council: str | None = None, *, raw: bool = False) -> pd.DataFrame:
        """KPIs as columns (``<kpi>__<unit>``) by council and month: the actual value from the latest paper; for
        spreadsheets. ``council`` = '' for papers whose council is unknown.

        After review (rejected figures left out, corrections applied); ``raw=True``: as extracted.
        """
        long = self.query(_figures(WIDE_SQL, raw), [council, council])
        if long.empty:
            return pd.DataFrame(
                {"council": pd.Series([], dtype="object"), "month": pd.Series([], dtype="datetime64[s]")}
            )
        wide = long.pivot(index=["council", "month"], columns="column_name", values="value")
        wide = wide.reindex(sorted(wide.columns), axis=1).sort_index().reset_index()
        wide.columns.name = None
        return wide

    def unmatched_labels(self, limit: int = 20) -> pd.DataFrame:
        """The most frequent label_keys of figures without a KPI: what to add to models/kpi_taxonomy.toml next."""
        return self.query(UNMATCHED_KEYS_SQL, [limit])

    def kpis(self, *, raw: bool = False) -> pd.DataFrame:
        """The KPI taxonomy with how many figures, actuals and papers each KPI has (after review unless raw)."""
        from models.taxonomy import load_taxonomy

        counts = self.query(_figures(KPI_COUNTS_SQL, raw)).set_index("kpi")
        taxonomy = load_taxonomy()
        rows = [
            {"kpi": k.id, "label": k.label, "service": k.service, "code": k.code, "polarity": k.polarity}
            for k in taxonomy.kpis
        ]
        known = {k.id for k in taxonomy.kpis}
        rows += [{"kpi": kpi, "label": "(not in the current taxonomy)"} for kpi in counts.index if kpi not in known]
        frame = pd.DataFrame(rows).join(counts, on="kpi")
        for col in ("n_figures", "n_actuals", "n_papers"):
            frame[col] = frame[col].fillna(0).astype("int64")
        return frame

    def unmatched_count(self, *, raw: bool = False) -> int:
        """Figures whose sentence named no known KPI (kept with their label)."""
        with self._connection() as con:
            return int(con.execute(_figures(UNMATCHED_SQL, raw)).fetchone()[0])

    def schema(self) -> pd.DataFrame:
        """Every table and view with its columns, SQL types (from the database) and meanings (the catalog)."""
        with self._connection() as con:
            return schema_frame(con)


def schema_frame(con: duckdb.DuckDBPyConnection | None) -> pd.DataFrame:
    """relation, kind, column, type, meaning for the catalog, checked against the database when given.

    Columns found in the database but not in the catalog have meaning '(undocumented)'; tables and views the
    catalog does not know are listed at the end.
    """
    types: dict[str, dict[str, str]] = {}
    kinds: dict[str, str] = {}
    if con is not None:
        for table, kind in con.execute(RELATIONS_SQL).fetchall():
            kinds[table] = kind
        for table, column, dtype in con.execute(COLUMNS_SQL).fetchall():
            types.setdefault(table, {})[column] = dtype
    rows = []
    for rel in load_catalog():
        actual = types.get(rel.name, {})
        for column, meaning in rel.columns.items():
            rows.append((rel.name, rel.kind, column, actual.get(column), meaning))
        for column, dtype in actual.items():
            if column not in rel.columns:
                rows.append((rel.name, rel.kind, column, dtype, "(undocumented)"))
    documented = {r.name for r in load_catalog()}
    for table, cols in types.items():
        if table not in documented:
            rows += [(table, kinds.get(table, "table"), c, t, "(undocumented)") for c, t in cols.items()]
    return pd.DataFrame(rows, columns=["relation", "kind", "column", "type", "meaning"])


def _taxonomy_ids() -> set[str]:
    from models.taxonomy import load_taxonomy

    return {k.id for k in load_taxonomy().kpis}


def _unknown_message(name: str, series_names: list[str]) -> str:
    candidates = sorted(_taxonomy_ids() | set(series_names))
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=5, cutoff=0.5)
    close += [c for c in lowered if name.lower() in c and c not in close][: 5 - len(close)]
    hint = f"; did you mean: {', '.join(lowered[c] for c in close)}?" if close else ""
    return f"unknown KPI {name!r}{hint} (`councilkpi kpis` lists them)"


def connect(path: Path | str | None = None, *, wait: float | None = None) -> Warehouse:
    """Open the warehouse read-only for analysis (default: ``$COUNCILKPI_DB`` or data/warehouse.duckdb).

    ``wait``: seconds each call waits while an ingest is writing (default 5, or ``$COUNCILKPI_READ_WAIT``).
    """
    return Warehouse(path, wait=wait)
