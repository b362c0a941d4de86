"""Write the static HTML audit report: per KPI an SVG chart and a table of figures traced to their sources."""

from __future__ import annotations

import html
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pdfplumber

from models.audit import Correction, TracedFigure
from models.taxonomy import load_taxonomy
from pipeline.page_image import PAGE_CONTEXT_PT, render_page_crop
from warehouse.store import original_file
from warehouse.trace import trace

logging.getLogger("pdfminer").setLevel(logging.ERROR)

# A figure is under its KPI after review (a `set kpi=` moves it; rejected ones stay, struck through), unless raw.
FIGURES_SQL = """
SELECT o.id FROM observations o JOIN papers p ON p.id = o.paper_id AND p.status = 'ok'
LEFT JOIN latest_corrections c ON c.observation_id = o.id AND c.action <> 'reject' AND NOT ?::BOOLEAN
WHERE coalesce(c.kpi, o.kpi) IS NOT NULL AND (?::VARCHAR IS NULL OR coalesce(c.kpi, o.kpi) = ?)
  AND (?::VARCHAR IS NULL OR starts_with(o.paper_id, ?))
ORDER BY coalesce(c.kpi, o.kpi), coalesce(c.period_start, o.period_start) NULLS LAST, o.paper_date NULLS LAST,
         o.page, o.page_start, o.id
"""
REVIEW_SQL = """
SELECT id, seq, observation_id, action, value, unit, period_start, period_end, role, kpi, changed, reason, reviewer,
       created_at
FROM latest_corrections WHERE observation_id = ?
"""
CONFLICTS_SQL = """
SELECT kpi, period_start, period_end, unit, "values", paper_ids, observation_ids FROM kpi_conflicts
WHERE (?::VARCHAR IS NULL OR kpi = ?) ORDER BY kpi, period_start
"""
CONTEXT_CHARS = 300


@dataclass
class ReportFigure:
    """A traced figure as shown in the report, with its review and its page image (relative path or None)."""

    figure: TracedFigure
    review: Correction | None = None
    image: str | None = None
    page_image: str | None = None
    """the larger region of the page for the figure's own page (a crop of its own, not the small one scaled)"""
    image_note: str = ""

    @property
    def rejected(self) -> bool:
        return self.review is not None and self.review.action == "reject"

    def effective(self, name: str):
        if self.review is not None and self.review.action != "reject":
            value = getattr(self.review, name)
            if value is not None:
                return value
        return getattr(self.figure, name)


@dataclass
class ReportSummary:
    """What `write_report` wrote."""

    out: Path
    index: Path
    n_kpis: int = 0
    n_figures: int = 0
    n_images: int = 0
    kpis: list[str] = field(default_factory=list)


