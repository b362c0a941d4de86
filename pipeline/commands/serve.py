"""`councilkpi serve`: register the scheduled `collect` deployment with a Prefect server and run it."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from pipeline.sources.config import DEFAULT_CONFIG


def next_runs(cron: str, timezone: str, n: int = 3, now: datetime | None = None) -> list[datetime]:
    """The next ``n`` times the cron expression fires, in its time zone."""
    from zoneinfo import ZoneInfo

    from cronsim import CronSim

    zone = ZoneInfo(timezone)
    start = (now or datetime.now(zone)).astimezone(zone).replace(second=0, microsecond=0)
    runs = CronSim(cron, start)
    return [next(runs) for _ in range(n)]


def describe(cfg, names: list[str], name: str, now: datetime | None = None) -> list[str]:
    """What `serve` registers: the deployment, its cron schedule with the next runs, the sources and warehouse."""
    chosen = cfg.select(names)
    runs = ", ".join(t.strftime("%Y-%m-%d %H:%M %Z") for t in next_runs(cfg.schedule, cfg.timezone, now=now))
    lines = [
        f"deployment  collect/{name} (Prefect flow `collect`)",
        f"schedule    cron {cfg.schedule!r} ({cfg.timezone}); next runs: {runs}",
        f"config      {Path(cfg.path).resolve()}",
        f"warehouse   {cfg.db}",
        f"sources     {len(chosen)}{'' if names else ' (all configured)'}:",
    ]
    lines += [f"  - {s.name} ({s.type}: {s.url or s.path})" for s in chosen]
    return lines


def cmd_serve(args: argparse.Namespace) -> int:
    from pipeline.sources.cli import chosen_names, load

    cfg = load(args)
    names = chosen_names(cfg, args.source) if args.source else []
    from pipeline.sources.flow import build_deployment

    deployment = build_deployment(cfg, names, args.name)
    if args.dry_run:
        print("Dry run: nothing registered. `councilkpi serve` would register and serve:")
        print("\n".join(describe(cfg, names, args.name)))
        if not os.environ.get("PREFECT_API_URL"):
            print("note: PREFECT_API_URL is not set; the schedule would live only as long as the serve process")
        return 0
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "councilkpi serve: PREFECT_API_URL is not set, so the schedule lives only as long as this process "
            "(start a server with `prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api)",
            file=sys.stderr,
        )
    print(
        f"Serving deployment collect/{args.name}: cron {cfg.schedule!r} ({cfg.timezone}), "
        f"sources: {', '.join(names) or 'all'}. Stop with Ctrl-C.",
        file=sys.stderr,
    )
    from prefect import serve

    serve(deployment)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="collect from the configured sources on the configured cron schedule (Prefect deployment)",
        description="Register the Prefect deployment `collect/<name>` with the cron schedule of [collect] schedule "
        "in the configuration and serve it: every scheduled run collects the sources into the warehouse. Needs a "
        "Prefect server (`prefect server start`, then export PREFECT_API_URL=http://127.0.0.1:4200/api).",
    )
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="sources configuration (default: %(default)s)")
    p.add_argument(
        "--source", action="append", default=[], metavar="NAME", help="only this source (repeatable; default: all)"
    )
    p.add_argument("--name", default="councilkpi-collect", help="deployment name (default: %(default)s)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be registered (deployment, schedule and next runs, sources) and exit",
    )
    p.set_defaults(func=cmd_serve)
