"""Keep users' SQL read-only: DuckDB settings that shut out files and extensions, and a statement allow-list."""

from __future__ import annotations

import duckdb

# DuckDB's own guard for connections that run users' SQL: no file, network or extension access beyond the
# warehouse itself (COPY ... TO, EXPORT DATABASE, INSTALL/LOAD, ATTACH, read_csv('/etc/passwd'), glob, ...), and
# no SET/PRAGMA can turn it back on.
SANDBOX_CONFIG = {"enable_external_access": False, "lock_configuration": True}

# Statement kinds (as DuckDB's parser sees them) a read-only query may run. DESCRIBE, SHOW, SUMMARIZE, PRAGMA
# table_info and the like parse as SELECT; CALL runs a table function (file access is still shut out).
ALLOWED = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.CALL})
_NAMES = {
    duckdb.StatementType.LOAD: "INSTALL/LOAD",
    duckdb.StatementType.EXPORT: "EXPORT DATABASE",
    duckdb.StatementType.VARIABLE_SET: "SET",
    duckdb.StatementType.COPY_DATABASE: "COPY FROM DATABASE",
}
ALLOWED_TEXT = "SELECT (also WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE), EXPLAIN and CALL"


class ReadOnlyError(duckdb.Error):
    """SQL that a read-only query may not run: a statement that writes, reads files, or changes settings.

    A duckdb.Error, as DuckDB's own read-only refusals are, so callers catching those keep working."""


def statement_name(kind: duckdb.StatementType) -> str:
    return _NAMES.get(kind, kind.name.replace("_", " "))


def check_read_only(sql: str) -> None:
    """Raise ReadOnlyError unless ``sql`` is exactly one statement of an allowed kind (parse errors: duckdb.Error)."""
    statements = duckdb.extract_statements(sql)
    if not statements:
        raise ReadOnlyError("no SQL statement given")
    for statement in statements:
        if statement.type not in ALLOWED:
            raise ReadOnlyError(
                f"read-only: {statement_name(statement.type)} statements are not allowed; only {ALLOWED_TEXT}"
            )
    if len(statements) > 1:
        raise ReadOnlyError(f"one SQL statement at a time ({len(statements)} given)")


def explain_error(exc: duckdb.Error) -> str:
    """A one-line message for a failed read-only query ("query failed: ..."); refusals say why."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, duckdb.PermissionException):
        return f"read-only: files, extensions and the network are shut out of queries ({first})"
    if "configuration has been locked" in first:
        return f"read-only: settings cannot be changed in a query ({first})"
    return f"query failed: {first}"
