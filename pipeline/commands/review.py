"""`councilkpi review`: accept, reject or correct a figure; every decision is appended to `corrections`."""

from __future__ import annotations

import argparse
import calendar
import csv
import sys
from datetime import date
from pathlib import Path

from extractors.roles import ROLES
from models.taxonomy import UNITS
from pipeline.output import UserError, add_db_argument, format_table


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
    headers = ["seq", "when (UTC)", "by", "action", "value", "unit", "period_start", "period_end", "role", "kpi"]
    headers += ["changed", "reason"]
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
            c.kpi,
            c.changed,
            c.reason,
        ]
        for c in corrections
    ]
    print(format_table(headers, rows, 60))


QUEUE_COLUMNS = [
    "observation_id",
    "kpi",
    "value",
    "unit",
    "role",
    "period_start",
    "period_end",
    "confidence",
    "reasons",
    "paper_title",
    "page",
    "sentence",
]
DECISION_COLUMNS = ["action", "set", "reason"]
"""Left empty in `--queue --format csv` for a reviewer to fill in and load with `--from-csv`."""


def cmd_queue(args: argparse.Namespace, con) -> int:
    from pipeline.output import write_rows
    from warehouse.review_queue import review_queue

    items = review_queue(con, kpi=args.kpi, limit=args.limit, min_confidence=args.min_confidence, jump=args.jump)
    if args.format == "table":
        headers = ["observation_id", "kpi", "value", "unit", "period", "confidence", "why"]
        rows = [
            [
                i.observation_id,
                i.kpi,
                i.value,
                i.unit,
                f"{i.period_start} .. {i.period_end}",
                i.confidence,
                "; ".join(i.reasons),
            ]
            for i in items
        ]
        print(format_table(headers, rows, 90))
        print(f"\n{len(items)} figure(s) to review", file=sys.stderr)
        return 0
    headers = QUEUE_COLUMNS + DECISION_COLUMNS
    rows = [
        [getattr(i, c) if c != "reasons" else "; ".join(i.reasons) for c in QUEUE_COLUMNS] + ["", "", ""] for i in items
    ]
    write_rows(headers, rows, args.format)
    return 0


def read_decisions(con, path: Path, default_reason: str | None, default_by: str | None) -> tuple[list, int]:
    """Every decision of a CSV file, checked; raises UserError listing each bad line (nothing is written).

    Columns: observation_id and action (accept | reject | set) are required; set (FIELD=VALUE,... as for
    --set), reason and reviewer are optional (--reason and --by fill them in). Rows with no action are skipped.
    """
    from warehouse.corrections import ACTIONS, Decision
    from warehouse.trace import TraceError, resolve_id

    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            columns = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path}: cannot read the CSV file: {exc}") from exc
    missing = [c for c in ("observation_id", "action") if c not in columns]
    if missing:
        raise UserError(f"{path}: no {' or '.join(missing)} column (columns: {', '.join(columns) or 'none'})")
    decisions, errors, skipped = [], [], 0
    for line, row in enumerate(rows, 2):
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        get = cells.get
        action = (get("action") or "").lower()
        if not action:
            skipped += 1
            continue
        problems = []
        oid = None
        try:
            oid = resolve_id(con, get("observation_id") or "")
        except TraceError as exc:
            problems.append(str(exc))
        if action not in ACTIONS:
            problems.append(f"action {action!r} is not one of {', '.join(ACTIONS)}")
        changes = None
        if action == "set":
            try:
                changes = parse_changes(get("set") or "")
            except UserError as exc:
                problems.append(str(exc).replace("--set", "set"))
        elif get("set"):
            problems.append(f"{action} takes no set column")
        reason = get("reason") or default_reason
        reviewer = get("reviewer") or default_by
        if not reason:
            problems.append("no reason (fill in the reason column or give --reason)")
        if not reviewer:
            problems.append("no reviewer (a reviewer column or --by)")
        if problems:
            errors += [f"line {line}: {p}" for p in problems]
        else:
            decisions.append(Decision(oid, action, reason, reviewer, changes))
    if errors:
        shown = "\n  ".join(errors[:50]) + (f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else "")
        raise UserError(f"{path}: {len(errors)} problem(s), nothing recorded:\n  {shown}")
    return decisions, skipped


