"""`councilkpi trace`: show where one figure comes from (paper, page, sentence, box), optionally as a PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.output import UserError, add_db_argument

CORRECTIONS_TABLE_SQL = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'corrections'"


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


OCR_NOTE = "OCR: read by Tesseract from a scanned page image; check the value against the page (--png)"


def describe(figure, stored: Path | None, review: list[tuple[str, str]] = (), warnings: list[str] = ()) -> str:
    """The trace as aligned ``key: value`` lines (review history and warnings last)."""
    period = f"{_fmt(figure.period_start)} .. {_fmt(figure.period_end)} ({_fmt(figure.period_kind)}"
    period += f': "{figure.period_text}")' if figure.period_text else ")"
    if figure.bbox:
        box = ", ".join(f"{v:g}" for v in figure.bbox) + "  (x0, top, x1, bottom in points from the top-left)"
    else:
        box = f"- ({figure.paper_kind} paper: no box)"
    cell = figure.cell_bbox
    other = [s for s in figure.sources if s != figure.paper_source]
    rows = [
        ("observation", figure.observation_id),
        ("figure", f"{_fmt(figure.value)} {figure.unit}  (printed as {figure.value_text!r})"),
        ("kpi", f"{_fmt(figure.kpi)}  (label: {_fmt(figure.label)})"),
        ("period", period),
        ("role", figure.role),
        ("rule", figure.rule),
        (
            "confidence",
            _fmt(figure.confidence) + ("  (includes the OCR's confidence in the value)" if figure.from_ocr else ""),
        ),
        ("text", OCR_NOTE if figure.from_ocr else "the file's own text"),
        ("paper", _fmt(figure.paper_title)),
        ("source", figure.paper_source + (f"  (also seen at: {', '.join(other)})" if other else "")),
        ("sha256", figure.paper_id),
        ("paper date", _fmt(figure.paper_date)),
        ("stored file", (str(stored) + "  (sha256 checked)") if stored else "- (no original that hashes to the id)"),
        ("page", f"{figure.page}  (characters {figure.page_start}-{figure.page_end} of the page text)"),
        ("box", box),
        *(
            [("cell box", ", ".join(f"{v:g}" for v in cell) + "  (the table cell the value was read from)")]
            if cell
            else []
        ),
        ("sentence", figure.marked_sentence()),
        *(review or [("review", "not reviewed")]),
        *(("WARNING", w) for w in warnings),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def history_lines(steps) -> list[tuple[str, str]]:
    """One ``review`` row per correction: who, when, what, why and old -> new for each field changed."""
    rows = []
    for step in steps:
        c = step.correction
        what = {"accept": "accepted", "reject": "rejected (left out of series)", "set": "corrected"}[c.action]
        changes = "; ".join(f"{name} {_fmt(old)} -> {_fmt(new)}" for name, old, new in step.changes)
        line = f"#{c.seq} {c.created_at.isoformat(' ', 'seconds')} UTC by {c.reviewer}: {what}"
        line += f" ({changes})" if changes else ""
        rows.append(("review", f"{line}; reason: {c.reason}"))
    return rows


def cmd_trace(args: argparse.Namespace) -> int:
    from warehouse.corrections import history_steps
    from warehouse.db import connect
    from warehouse.store import store_root, verified_original
    from warehouse.trace import TraceError, changed_since_load, trace

    db = Path(args.db)
    con = connect(db, read_only=True)
    try:
        figure = trace(con, args.observation_id)
        changed = changed_since_load(con, figure.observation_id)
        has_corrections = con.execute(CORRECTIONS_TABLE_SQL).fetchone()[0] > 0
        steps = history_steps(con, figure.observation_id) if has_corrections else []
    except TraceError as exc:
        raise UserError(str(exc)) from exc
    finally:
        con.close()
    original, original_warning = verified_original(store_root(db), figure.paper_id, figure.sources)
    warnings = []
    if changed:
        warnings.append(
            f"{', '.join(changed)} changed in the warehouse since the figure was loaded (digest mismatch): "
            "what is shown is not what was extracted; run `councilkpi verify`"
        )
    elif changed is None:
        warnings.append("no digest stored (loaded by an older version): the values cannot be checked")
    if original_warning:
        warnings.append(original_warning)
    print(describe(figure, original, history_lines(steps), warnings))
    for warning in warnings:
        print(f"councilkpi trace: warning: {warning}", file=sys.stderr)
    if args.png:
        from pipeline.page_image import render_figure

        if figure.bbox is None:
            raise UserError(
                f"observation {figure.observation_id}: no box to draw ({figure.paper_kind} paper, not a PDF)"
            )
        if original is None:
            why = original_warning or f"the original file is not in the store ({store_root(db)}) nor at its source"
            raise UserError(f"paper {figure.paper_id}: {why}; not rendering a page that may not be the original")
        png = render_figure(original, figure.page, figure.bbox, resolution=args.resolution)
        out = Path(args.png)
        try:
            out.write_bytes(png)
        except OSError as exc:
            raise UserError(f"{out}: cannot write the image: {exc.strerror or exc}") from exc
        print(f"{'image'.ljust(11)}  {out}  (page {figure.page} of {original.name}, the value outlined in red)")
    return 1 if warnings and args.strict else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trace",
        help="show where a figure comes from: paper, page, sentence and box",
        description="Print one observation with its KPI, period, role, rule and confidence, the paper it came "
        "from (title, source, sha256, paper date), the page and the sentence with the value marked «like this». "
        "Every correction of the figure follows (who, when, why, old -> new for each field). The figure's values "
        "are checked against the digest made when it was loaded and the stored original against its sha256: a "
        "failed check is printed as a WARNING (exit 1 with --strict). With --png, render the page region around "
        "the figure from the original PDF with the value outlined (refused when no original has the right hash).",
    )
    p.add_argument("observation_id", help="the observation id (observations.id; a unique prefix will do)")
    add_db_argument(p)
    p.add_argument("--png", metavar="FILE", help="write an image of the page region around the figure here")
    p.add_argument("--resolution", type=int, default=150, help="image resolution in dpi (default: %(default)s)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a check fails (values or original changed)")
    p.set_defaults(func=cmd_trace)
