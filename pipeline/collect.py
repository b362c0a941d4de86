"""Collect stage: expand paths and folders into SourceFiles, reading optional manifest.csv metadata."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from models.records import SourceFile

SUPPORTED = {".pdf", ".txt", ".md", ".markdown", ".html", ".htm", ".xhtml"}
MANIFEST = "manifest.csv"


class CollectError(Exception):
    """A path given to collect does not exist or a manifest is malformed."""


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """Rows of ``folder/manifest.csv`` (columns: file, title, paper_date, source_url, council) keyed by file name."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if rows and "file" not in rows[0]:
        raise CollectError(f"{path}: a manifest needs a 'file' column")
    return {row["file"]: row for row in rows}


def parse_paper_date(text: str) -> date:
    """YYYY-MM-DD, or YYYY-MM when only the month is known (the first of the month stands for it)."""
    text = text.strip()
    if len(text) == 7:
        text += "-01"
    return date.fromisoformat(text)


def _parse_date(text: str | None, where: str) -> date | None:
    if not text:
        return None
    try:
        return parse_paper_date(text)
    except ValueError as exc:
        raise CollectError(f"{where}: paper_date {text.strip()!r} is not YYYY-MM-DD or YYYY-MM") from exc


def _source_file(path: Path, meta: dict[str, str] | None, paper_date: date | None) -> SourceFile:
    meta = meta or {}
    return SourceFile(
        path=path,
        source=meta.get("source_url") or str(path),
        title=meta.get("title") or None,
        paper_date=paper_date or _parse_date(meta.get("paper_date"), str(path)),
        council=(meta.get("council") or "").strip() or None,
        paper_date_source="cli" if paper_date else None,
    )


def collect(paths: list[Path], paper_date: date | None = None) -> list[SourceFile]:
    """Every supported file under the given paths, in a stable order; ``paper_date`` (--paper-date, stored with
    paper_date_source 'cli') overrides metadata."""
    found: list[SourceFile] = []
    for given in paths:
        if not given.exists():
            raise CollectError(f"{given}: no such file or folder")
        if given.is_dir():
            manifests: dict[Path, dict[str, dict[str, str]]] = {}
            for path in sorted(p for p in given.rglob("*") if p.is_file()):
                if path.suffix.lower() not in SUPPORTED:
                    continue
                if path.parent not in manifests:
                    manifests[path.parent] = read_manifest(path.parent)
                found.append(_source_file(path, manifests[path.parent].get(path.name), paper_date))
        else:
            found.append(_source_file(given, read_manifest(given.parent).get(given.name), paper_date))
    return found
