"""`councilkpi review`: accept, reject or correct a figure; every decision is appended to `corrections`."""

from __future__ import annotations

import argparse
import calendar
from datetime import date
from pathlib import Path

from extractors.numbers import UNITS
from pipeline.output import UserError, add_db_argument, format_table

ROLES = ("actual", "target", "baseline", "change", "benchmark", "range_low", "range_high")


def parse_period(text: str) -> tuple[date, date]:
    """``YYYY-MM`` (a month), ``YYYY-MM-DD`` (a day) or ``START..END`` (two dates) as (start, end)."""
    text = text.strip()
    try:
        if ".." in text:
            start, end = (date.fromisoformat(part.strip()) for part in text.split("..", 1))
            return start, end
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date.fromisoformat(text)
        return day, day
    except ValueError as exc:
        raise UserError(f"period {text!r}: use YYYY-MM, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD") from exc


def parse_changes(text: str) -> dict[str, object]:
    """``value=97,period=2021-10,unit=percent,role=actual,kpi=ID`` as correction fields."""
    from models.taxonomy import load_taxonomy

    changes: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, raw = part.partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if not sep or not raw:
            raise UserError(f"--set: {part!r} is not FIELD=VALUE")
        if key == "value":
            try:
                changes["value"] = float(raw.rstrip("%").replace("£", ""))
            except ValueError as exc:
                raise UserError(f"--set: value {raw!r} is not a number (write 1234.5, no thousands commas)") from exc
        elif key == "period":
            changes["period_start"], changes["period_end"] = parse_period(raw)
        elif key in ("period_start", "period_end"):
            changes[key] = parse_period(raw)[0 if key == "period_start" else 1]
        elif key == "unit":
            if raw not in UNITS:
                raise UserError(f"--set: unit {raw!r} is not one of {', '.join(UNITS)}")
            changes["unit"] = raw
        elif key == "role":
            if raw not in ROLES:
                raise UserError(f"--set: role {raw!r} is not one of {', '.join(ROLES)}")
            changes["role"] = raw
        elif key == "kpi":
            if load_taxonomy().get(raw) is None:
                raise UserError(f"--set: {raw!r} is not a KPI id of models/kpi_taxonomy.toml")
            changes["kpi"] = raw
        else:
            raise UserError(f"--set: cannot set {key!r} (value, period, period_start, period_end, unit, role, kpi)")
    if not changes:
        raise UserError("--set needs at least one FIELD=VALUE")
    return changes


def print_history(corrections) -> None:
    if not corrections:
        print("no corrections yet")
        return
    headers = ["seq", "when (UTC)", "by", "action", "value", "unit", "period_start", "period_end", "role", "reason"]
    rows = [
        [
            c.seq,
            c.created_at.isoformat(" ", "seconds"),
            c.reviewer,
            c.action,
            c.value,
            c.unit,
            c.period_start,
            c.period_end,
            c.role,
            c.reason,
        ]
        for c in corrections
    ]
    print(format_table(headers, rows, 60))


def cmd_review(args: argparse.Namespace) -> int:
    from warehouse.corrections import CorrectionError, append, history, upgrade_if_needed
    from warehouse.db import connect
    from warehouse.trace import TraceError, resolve_id

    action = "accept" if args.accept else "reject" if args.reject else "set" if args.set else None
    changes = parse_changes(args.set) if args.set else None
    if action is not None:
        if not args.reason:
            raise UserError("--reason is required: say why (it is kept with the correction)")
        if not args.by:
            raise UserError("--by is required: who is making the correction")
    db = Path(args.db)
    if not db.exists():
        raise UserError(f"{db}: no warehouse here; run `councilkpi ingest` first")
    upgrade_if_needed(db)
    con = connect(db, read_only=action is None)
    try:
        oid = resolve_id(con, args.observation_id)
        if action is not None:
            correction = append(con, oid, action, args.reason, args.by, changes)
            print(f"recorded correction #{correction.seq} ({action}) of observation {oid}")
        print_history(history(con, oid))
    except (TraceError, CorrectionError) as exc:
        raise UserError(str(exc)) from exc
    finally:
        con.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="accept, reject or correct a figure (append-only log)",
        description="Record a reviewer's decision about one observation in the append-only `corrections` table "
        "(observations themselves are never changed). The latest correction of a figure wins in the view "
        "kpi_series_corrected: rejected figures are left out, corrected values replace extracted ones, accepted "
        "figures are flagged. Without --accept/--reject/--set, print the figure's corrections so far.",
        epilog="example: councilkpi review d8d4181 --set value=866,period=2021-10 --reason 'typo in paper, "
        "see table 2' --by 'A. Auditor'",
    )
    p.add_argument("observation_id", help="the observation id (a unique prefix will do)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--accept", action="store_true", help="the figure is right as it stands")
    group.add_argument("--reject", action="store_true", help="the figure is wrong or not a figure: leave it out")
    group.add_argument(
        "--set",
        metavar="FIELD=VALUE,...",
        help="correct fields: value=N, period=YYYY-MM|YYYY-MM-DD|START..END, unit=U, role=R, kpi=ID",
    )
    p.add_argument("--reason", help="why (required with an action)")
    p.add_argument("--by", help="who is reviewing (required with an action)")
    add_db_argument(p)
    p.set_defaults(func=cmd_review)
