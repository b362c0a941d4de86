"""The local review web app (`councilkpi browse`): KPIs by council, series charts, traces, review buttons, queue."""

from __future__ import annotations

import html
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode

import duckdb
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.audit_report import (
    STYLE,
    ReportFigure,
    _e,
    _period,
    _review_html,
    _value_html,
    chart_svg,
    context_html,
    figure_ids,
    marked_sentence_html,
    report_figures,
)

# The council of a paper: papers.council where the warehouse has it, else the collector's paper_meta.
COUNCIL_OF_PAPERS = {
    False: "(SELECT paper_id, min(council) AS council FROM paper_meta GROUP BY paper_id)",
    True: "(SELECT p.id AS paper_id, coalesce(p.council, min(m.council)) AS council FROM papers p "
    "LEFT JOIN paper_meta m ON m.paper_id = p.id GROUP BY p.id, p.council)",
}
HAS_PAPER_COUNCIL_SQL = (
    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'papers' AND column_name = 'council'"
)
KPI_COUNCILS_SQL = """
SELECT coalesce(m.council, '(council not known)') AS council, k.kpi, count(*) AS n_figures,
       count(*) FILTER (WHERE k.role = 'actual') AS n_actuals, count(DISTINCT k.paper_id) AS n_papers,
       min(k.period_start) AS first_period, max(k.period_end) AS last_period
FROM kpi_series k
LEFT JOIN {councils} m ON m.paper_id = k.paper_id
WHERE k.kpi IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2
"""
COUNCIL_PAPERS_SQL = """
SELECT p.id FROM papers p
LEFT JOIN {councils} m ON m.paper_id = p.id
WHERE coalesce(m.council, '(council not known)') = ?
"""
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""No scripts at all: whatever a paper contains, nothing in it can run."""
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
REVIEWER_COOKIE = "councilkpi_reviewer"
EXTRA_STYLE = """
nav { margin-bottom: 16px; } nav a { margin-right: 16px; }
form.review { border: 1px solid #ccc; padding: 8px; margin: 8px 0; background: #fafafa; }
form.review input[type=text] { width: 360px; } form.review .fields input[type=text] { width: 110px; }
.error { color: #b00; font-weight: bold; }
"""


class BrowseError(ValueError):
    """A request the app cannot serve: unknown KPI or figure, a bad review form."""


class Browser:
    """One warehouse served to one person: short connections, one at a time; writes only with allow_review."""

    def __init__(self, db: Path, allow_review: bool = False) -> None:
        self.db = Path(db)
        self.allow_review = allow_review
        self.token = secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        from warehouse.corrections import upgrade_if_needed

        upgrade_if_needed(self.db)
        with self.connection() as con:
            councils = COUNCIL_OF_PAPERS[con.execute(HAS_PAPER_COUNCIL_SQL).fetchone()[0] > 0]
        self.kpi_councils_sql = KPI_COUNCILS_SQL.replace("{councils}", councils)
        self.council_papers_sql = COUNCIL_PAPERS_SQL.replace("{councils}", councils)

    @contextmanager
    def connection(self, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        from warehouse.db import connect

        with self.lock:
            con = connect(self.db, read_only=not write)
            try:
                yield con
            finally:
                con.close()


def _page(title: str, body: str, browser: Browser) -> HTMLResponse:
    mode = "review allowed" if browser.allow_review else "read-only (start with --allow-review to review)"
    nav = (
        '<nav><a href="/">KPIs</a><a href="/queue">review queue</a>'
        f'<span class="note">{_e(browser.db)} · {mode}</span></nav>'
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}{EXTRA_STYLE}</style></head><body>\n{nav}\n{body}\n</body></html>\n"
    )
    return HTMLResponse(page)


def _kpi_link(kpi: str, council: str | None = None) -> str:
    query = f"?{urlencode({'council': council})}" if council else ""
    return f"/kpi/{quote(kpi, safe='')}{query}"


def index_page(browser: Browser) -> HTMLResponse:
    with browser.connection() as con:
        rows = con.execute(browser.kpi_councils_sql).fetchall()
    from models.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    parts, council = [], None
    for c, kpi, n, n_actual, n_papers, first, last in rows:
        if c != council:
            if council is not None:
                parts.append("</tbody></table>")
            council = c
            parts.append(
                f"<h2>{_e(c)}</h2><table><thead><tr><th>KPI</th><th>figures</th><th>actuals</th><th>papers</th>"
                "<th>periods</th></tr></thead><tbody>"
            )
        entry = taxonomy.get(kpi)
        parts.append(
            f'<tr><td><a class="kpi" href="{_e(_kpi_link(kpi, c))}">{_e(kpi)}</a>'
            f'<br><span class="note">{_e(entry.label if entry else "")}</span></td>'
            f"<td>{n}</td><td>{n_actual}</td><td>{n_papers}</td><td>{_e(first)} – {_e(last)}</td></tr>"
        )
    if council is not None:
        parts.append("</tbody></table>")
    body = "<h1>KPIs by council</h1>" + ("".join(parts) or "<p>No figures with a KPI yet.</p>")
    return _page("councilkpi browse", body, browser)


def kpi_page(browser: Browser, kpi: str, council: str | None) -> HTMLResponse:
    with browser.connection() as con:
        figures = report_figures(con, figure_ids(con, kpi=kpi))
        papers = {r[0] for r in con.execute(browser.council_papers_sql, [council]).fetchall()} if council else None
    if papers is not None:
        figures = [r for r in figures if r.figure.paper_id in papers]
    if not figures:
        raise BrowseError(f"no figures of KPI {kpi!r}" + (f" for {council}" if council else ""))

    def link(r: ReportFigure) -> str:
        return f"/figure/{quote(r.figure.observation_id)}"

    rows = []
    for r in figures:
        f = r.figure
        rows.append(
            f'<tr id="obs-{_e(f.observation_id)}"{" class=rejected" if r.rejected else ""}>'
            f"<td>{_e(_period(r.effective('period_start'), r.effective('period_end')))}</td>"
            f"<td>{_value_html(r)}</td><td>{_e(r.effective('unit'))}</td><td>{_e(r.effective('role'))}</td>"
            f"<td>{_e(f.paper_title)}<br><span class=note>{_e(f.paper_date)} · page {f.page}</span></td>"
            f'<td>{marked_sentence_html(f)} <a href="{_e(link(r))}">[trace]</a></td>'
            f'<td class="review">{_review_html(r)}</td></tr>'
        )
    table = (
        "<table><thead><tr><th>period</th><th>value</th><th>unit</th><th>role</th><th>paper</th>"
        "<th>sentence</th><th>review</th></tr></thead><tbody>" + "\n".join(rows) + "</tbody></table>"
    )
    title = f"{kpi}" + (f" — {council}" if council else "")
    body = f"<h1>{_e(title)}</h1>{chart_svg(kpi, figures, link)}\n{table}"
    return _page(f"{title} — councilkpi browse", body, browser)


def _review_forms(browser: Browser, r: ReportFigure, reviewer: str | None) -> str:
    if not browser.allow_review:
        return '<p class="note">Read-only: start with <code>councilkpi browse --allow-review</code> to review.</p>'
    oid = _e(r.figure.observation_id)
    who = (
        f'<p>Reviewing as <b class="reviewer">{_e(reviewer)}</b> (<a href="/reviewer">change</a>)</p>'
        if reviewer
        else '<p><label>Your name (asked once) <input type="text" name="reviewer" required></label></p>'
    )
    common = f'<input type="hidden" name="token" value="{_e(browser.token)}">'
    reason = '<label>Reason <input type="text" name="reason" required></label>'

    def form(action: str, label: str, extra: str = "") -> str:
        return (
            f'<form class="review" method="post" action="/figure/{oid}/review">{common}'
            f'<input type="hidden" name="action" value="{action}">{who if not reviewer else ""}{extra}'
            f'<p>{reason} <button type="submit" name="do" value="{action}">{label}</button></p></form>'
        )

    fields = (
        '<p class="fields">'
        + " ".join(
            f'<label>{name} <input type="text" name="{name}" size="12" placeholder="{_e(hint)}"></label>'
            for name, hint in (
                ("value", r.effective("value")),
                ("period", "YYYY-MM"),
                ("unit", r.effective("unit")),
                ("role", r.effective("role")),
                ("kpi", r.effective("kpi")),
            )
        )
        + "</p>"
    )
    return (
        "<h2>Review</h2>"
        + (who if reviewer else "")
        + form("accept", "Accept")
        + form("reject", "Reject")
        + form("set", "Correct", fields)
    )


def figure_page(browser: Browser, oid: str, reviewer: str | None, error: str | None = None) -> HTMLResponse:
    from pipeline.commands.trace import history_lines
    from warehouse.corrections import history_steps
    from warehouse.trace import TraceError, changed_since_load

    with browser.connection() as con:
        try:
            (r,) = report_figures(con, [oid])
        except TraceError as exc:
            raise BrowseError(str(exc)) from exc
        oid = r.figure.observation_id  # the full id (a unique prefix was given)
        changed = changed_since_load(con, oid)
        steps = history_steps(con, oid)
    f = r.figure
    warnings = []
    if changed:
        warnings.append(f"{', '.join(changed)} changed in the warehouse since loading (digest mismatch)")
    rows = [
        ("figure", f"{_value_html(r)} {_e(r.effective('unit'))} (printed as “{_e(f.value_text)}”)"),
        ("KPI", f"{_e(r.effective('kpi'))} (label in the paper: {_e(f.label)})"),
        ("period", f"{_e(_period(r.effective('period_start'), r.effective('period_end')))} ({_e(f.period_kind)})"),
        ("role", _e(r.effective("role"))),
        ("rule", _e(f.rule)),
        ("confidence", _e(f.confidence)),
        ("review", _review_html(r)),
        ("paper", _e(f.paper_title)),
        ("source", _e(f.paper_source)),
        ("sha256", f"<code>{_e(f.paper_id)}</code>"),
        ("page", f"{f.page} (characters {f.page_start}–{f.page_end})"),
        ("observation", f"<code>{_e(f.observation_id)}</code>"),
    ]
    history = "".join(f"<li>{_e(text)}</li>" for _, text in history_lines(steps)) or "<li>not reviewed</li>"
    image = (
        f'<img class="page" src="/figure/{_e(f.observation_id)}/page.png" alt="page {f.page}, value outlined">'
        if f.bbox
        else f'<p class="note">{_e(f.paper_kind)} paper: no page image</p>'
    )
    body = (
        f'<p><a href="{_e(_kpi_link(r.effective("kpi") or ""))}">← {_e(r.effective("kpi"))}</a></p>'
        + (f'<p class="error">{_e(error)}</p>' if error else "")
        + "".join(f'<p class="error">WARNING: {_e(w)}</p>' for w in warnings)
        + f"<h1>{_e(f.value_text)} — {_e(r.effective('kpi'))}</h1>"
        + '<dl class="prov">'
        + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        + "</dl>"
        + f'<h2>Sentence</h2><p class="sentence-line">{marked_sentence_html(f)}</p>'
        + f"<h2>Corrections</h2><ul class=history>{history}</ul>"
        + _review_forms(browser, r, reviewer)
        + f"<h2>Page {f.page}</h2>{image}"
        + f'<h2>Page text</h2><div class="context">{context_html(f)}</div>'
    )
    return _page(f"{f.value_text} — councilkpi browse", body, browser)


def page_image(browser: Browser, oid: str) -> Response:
    from pipeline.page_image import PAGE_CONTEXT_PT, render_figure
    from warehouse.store import store_root, verified_original
    from warehouse.trace import TraceError

    with browser.connection() as con:
        try:
            (r,) = report_figures(con, [oid])
        except TraceError as exc:
            raise BrowseError(str(exc)) from exc
    f = r.figure
    path, _warning = verified_original(store_root(browser.db), f.paper_id, f.sources)
    if f.bbox is None or path is None:
        return Response("no page image: not a PDF, or no original with the right sha256", status_code=404)
    png = render_figure(path, f.page, f.bbox, resolution=130, context=PAGE_CONTEXT_PT)
    return Response(png, media_type="image/png")


def queue_page(browser: Browser, kpi: str | None, limit: int | None) -> HTMLResponse:
    from warehouse.review_queue import review_queue

    with browser.connection() as con:
        items = review_queue(con, kpi=kpi or None, limit=limit)
    rows = "".join(
        f'<tr><td><a href="/figure/{_e(i.observation_id)}">{_e(i.observation_id[:12])}</a></td>'
        f"<td>{_e(i.kpi)}</td><td>{_e(i.value)} {_e(i.unit)}</td><td>{_e(_period(i.period_start, i.period_end))}</td>"
        f"<td>{_e(i.confidence)}</td><td>{_e('; '.join(i.reasons))}</td><td>{_e(i.sentence)}</td></tr>"
        for i in items
    )
    body = (
        f"<h1>Review queue</h1><p>{len(items)} unreviewed figure(s) that need a person"
        + (f" (KPI {_e(kpi)})" if kpi else "")
        + ".</p><table><thead><tr><th>figure</th><th>KPI</th><th>value</th><th>period</th><th>confidence</th>"
        "<th>why</th><th>sentence</th></tr></thead><tbody>" + rows + "</tbody></table>"
    )
    return _page("review queue — councilkpi browse", body, browser)


def _decision(oid: str, form: dict[str, str], reviewer: str):
    """The form's review decision, checked as the CLI checks --set."""
    from pipeline.commands.review import parse_changes
    from pipeline.output import UserError
    from warehouse.corrections import Decision

    action = form.get("action", "")
    changes = None
    if action == "set":
        text = ",".join(f"{k}={form[k]}" for k in ("value", "period", "unit", "role", "kpi") if form.get(k))
        try:
            changes = parse_changes(text)
        except UserError as exc:
            raise BrowseError(str(exc).replace("--set", "correct")) from exc
    return Decision(oid, action, form.get("reason", ""), reviewer, changes)


def create_app(db: Path, allow_review: bool = False) -> FastAPI:
    """The ASGI app for one warehouse (bind it to 127.0.0.1 only)."""
    browser = Browser(db, allow_review)
    app = FastAPI(title="councilkpi browse", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.browser = browser

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = (request.headers.get("host") or "").rsplit(":", 1)[0]
        if host not in LOCAL_HOSTS:  # a page elsewhere that resolves a name to 127.0.0.1 gets nothing
            return Response("councilkpi browse answers only on 127.0.0.1 / localhost", status_code=403)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(BrowseError)
    async def not_found(request: Request, exc: BrowseError) -> HTMLResponse:
        response = _page("not found", f'<p class="error">{_e(exc)}</p>', browser)
        response.status_code = 404
        return response

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return index_page(browser)

    @app.get("/kpi/{kpi}", response_class=HTMLResponse)
    def kpi(kpi: str, council: str | None = None) -> HTMLResponse:
        return kpi_page(browser, kpi, council)

    @app.get("/figure/{oid}", response_class=HTMLResponse)
    def figure(oid: str, request: Request, error: str | None = None) -> HTMLResponse:
        return figure_page(browser, oid, request.cookies.get(REVIEWER_COOKIE), error)

    @app.get("/figure/{oid}/page.png")
    def figure_png(oid: str) -> Response:
        return page_image(browser, oid)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(kpi: str | None = None, limit: int | None = None) -> HTMLResponse:
        return queue_page(browser, kpi, limit)

    @app.get("/reviewer", response_class=HTMLResponse)
    def reviewer_form(request: Request) -> HTMLResponse:
        current = request.cookies.get(REVIEWER_COOKIE) or ""
        body = (
            '<h1>Reviewer</h1><form class="review" method="post" action="/reviewer">'
            f'<input type="hidden" name="token" value="{_e(browser.token)}">'
            f'<label>Your name <input type="text" name="reviewer" value="{_e(current)}" required></label> '
            '<button type="submit">Save</button></form>'
        )
        return _page("reviewer — councilkpi browse", body, browser)

    async def _form(request: Request) -> dict[str, str]:
        body = (await request.body()).decode("utf-8", "replace")
        form = {k: v[0].strip() for k, v in parse_qs(body, keep_blank_values=True).items()}
        if not secrets.compare_digest(form.get("token", ""), browser.token):
            raise PermissionError("the form is stale or did not come from this app: reload the page")
        return form

    @app.post("/reviewer")
    async def set_reviewer(request: Request) -> Response:
        try:
            form = await _form(request)
        except PermissionError as exc:
            return Response(str(exc), status_code=403)
        response = RedirectResponse("/", status_code=303)
        if form.get("reviewer"):
            response.set_cookie(REVIEWER_COOKIE, form["reviewer"], samesite="strict", httponly=True)
        return response

    @app.post("/figure/{oid}/review")
    async def review(oid: str, request: Request) -> Response:
        from warehouse.corrections import CorrectionError, append_many

        if not browser.allow_review:
            return Response("read-only: start councilkpi browse with --allow-review to review", status_code=403)
        try:
            form = await _form(request)
        except PermissionError as exc:
            return Response(str(exc), status_code=403)
        reviewer = request.cookies.get(REVIEWER_COOKIE) or form.get("reviewer", "")
        back = f"/figure/{quote(oid)}"
        try:
            decision = _decision(oid, form, reviewer)
            with browser.connection(write=True) as con:
                append_many(con, [decision])
        except (BrowseError, CorrectionError) as exc:
            return RedirectResponse(f"{back}?{urlencode({'error': str(exc)})}", status_code=303)
        response = RedirectResponse(back, status_code=303)
        if reviewer and not request.cookies.get(REVIEWER_COOKIE):
            response.set_cookie(REVIEWER_COOKIE, reviewer, samesite="strict", httponly=True)
        return response

    return app


def serve(db: Path, port: int = 8765, allow_review: bool = False) -> None:
    """Run the app on 127.0.0.1:port until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db, allow_review), host="127.0.0.1", port=port, log_level="warning")
