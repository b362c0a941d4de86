"""Content-addressed store of papers' original bytes, next to the warehouse file: store/<sha[:2]>/<sha>."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb

STORE_DIR = "store"
DB_PATH_SQL = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"


def store_root(db: Path | str) -> Path:
    """The store belonging to a warehouse file: ``<db file's directory>/store``."""
    return Path(db).resolve().parent / STORE_DIR


def db_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind a connection (None for an in-memory database)."""
    row = con.execute(DB_PATH_SQL).fetchone()
    return Path(row[0]) if row and row[0] else None


def path_for(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def put(root: Path, data: bytes, sha256: str | None = None) -> Path:
    """Store bytes under their sha256 (written to a temporary name, then renamed); a no-op if present."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    target = path_for(root, sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{sha256[:12]}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)  # originals are evidence: read-only
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def put_for_connection(con: duckdb.DuckDBPyConnection, data: bytes, sha256: str | None = None) -> Path | None:
    """Store a paper's bytes next to the connection's warehouse file (nothing for in-memory warehouses)."""
    db = db_path(con)
    if db is None:
        return None
    return put(store_root(db), data, sha256)


def locate(root: Path, sha256: str) -> Path | None:
    """The stored file for a paper id, or None when it is not in the store."""
    path = path_for(root, sha256)
    return path if path.is_file() else None


def original_file(root: Path, sha256: str, sources: Iterable[str] = ()) -> Path | None:
    """The paper's original bytes: the stored copy, else a local source path whose bytes still hash to the id."""
    stored = locate(root, sha256)
    if stored is not None:
        return stored
    for source in sources:
        path = Path(source)
        try:
            if path.is_file() and sha256_of_file(path) == sha256:
                return path
        except OSError:
            continue
    return None


def store_path(data_dir: Path | str, sha: str) -> Path:
    """Where the bytes with this sha256 live under a data directory (whether or not they are stored yet)."""
    return path_for(Path(data_dir) / STORE_DIR, sha)


def store_bytes(data_dir: Path | str, data: bytes) -> Path:
    """Keep ``data`` in the store under a data directory (atomic; nothing done if already present)."""
    return put(Path(data_dir) / STORE_DIR, data)


def verified_original(root: Path, sha256: str, sources: Iterable[str] = ()) -> tuple[Path | None, str | None]:
    """(a file whose sha256 is the paper id, or None; a warning when the stored copy fails that check).

    The stored copy first; if it is missing or its bytes changed, a local source that still hashes right.
    """
    stored = locate(root, sha256)
    warning = None
    if stored is not None:
        digest = sha256_of_file(stored)
        if digest == sha256:
            return stored, None
        warning = f"the stored original {stored} hashes to {digest}, not the paper id: it has changed since loading"
    for source in sources:
        path = Path(source)
        try:
            if path.is_file() and sha256_of_file(path) == sha256:
                return path, warning
        except OSError:
            continue
    return None, warning