def _e(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        value = f"{value:g}"
    return html.escape(str(value))


def marked_sentence_html(f: TracedFigure) -> str:
    """The sentence on one line, HTML-escaped, with the value in <mark>."""
    before, value, after = f.sentence_parts()
    return f'{html.escape(before)}<mark class="value">{html.escape(value)}</mark>{html.escape(after)}'


def context_html(f: TracedFigure, chars: int = CONTEXT_CHARS) -> str:
    """The page text around the sentence (whitespace kept), the sentence emphasised and the value in <mark>."""
    text = f.page_text
    s0, s1 = f.sentence_page_start, f.sentence_page_start + len(f.sentence)
    a = max(0, s0 - chars)
    b = min(len(text), s1 + chars)
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and not text[b].isspace():
        b += 1
    return (
        ("…" if a > 0 else "")
        + html.escape(text[a:s0])
        + '<span class="sentence">'
        + html.escape(text[s0 : f.page_start])
        + f'<mark class="value">{html.escape(text[f.page_start : f.page_end])}</mark>'
        + html.escape(text[f.page_end : s1])
        + "</span>"
        + html.escape(text[s1:b])
        + ("…" if b < len(text) else "")
    )


def _period(start: date | None, end: date | None) -> str:
    if start is None:
        return "–"
    if end is None or end == start:
        return start.isoformat()
    if start.day == 1 and start.year == end.year and start.month == end.month:
        return start.strftime("%b %Y")
    return f"{start.isoformat()} – {end.isoformat()}"


def _mid(start: date, end: date | None) -> float:
    end = end or start
    return (start.toordinal() + end.toordinal()) / 2


def _nice_step(raw: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def chart_svg(kpi: str, figures: list[ReportFigure], link: Callable[[ReportFigure], str]) -> str:
    """An inline SVG of the KPI's dated actual figures (most common unit) as a line, targets as diamonds."""
    usable = [
        r
        for r in figures
        if not r.rejected
        and r.effective("role") in ("actual", "target")
        and r.effective("period_start") is not None
        and (r.figure.period_kind != "paper_date" or (r.review and r.review.period_start != r.figure.period_start))
    ]
    units = [r.effective("unit") for r in usable if r.effective("role") == "actual"]
    if not units:
        return '<p class="nochart">No dated actual figures to chart.</p>'
    unit = max(sorted(set(units)), key=units.count)
    points = [r for r in usable if r.effective("unit") == unit]
    W, H, L, R, T, B = 720, 260, 64, 40, 16, 40
    xs = [_mid(r.effective("period_start"), r.effective("period_end")) for r in points]
    ys = [float(r.effective("value")) for r in points]
    x0, x1 = min(xs), max(xs)
    if x1 - x0 < 30:
        x0, x1 = x0 - 30, x1 + 30
    y0, y1 = min(0.0, min(ys)), max(ys)
    if unit == "percent":
        y1 = max(y1, 100.0)
    step = _nice_step((y1 - y0) / 4 or 1.0)
    y0, y1 = math.floor(y0 / step) * step, math.ceil(y1 / step) * step
    if y1 == y0:
        y1 = y0 + step
    n_ticks = round((y1 - y0) / step)

    def px(x: float) -> float:
        return L + (x - x0) / (x1 - x0) * (W - L - R)

    def py(y: float) -> float:
        return H - B - (y - y0) / (y1 - y0) * (H - T - B)

    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(kpi)} ({unit})" viewBox="0 0 {W} {H}" '
        f'width="{W}" height="{H}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#444"/>',
        f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#444"/>',
    ]
    for i in range(n_ticks + 1):
        v = y0 + step * i
        parts.append(f'<line x1="{L}" y1="{py(v):.1f}" x2="{W - R}" y2="{py(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{L - 6}" y="{py(v) + 4:.1f}" text-anchor="end" class="tick">{v:,.4g}</text>')
    for x in sorted({x0, x1, (x0 + x1) / 2}):
        label = date.fromordinal(int(x)).strftime("%b %Y")
        parts.append(f'<text x="{px(x):.1f}" y="{H - B + 18}" text-anchor="middle" class="tick">{label}</text>')
    parts.append(f'<text x="{L}" y="{H - 6}" class="tick">{html.escape(unit)}</text>')
    actual = sorted(  # by position, then id: two figures at one point never compare the records themselves
        ((x, y, r) for x, y, r in zip(xs, ys, points, strict=True) if r.effective("role") == "actual"),
        key=lambda t: (t[0], t[1], t[2].figure.observation_id),
    )
    if len(actual) > 1:
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y, _ in actual)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for x, y, r in zip(xs, ys, points, strict=True):
        f = r.figure
        tip = html.escape(
            f"{y:g} {unit} ({r.effective('role')}), {_period(r.effective('period_start'), r.effective('period_end'))} — {f.paper_title or f.paper_id[:12]}, p. {f.page}"
        )
        cx, cy = px(x), py(y)
        if r.effective("role") == "actual":
            shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="#1f5fa8"/>'
        else:
            d = f"M{cx:.1f},{cy - 6:.1f} L{cx + 6:.1f},{cy:.1f} L{cx:.1f},{cy + 6:.1f} L{cx - 6:.1f},{cy:.1f} Z"
            shape = f'<path d="{d}" fill="white" stroke="#c0392b" stroke-width="2"/>'
        parts.append(f'<a href="{link(r)}"><title>{tip}</title>{shape}</a>')
    parts.append("</svg>")
    legend = '<p class="legend"><span class="dot"></span> actual &nbsp; <span class="diamond"></span> target'
    legend += f" &nbsp; (unit: {html.escape(unit)}; undated figures and other units are in the table only)</p>"
    return "\n".join(parts) + legend


