"""`councilkpi trace`: show where one figure comes from (paper, page, sentence, box), optionally as a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.output import UserError, add_db_argument


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe(figure, stored: Path | None) -> str:
    """The trace as aligned ``key: value`` lines."""
    period = f"{_fmt(figure.period_start)} .. {_fmt(figure.period_end)} ({_fmt(figure.period_kind)}"
    period += f': "{figure.period_text}")' if figure.period_text else ")"
    if figure.bbox:
        box = ", ".join(f"{v:g}" for v in figure.bbox) + "  (x0, top, x1, bottom in points from the top-left)"
    else:
        box = f"- ({figure.paper_kind} paper: no box)"
    other = [s for s in figure.sources if s != figure.paper_source]
    rows = [
        ("observation", figure.observation_id),
        ("figure", f"{_fmt(figure.value)} {figure.unit}  (printed as {figure.value_text!r})"),
        ("kpi", f"{_fmt(figure.kpi)}  (label: {_fmt(figure.label)})"),
        ("period", period),
        ("role", figure.role),
        ("rule", figure.rule),
        ("confidence", _fmt(figure.confidence)),
        ("paper", _fmt(figure.paper_title)),
        ("source", figure.paper_source + (f"  (also seen at: {', '.join(other)})" if other else "")),
        ("sha256", figure.paper_id),
        ("paper date", _fmt(figure.paper_date)),
        ("stored file", str(stored) if stored else "- (not in the store)"),
        ("page", f"{figure.page}  (characters {figure.page_start}-{figure.page_end} of the page text)"),
        ("box", box),
        ("sentence", figure.marked_sentence()),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def cmd_trace(args: argparse.Namespace) -> int:
    from warehouse.db import connect
    from warehouse.store import original_file, store_root
    from warehouse.trace import TraceError, trace

    db = Path(args.db)
    con = connect(db, read_only=True)
    try:
        figure = trace(con, args.observation_id)
    except TraceError as exc:
        raise UserError(str(exc)) from exc
    finally:
        con.close()
    stored = original_file(store_root(db), figure.paper_id)
    print(describe(figure, stored))
    if args.png:
        from pipeline.page_image import render_figure

        if figure.bbox is None:
            raise UserError(
                f"observation {figure.observation_id}: no box to draw ({figure.paper_kind} paper, not a PDF)"
            )
        pdf = stored or original_file(store_root(db), figure.paper_id, figure.sources)
        if pdf is None:
            raise UserError(
                f"paper {figure.paper_id}: the original file is not in the store ({store_root(db)}) nor at its "
                "source; re-ingest it to render the page"
            )
        png = render_figure(pdf, figure.page, figure.bbox, resolution=args.resolution)
        out = Path(args.png)
        try:
            out.write_bytes(png)
        except OSError as exc:
            raise UserError(f"{out}: cannot write the image: {exc.strerror or exc}") from exc
        print(f"{'image'.ljust(11)}  {out}  (page {figure.page} of {pdf.name}, the value outlined in red)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trace",
        help="show where a figure comes from: paper, page, sentence and box",
        description="Print one observation with its KPI, period, role, rule and confidence, the paper it came "
        "from (title, source, sha256, paper date), the page and the sentence with the value marked «like this». "
        "With --png, render the page region around the figure from the original PDF with the value outlined.",
    )
    p.add_argument("observation_id", help="the observation id (observations.id; a unique prefix will do)")
    add_db_argument(p)
    p.add_argument("--png", metavar="FILE", help="write an image of the page region around the figure here")
    p.add_argument("--resolution", type=int, default=150, help="image resolution in dpi (default: %(default)s)")
    p.set_defaults(func=cmd_trace)
