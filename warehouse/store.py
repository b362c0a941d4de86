"""Content-addressed store of original paper bytes: ``<data dir>/store/<sha[:2]>/<sha>``."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def store_path(data_dir: Path | str, sha: str) -> Path:
    """Where the bytes with this sha256 live (whether or not they are stored yet)."""
    return Path(data_dir) / "store" / sha[:2] / sha


def store_bytes(data_dir: Path | str, data: bytes) -> Path:
    """Keep ``data`` in the store (atomic write via temp file + rename; nothing done if already present)."""
    sha = hashlib.sha256(data).hexdigest()
    path = store_path(data_dir, sha)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{sha[:8]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
