"""Helpers for the auditor-tool tests: private copies of the demo warehouse (with its store) to change."""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse.store import store_root


def copy_warehouse(db: Path, dest: Path) -> Path:
    """Copy a warehouse file and its store of originals into ``dest``; returns the new warehouse path."""
    dest.mkdir(parents=True, exist_ok=True)
    new = dest / db.name
    shutil.copy2(db, new)
    shutil.copytree(store_root(db), store_root(new))
    return new


def add_text_paper(db: Path, folder: Path, name: str, text: str, paper_date: str, council: str) -> None:
    """Ingest one more text paper (with a manifest giving its date and council) into a copied warehouse."""
    from pipeline.collect import collect
    from pipeline.stages import ingest
    from warehouse.db import connect

    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    (folder / "manifest.csv").write_text(
        f"file,title,paper_date,source_url,council\n{name},{name},{paper_date},,{council}\n", encoding="utf-8"
    )
    con = connect(db)
    try:
        ingest(con, collect([folder / name]), command="test")
    finally:
        con.close()


def figure_865(con) -> str:
    """The id of the '865 children looked after' figure of the 002 sample."""
    rows = con.execute(
        "SELECT id FROM observations WHERE value = 865 AND unit = 'count' AND value_text = '865'"
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]
