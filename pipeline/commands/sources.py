"""`councilkpi sources`: the latest collection status of every configured source (table source_runs)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.output import format_table
from pipeline.sources.config import DEFAULT_CONFIG

HEADERS = [
    "source",
    "type",
    "last run (UTC)",
    "status",
    "meetings",
    "cancelled",
    "listed",
    "new",
    "unchanged",
    "failed",
    "restricted",
    "warnings",
]


def _rows(cfg, latest: dict[str, tuple]) -> list[dict]:
    rows = []
    for source in cfg.sources:
        row = latest.get(source.name.lower())
        entry = {"source": source.name, "type": source.type, "council": source.council_name}
        if row is None:
            entry |= {"status": "never run", "warnings": []}
        else:
            (_, started, finished, status, meetings, cancelled, listed, new, unchanged, failed, restricted, links) = (
                row[:12]
            )
            entry |= {
                "run_id": row[14],
                "started_at": started.isoformat(sep=" ", timespec="seconds"),
                "finished_at": finished.isoformat(sep=" ", timespec="seconds") if finished else None,
                "status": status,
                "meetings_seen": meetings,
                "meetings_cancelled": cancelled,
                "documents_listed": listed,
                "n_new": new,
                "n_unchanged": unchanged,
                "n_failed": failed,
                "skipped_restricted": restricted,
                "skipped_links": links,
                "warnings": (row[13] or "").splitlines(),
            }
        rows.append(entry)
    return rows


def cmd_sources(args: argparse.Namespace) -> int:
    from pipeline.sources.cli import load
    from pipeline.sources.status import latest
    from warehouse.db import connect

    cfg = load(args)
    db = Path(args.db) if args.db else cfg.db
    if db.exists():
        con = connect(db, read_only=True)
        try:
            rows = _rows(cfg, latest(con))
        finally:
            con.close()
    else:
        rows = _rows(cfg, {})
    if args.format == "json":
        for entry in rows:
            print(json.dumps(entry))
    else:
        table = [
            [
                e["source"],
                e["type"],
                (e.get("started_at") or "")[:16],
                e["status"],
                e.get("meetings_seen"),
                e.get("meetings_cancelled"),
                e.get("documents_listed"),
                e.get("n_new"),
                e.get("n_unchanged"),
                e.get("n_failed"),
                e.get("skipped_restricted"),
                len(e["warnings"]) if "run_id" in e else None,
            ]
            for e in rows
        ]
        print(format_table(HEADERS, table, 40))
        warned = [e for e in rows if e["warnings"]]
        if warned:
            print("\nWarnings of the latest runs:")
            for e in warned:
                print("\n".join(f"  {e['source']}: {w}" for w in e["warnings"]))
        if not cfg.sources:
            print(f"\n(no sources configured in {cfg.path})")
    return 0 if all(e["status"] in ("ok",) for e in rows) else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sources",
        help="latest collection status of every configured source",
        description="For every source in the configuration, its latest collection run (table source_runs): when, "
        "status (ok | failures | warning | unavailable | never run), meetings in the window and cancelled, documents "
        "listed, papers new / unchanged / failed, restricted documents skipped, and the warnings. Exit code 1 if "
        "any source's status is not ok.",
    )
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="sources configuration (default: %(default)s)")
    p.add_argument("--db", help="warehouse file (default: [collect] db of the configuration)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: table)")
    p.set_defaults(func=cmd_sources)