STYLE = """
body { font-family: "Liberation Sans", Arial, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 2px solid #1f5fa8; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
mark.value { background: #ffe14d; outline: 2px solid #dc143c; font-weight: bold; padding: 0 1px; }
.sentence { background: #eef6ff; }
.context { white-space: pre-wrap; font-family: "Liberation Mono", monospace; font-size: 12px; background: #fafafa;
           border: 1px solid #ddd; padding: 8px; }
img.crop { width: 460px; border: 1px solid #999; display: block; margin-top: 4px; }
img.page { width: 700px; max-width: 100%; border: 1px solid #999; }
tr.rejected td { color: #888; text-decoration: line-through; }
tr.rejected td.review { text-decoration: none; }
.review { font-size: 12px; } .tick { font-size: 11px; fill: #444; }
.legend { font-size: 12px; color: #444; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 5px; background: #1f5fa8; }
.diamond { display: inline-block; width: 8px; height: 8px; border: 2px solid #c0392b; transform: rotate(45deg); }
dl.prov { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 14px; }
dl.prov dt { font-weight: bold; } dl.prov dd { margin: 0; word-break: break-all; }
.note { color: #666; font-size: 12px; }
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def _review_html(r: ReportFigure) -> str:
    v = r.review
    if v is None:
        return '<span class="note">not reviewed</span>'
    what = {"accept": "accepted", "reject": "rejected", "set": "corrected"}[v.action]
    return f"<b>{what}</b> by {_e(v.reviewer)}, {_e(v.created_at.isoformat(' ', 'minutes'))}: <i>{_e(v.reason)}</i>"


def _value_html(r: ReportFigure) -> str:
    shown = _e(r.effective("value"))
    if not r.rejected and r.effective("value") != r.figure.value:
        shown += f' <span class="note">(extracted {_e(r.figure.value)})</span>'
    return shown


def figure_page(r: ReportFigure, kpi_label: str) -> str:
    f = r.figure
    box = ", ".join(f"{v:g}" for v in f.bbox) if f.bbox else "– (not a PDF)"
    rows = [
        ("figure", f"{_value_html(r)} {_e(r.effective('unit'))} (printed as “{_e(f.value_text)}”)"),
        (
            "KPI",
            f"{_e(r.effective('kpi'))} — {_e(kpi_label)} (label in the paper: {_e(f.label)})"
            + (f' <span class="note">(extracted as {_e(f.kpi)})</span>' if r.effective("kpi") != f.kpi else ""),
        ),
        (
            "period",
            f"{_e(_period(r.effective('period_start'), r.effective('period_end')))} ({_e(f.period_kind)}"
            + (f": “{_e(f.period_text)}”)" if f.period_text else ")"),
        ),
        ("role", _e(r.effective("role"))),
        ("rule", _e(f.rule)),
        ("confidence", _e(f.confidence)),
        (
            "text",
            "<b>OCR</b>: read from a scanned page image; check it against the image"
            if f.from_ocr
            else "the PDF's own text",
        ),
        ("review", _review_html(r)),
        ("paper", _e(f.paper_title)),
        ("source", _e(f.paper_source)),
        ("sha256", f"<code>{_e(f.paper_id)}</code>"),
        ("paper date", _e(f.paper_date)),
        ("page", f"{f.page} (characters {f.page_start}–{f.page_end} of the page text)"),
        ("box", f"{box} (points from the top-left)"),
        ("observation", f"<code>{_e(f.observation_id)}</code>"),
    ]
    image = (
        f'<img class="page" src="../{r.page_image}" alt="page {f.page} around the figure, value outlined">'
        if r.page_image
        else f'<p class="note">{_e(r.image_note)}</p>'
    )
    body = (
        f'<p><a href="../index.html#kpi-{_e(r.effective("kpi"))}">← {_e(r.effective("kpi"))}</a></p>'
        f"<h1>{_e(f.value_text)} — {_e(r.effective('kpi'))}, {_e(_period(r.effective('period_start'), r.effective('period_end')))}</h1>"
        '<dl class="prov">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"
        f"<h2>Sentence</h2><p>{marked_sentence_html(f)}</p>"
        f'<h2>Page {f.page} of the paper (text as extracted)</h2><div class="context">{context_html(f)}</div>'
        f"<h2>Page {f.page} of the original PDF</h2>{image}"
    )
    return _page(f"{f.value_text} — {r.effective('kpi')} — councilkpi audit", body)


def _kpi_section(kpi: str, label: str, figures: list[ReportFigure]) -> str:
    def link(r: ReportFigure) -> str:
        return f"figures/{r.figure.observation_id}.html"

    rows = []
    for r in figures:
        f = r.figure
        image = (
            f'<a href="{link(r)}"><img class="crop" src="{r.image}" alt="page {f.page} crop"></a>'
            if r.image
            else f'<span class="note">{_e(r.image_note)}</span>'
        )
        rows.append(
            f'<tr id="obs-{f.observation_id}"{" class=rejected" if r.rejected else ""}>'
            f"<td>{_e(_period(r.effective('period_start'), r.effective('period_end')))}"
            f'<br><span class="note">{_e(f.period_kind)}</span></td>'
            f"<td>{_value_html(r)}</td><td>{_e(r.effective('unit'))}</td><td>{_e(r.effective('role'))}</td>"
            f'<td>{_e(f.paper_title)}<br><span class="note">{_e(f.paper_date)} · page {f.page} · '
            f"sha256 {_e(f.paper_id[:12])}…</span></td>"
            f"<td>{_e(f.confidence)}{'<br><b>OCR</b>' if f.from_ocr else ''}</td>"
            f'<td class="source">{marked_sentence_html(f)} <a href="{link(r)}">[trace]</a>{image}</td>'
            f'<td class="review">{_review_html(r)}</td></tr>'
        )
    table = (
        "<table><thead><tr><th>period</th><th>value</th><th>unit</th><th>role</th><th>paper</th>"
        "<th>confidence</th><th>source sentence and page</th><th>review</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table>"
    )
    return (
        f'<section id="kpi-{_e(kpi)}"><h2>{_e(kpi)} — {_e(label)}</h2>'
        f"{chart_svg(kpi, figures, link)}\n{table}</section>"
    )


def _render_images(out: Path, store: Path, figures: list[ReportFigure], resolution: int, tick) -> int:
    """Write page crops as img/<observation id>.png, opening each paper's original PDF once."""
    by_paper: dict[str, list[ReportFigure]] = {}
    for r in figures:
        by_paper.setdefault(r.figure.paper_id, []).append(r)
    n = 0
    (out / "img").mkdir(parents=True, exist_ok=True)
    for paper_id, group in by_paper.items():
        first = group[0].figure
        if first.paper_kind != "pdf":
            for r in group:
                r.image_note = f"{first.paper_kind} paper: no page image"
                tick()
            continue
        path = original_file(store, paper_id, first.sources)
        if path is None:
            for r in group:
                r.image_note = "original PDF not in the store: re-ingest to render the page"
                tick()
            continue
        with pdfplumber.open(path) as pdf:
            for r in group:
                f = r.figure
                if f.bbox is None or not 1 <= f.page <= len(pdf.pages):
                    r.image_note = "no box stored for this figure"
                else:
                    page = pdf.pages[f.page - 1]
                    name = f"img/{f.observation_id}.png"
                    (out / name).write_bytes(render_page_crop(page, f.bbox, resolution))
                    r.image = name
                    large = f"img/{f.observation_id}-page.png"
                    (out / large).write_bytes(render_page_crop(page, f.bbox, resolution * 3 // 2, PAGE_CONTEXT_PT))
                    r.page_image = large
                    n += 1
                tick()
    return n


def figure_ids(
    con: duckdb.DuckDBPyConnection, *, kpi: str | None = None, paper: str | None = None, raw: bool = False
) -> list[str]:
    """Ids of the figures with a KPI (after review unless raw; rejected ones included), in report order."""
    return [row[0] for row in con.execute(FIGURES_SQL, [raw, kpi, kpi, paper, paper]).fetchall()]


def report_figures(con: duckdb.DuckDBPyConnection, ids: list[str], raw: bool = False) -> list[ReportFigure]:
    """Each figure traced, with its correction in force (none when raw)."""
    figures = []
    for oid in ids:
        r = ReportFigure(trace(con, oid))
        row = None if raw else con.execute(REVIEW_SQL, [oid]).fetchone()
        r.review = Correction(*row) if row else None
        figures.append(r)
    return figures


def write_report(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    out: Path,
    *,
    kpi: str | None = None,
    paper: str | None = None,
    resolution: int = 110,
    on_figure: Callable[[], None] | None = None,
    db_label: str = "",
    raw: bool = False,
) -> ReportSummary:
    """Write index.html, figures/<id>.html and img/<id>.png under ``out`` for the chosen figures.

    The report is written into a temporary folder beside ``out`` and renamed into place when complete, so a
    failure leaves no half report (an earlier report at ``out`` stays as it was). Corrections apply unless
    ``raw``.
    """
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise ReportError(f"{out}: a folder that holds no report; choose an empty or new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        summary = _write(con, store, work, kpi, paper, resolution, on_figure, db_label, raw)
        _replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    summary.out, summary.index = out, out / "index.html"
    return summary


class ReportError(ValueError):
    """The report cannot be written where asked."""


def _replace(work: Path, out: Path) -> None:
    """Move the finished report in ``work`` to ``out``, replacing an earlier report there."""
    if not out.exists():
        work.rename(out)
        return
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    out.rename(old)
    try:
        work.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _figure_sort_key(r: ReportFigure) -> tuple:
    start = r.effective("period_start")
    f = r.figure
    return (start is None, start or date.min, f.paper_date or date.min, f.page, f.page_start, f.observation_id)


def _write(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    out: Path,
    kpi: str | None,
    paper: str | None,
    resolution: int,
    on_figure: Callable[[], None] | None,
    db_label: str,
    raw: bool,
) -> ReportSummary:
    ids = figure_ids(con, kpi=kpi, paper=paper, raw=raw)
    figures = report_figures(con, ids, raw)
    summary = ReportSummary(out=out, index=out / "index.html", n_figures=len(figures))
    (out / "figures").mkdir(parents=True, exist_ok=True)
    summary.n_images = _render_images(out, store, figures, resolution, on_figure or (lambda: None))
    taxonomy = load_taxonomy()
    by_kpi: dict[str, list[ReportFigure]] = {}
    for r in figures:
        by_kpi.setdefault(r.effective("kpi"), []).append(r)
    sections, toc = [], []
    for k in sorted(by_kpi):
        group = sorted(by_kpi[k], key=_figure_sort_key)
        entry = taxonomy.get(k)
        label = entry.label if entry else k
        sections.append(_kpi_section(k, label, group))
        toc.append(f'<li><a href="#kpi-{_e(k)}">{_e(k)}</a> — {_e(label)} ({len(group)} figure(s))</li>')
        for r in group:
            (out / "figures" / f"{r.figure.observation_id}.html").write_text(figure_page(r, label), encoding="utf-8")
    conflicts = [] if raw else con.execute(CONFLICTS_SQL, [kpi, kpi]).fetchall()
    if paper:
        conflicts = [c for c in conflicts if any(p.startswith(paper) for p in c[5])]
    conflict_html = ""
    if conflicts:
        items = "".join(
            f"<li><b>{_e(c[0])}</b>, {_e(_period(c[1], c[2]))} ({_e(c[3])}): values "
            + ", ".join(_e(v) for v in c[4])
            + " in "
            + str(len(c[5]))
            + " papers — "
            + " ".join(f'<a href="figures/{o}.html">{o[:8]}</a>' for o in c[6] if o in ids)
            + "</li>"
            for c in conflicts
        )
        conflict_html = f"<h2>Conflicts between papers</h2><ul>{items}</ul>"
    filters = ", ".join(x for x in (f"KPI {kpi}" if kpi else "", f"paper {paper}" if paper else "") if x)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = (
        "<h1>councilkpi audit report</h1>"
        f'<p class="note">{_e(db_label)} · generated {generated} · {len(figures)} figure(s) with a KPI'
        + (f" · {_e(filters)}" if filters else "")
        + "</p><p>Each figure links to its source: the sentence with the value "
        '<mark class="value">highlighted</mark>, and the region of the original PDF page with the value outlined. '
        + (
            "<b>As extracted: corrections are not applied.</b>"
            if raw
            else "Corrections (<code>councilkpi review</code>) are shown; rejected figures are struck through and "
            "left out of the charts."
        )
        + "</p>"
        + (f"<ul>{''.join(toc)}</ul>" if toc else "<p>No figures match.</p>")
        + conflict_html
        + "\n".join(sections)
    )
    summary.index.write_text(_page("councilkpi audit report", body), encoding="utf-8")
    summary.kpis = sorted(by_kpi)
    summary.n_kpis = len(by_kpi)
    return summary
