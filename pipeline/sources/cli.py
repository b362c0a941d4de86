"""`councilkpi ingest --source NAME`: run configured sources once, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from pipeline.output import ProgressBar, UserError


def load(args: argparse.Namespace):
    """The configuration named by ``--config`` (a UserError if it is missing or wrong)."""
    from pipeline.sources.config import ConfigError, load_config

    try:
        return load_config(Path(args.config))
    except ConfigError as exc:
        raise UserError(str(exc)) from exc


def chosen_names(cfg, names: list[str]) -> list[str]:
    """Source names to run: ``all`` means every configured source; unknown names are a UserError."""
    from pipeline.sources.config import ConfigError

    if any(n.lower() == "all" for n in names) and not any(s.name.lower() == "all" for s in cfg.sources):
        names = []
    try:
        return [s.name for s in cfg.select(names)]
    except ConfigError as exc:
        raise UserError(str(exc)) from exc


def ingest_sources(args: argparse.Namespace) -> int:
    """Run the sources named by ``--source`` once, through the Prefect flow unless ``--no-prefect``."""
    from pipeline.commands.ingest import print_summary
    from warehouse.db import WriteSession, connect

    if args.paths or args.paper_date:
        raise UserError("--source collects from the configuration; give no PATHS or --paper-date with it")
    cfg = load(args)
    names = chosen_names(cfg, args.source)
    db = Path(args.db) if args.db else cfg.db
    progress = ProgressBar("collecting papers", 0, enabled=not args.quiet)
    try:
        if args.no_prefect:
            from pipeline.sources.collector import collect_sources

            session = WriteSession(db, lock_timeout=args.lock_timeout)
            try:
                summary = collect_sources(
                    session,
                    replace(cfg, db=db),
                    cfg.select(names),
                    retry_failed=args.retry_failed,
                    force=args.force,
                    command="cli:collect",
                    on_found=progress.found,
                    on_paper=progress.advance,
                    log=lambda m: print(m, file=sys.stderr) if not args.quiet else None,
                )
            finally:
                session.close()
        else:
            from pipeline import prefect_env
            from pipeline.sources.flow import collect_flow

            with prefect_env.quiet(args.quiet):
                summary = collect_flow(
                    str(cfg.path),
                    names,
                    db=str(db),
                    retry_failed=args.retry_failed,
                    force=args.force,
                    on_found=progress.found,
                    on_paper=progress.advance,
                )
    finally:
        progress.close()
    con = connect(db, read_only=True)
    try:
        print_summary(con, summary)
    finally:
        con.close()
    return 1 if summary.failed else 0