def cmd_from_csv(args: argparse.Namespace, con) -> int:
    from warehouse.corrections import CorrectionError, append_many

    decisions, skipped = read_decisions(con, Path(args.from_csv), args.reason, args.by)
    if not decisions:
        raise UserError(f"{args.from_csv}: no decisions (fill in the action column)")
    try:
        written = append_many(con, decisions)
    except CorrectionError as exc:
        raise UserError(f"{args.from_csv}: {exc}; nothing recorded") from exc
    counts = {a: sum(1 for c in written if c.action == a) for a in ("accept", "reject", "set")}
    print(
        f"recorded {len(written)} correction(s) (#{written[0].seq}-#{written[-1].seq}): "
        + ", ".join(f"{n} {a}" for a, n in counts.items() if n)
        + (f"; {skipped} row(s) without an action skipped" if skipped else "")
    )
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from warehouse.corrections import CorrectionError, append, history, upgrade_if_needed
    from warehouse.db import connect
    from warehouse.trace import TraceError, resolve_id

    action = "accept" if args.accept else "reject" if args.reject else "set" if args.set else None
    modes = [m for m, on in (("--queue", args.queue), ("--from-csv", args.from_csv)) if on]
    if len(modes) > 1 or (modes and (action or args.observation_id)):
        raise UserError("--queue, --from-csv and reviewing one OBSERVATION_ID are separate uses: give one")
    if not modes and not args.observation_id:
        raise UserError("give an OBSERVATION_ID, --queue or --from-csv FILE")
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
    con = connect(db, read_only=action is None and not args.from_csv)
    try:
        if args.queue:
            return cmd_queue(args, con)
        if args.from_csv:
            return cmd_from_csv(args, con)
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
        help="accept, reject or correct figures (append-only log); the review queue; decisions from a CSV",
        description="Record a reviewer's decision about one observation in the append-only `corrections` table "
        "(observations themselves are never changed). The latest correction of a figure wins everywhere: "
        "kpi_series, kpi_latest, kpi_wide, `series`, `export`, the Python API and the report leave rejected figures "
        "out and show corrected values (--raw there shows the figures as extracted). Without "
        "--accept/--reject/--set, print the figure's corrections so far. --queue lists the unreviewed KPI figures "
        "that need a person (low confidence, dated by a fallback, in a conflict between papers, or in a jump of "
        "the series); --from-csv records many decisions at once, all or none.",
        epilog="examples: councilkpi review d8d4181 --set value=866,period=2021-10 --reason 'typo in paper, "
        "see table 2' --by 'A. Auditor'  |  councilkpi review --queue --format csv > todo.csv (fill in action, set, "
        "reason) then councilkpi review --from-csv todo.csv --by 'A. Auditor'",
    )
    p.add_argument("observation_id", nargs="?", help="the observation id (a unique prefix will do)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--accept", action="store_true", help="the figure is right as it stands")
    group.add_argument("--reject", action="store_true", help="the figure is wrong or not a figure: leave it out")
    group.add_argument(
        "--set",
        metavar="FIELD=VALUE,...",
        help="correct fields: value=N, period=YYYY-MM|YYYY-MM-DD|START..END, unit=U, role=R, kpi=ID "
        "(kpi= moves the figure to that KPI's series)",
    )
    p.add_argument("--reason", help="why (required with an action; the default reason for --from-csv rows)")
    p.add_argument("--by", help="who is reviewing (required with an action; the default for --from-csv rows)")
    p.add_argument("--queue", action="store_true", help="list the figures that need review")
    p.add_argument("--kpi", help="--queue: only this KPI")
    p.add_argument("--limit", type=int, help="--queue: at most this many figures")
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.6,
        help="--queue: figures below this confidence need review (default: %(default)s)",
    )
    p.add_argument(
        "--jump",
        type=float,
        default=0.5,
        help="--queue: a change between neighbouring actual figures larger than this share of the earlier "
        "value (0.5 = 50%%) queues both (default: %(default)s)",
    )
    p.add_argument(
        "--format", choices=["table", "csv", "json"], default="table", help="--queue output (default: %(default)s)"
    )
    p.add_argument(
        "--from-csv",
        metavar="FILE",
        help="record the decisions of a CSV file (columns observation_id, action, and optionally set, reason, "
        "reviewer), all or none; rows without an action are skipped",
    )
    add_db_argument(p)
    p.set_defaults(func=cmd_review)
