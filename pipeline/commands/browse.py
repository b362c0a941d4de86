"""`councilkpi browse`: a local web app to look through KPIs, series and traces, and (if allowed) review figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.output import UserError, add_db_argument


def cmd_browse(args: argparse.Namespace) -> int:
    from pipeline.browse import serve

    db = Path(args.db)
    if not db.exists():
        raise UserError(f"{db}: no warehouse here; run `councilkpi ingest` first")
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: not a TCP port")
    mode = "reviews are recorded" if args.allow_review else "read-only"
    print(f"councilkpi browse: http://127.0.0.1:{args.port}/ ({db}, {mode}); stop with Ctrl-C", file=sys.stderr)
    try:
        serve(db, args.port, args.allow_review)
    except OSError as exc:
        raise UserError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from exc
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "browse",
        help="a local web app: KPIs by council, series charts, traces, review buttons, the review queue",
        description="Serve a small web app on 127.0.0.1 (only) for auditors and analysts: the KPIs of each "
        "council with counts; a KPI's series as a chart (after review); click a point for the figure's sentence "
        "with the value highlighted, the page image with its box, its provenance and corrections; and the review "
        "queue. Read-only unless started with --allow-review, which adds accept / reject / correct buttons that "
        "append to `corrections` (your name is asked once and kept in a cookie). Text from papers is escaped and "
        "the pages run no scripts.",
    )
    add_db_argument(p)
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: %(default)s)")
    p.add_argument("--allow-review", action="store_true", help="show review buttons and record decisions")
    p.set_defaults(func=cmd_browse)
