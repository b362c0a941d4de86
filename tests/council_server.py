"""A fake council web server on 127.0.0.1 for the collector tests: ModernGov-shaped pages, feeds and PDFs.

Sites (path prefixes): /a/ web service on; /b/ web service off (HTML pages); /c/ a plain RSS feed; /d/ web
service and HTML committee list off, mgRss.aspx on; /e/ endpoints for the politeness tests.
/g/ Gloucester City Council's real web-service responses (tests/fixtures/moderngov/real), served unchanged except
that the site address in them is rewritten to this server while serving; /h/ the same site as if its web service
listed no documents (the <linkeddocuments> blocks of GetMeeting left out while serving), with a meeting page
(ieListDocuments.aspx) that lists two. /a/ to /d/ and the /h/ meeting page are made up (no real pages saved).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "moderngov"
REAL = FIXTURES / "real"
GLOUCESTER_SITE = b"https://democracy.Gloucester.gov.uk/"
GLOUCESTER_PDFS = {  # attachment id -> sample served for it (the real PDFs were not saved)
    "65461": "000",
    "65412": "001",
    "65413": "002",
    "65414": "003",
    "65415": "004",
    "65416": "000",
    "65417": "001",
}
LINKED_DOCUMENTS = re.compile(rb"<linkeddocuments>.*?</linkeddocuments>\s*", re.DOTALL)
SAMPLES = ROOT / "data" / "samples" / "pdf"
LAST_MODIFIED = "Tue, 04 Jan 2022 09:00:00 GMT"
DMY = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def sample(stem: str) -> bytes:
    (path,) = SAMPLES.glob(f"{stem}_*.pdf")
    return path.read_bytes()


@dataclass
class Logged:
    path: str
    query: str
    status: int
    host: str
    user_agent: str
    conditional: bool
    at: float


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    declared_length: int | None = None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up early are part of the tests
            super().handle_error(request, client_address)


class CouncilServer:
    """Start with ``with CouncilServer() as server:``; ``server.base`` is http://127.0.0.1:<port>."""

    def __init__(self, slow_seconds: float = 1.5, oversize: int = 2_000_000) -> None:
        self.slow_seconds = slow_seconds
        self.oversize = oversize
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                outer._handle(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CouncilServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- what the tests look at --------------------------------------------------------------------------------
    def requests(self, path_part: str = "") -> list[Logged]:
        with self.lock:
            return [r for r in self.log if path_part in r.path + "?" + r.query]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()

    # -- serving -----------------------------------------------------------------------------------------------
    def _fixture(self, name: str, kind: str = "text/xml") -> Response:
        text = (FIXTURES / name).read_text(encoding="utf-8").replace("{{BASE}}", self.base)
        return Response(200, text.encode(), {"Content-Type": f"{kind}; charset=utf-8"})

    def _gloucester(self, site: str, name: str, hide_documents: bool = False) -> Response:
        """A real Gloucester response, its site address pointing at this server (``site``: "g" or "h")."""
        body = (REAL / f"gloucester-{name}.xml").read_bytes().replace(GLOUCESTER_SITE, f"{self.base}/{site}/".encode())
        if hide_documents:
            body = LINKED_DOCUMENTS.sub(b"", body)
        return Response(200, body, {"Content-Type": "text/xml; charset=utf-8"})

    def _gloucester_ws(self, site: str, method: str, q: dict[str, str]) -> Response:
        if method == "GetCommittees":
            return self._gloucester(site, "GetCommittees")
        if method == "GetMeetings":
            if q.get("lCommitteeId") != "129" or not all(DMY.match(q.get(k, "")) for k in ("sFromDate", "sToDate")):
                return Response(400, b"bad parameters")
            return self._gloucester(site, "GetMeetings")
        if method == "GetMeeting" and q.get("lMeetingId") == "7837":
            return self._gloucester(site, "GetMeeting_7837", hide_documents=site == "h")
        if method == "GetAttachment" and q.get("lAttachmentId") == "65461":
            return self._gloucester(site, "GetAttachment_65461")
        return Response(404, b"not found")

    def _pdf(self, data: bytes, headers: dict[str, str], etag: bool = True, delay: float = 0.0) -> Response:
        tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if etag:
            if headers.get("If-None-Match") == tag:
                return Response(304, headers={"ETag": tag})
            return Response(200, data, {"Content-Type": "application/pdf", "ETag": tag}, delay)
        if headers.get("If-Modified-Since") == LAST_MODIFIED:
            return Response(304, headers={"Last-Modified": LAST_MODIFIED})
        return Response(200, data, {"Content-Type": "application/pdf", "Last-Modified": LAST_MODIFIED}, delay)

    def route(self, path: str, q: dict[str, str], headers) -> Response:
        html = "text/html"
        routes = {
            "/a/mgWebService.asmx/GetCommittees": lambda: self._fixture("a_GetCommittees.xml"),
            "/a/mgConvert2PDF.aspx": lambda: {
                "9001": lambda: self._pdf(sample("002"), headers),
                "9006": lambda: self._pdf(sample("000"), headers, etag=False),
                "9002": lambda: Response(500, b"Server Error in '/' Application."),
            }.get(q.get("ID"), lambda: Response(404))(),
            "/a/documents/s5001/Dashboard.pdf": lambda: self._pdf(sample("004"), headers, delay=self.slow_seconds),
            "/a/documents/s5002/Moved.pdf": lambda: Response(
                302, headers={"Location": f"http://localhost:{self.port}/a/documents/s5002/Moved.pdf"}
            ),
            "/a/documents/s5002/Bundle.pdf": lambda: Response(
                200, b"%PDF-1.4\n", {"Content-Type": "application/pdf"}, declared_length=self.oversize
            ),
            "/b/mgListCommittees.aspx": lambda: self._fixture("b_mgListCommittees.html", html),
            "/b/ieListMeetings.aspx": lambda: (
                self._fixture(f"b_ieListMeetings_201_{q.get('Year')}.html", html)
                if q.get("CId") == "201" and q.get("Year") in ("2021", "2022")
                else self._fixture("b_ieListMeetings_empty.html", html)
            ),
            "/b/ieListDocuments.aspx": lambda: (
                self._fixture("b_ieListDocuments_6001.html", html) if q.get("MId") == "6001" else Response(404)
            ),
            "/b/documents/s6001/Report.pdf": lambda: self._pdf(sample("003"), headers),
            "/b/documents/s6001/Scrutiny.pdf": lambda: self._pdf(sample("002"), headers),
            "/c/feed.xml": lambda: self._fixture("c_feed.xml", "application/rss+xml"),
            "/c/documents/s7001/Performance.pdf": lambda: self._pdf(sample("004"), headers),
            "/d/mgRss.aspx": lambda: self._fixture("d_mgRss.xml", "application/rss+xml"),
            "/d/ieListDocuments.aspx": lambda: (
                self._fixture("d_ieListDocuments_8001.html", html) if q.get("MId") == "8001" else Response(404)
            ),
            "/d/documents/s8001/Progress Report.pdf": lambda: self._pdf(sample("001"), headers),
            "/e/hold": lambda: Response(200, b"ok", {"Content-Type": "text/plain"}, delay=0.2),
            "/e/missing": lambda: Response(404, b"not here"),
        }
        if path == "/a/mgWebService.asmx/GetMeetings":
            if q.get("lCommitteeId") != "101" or not all(DMY.match(q.get(k, "")) for k in ("sFromDate", "sToDate")):
                return Response(400, b"bad parameters")
            return self._fixture("a_GetMeetings_101.xml")
        if path == "/a/mgWebService.asmx/GetMeeting":
            meeting = q.get("lMeetingId")
            return self._fixture(f"a_GetMeeting_{meeting}.xml") if meeting in ("5001", "5002") else Response(404)
        for site in ("g", "h"):
            if path.startswith(f"/{site}/mgWebService.asmx/"):
                return self._gloucester_ws(site, path.rsplit("/", 1)[-1], q)
            if path == f"/{site}/mgConvert2PDF.aspx" and q.get("ID") in GLOUCESTER_PDFS:
                return self._pdf(sample(GLOUCESTER_PDFS[q["ID"]]), headers)
        if path == "/h/ieListDocuments.aspx":
            if q.get("CId") == "129" and q.get("MId") == "7837":
                return self._fixture("h_ieListDocuments_7837.html", "text/html")
            return Response(404)
        if path.startswith("/h/documents/s"):
            attachment = path.split("/")[3][1:]
            if attachment in GLOUCESTER_PDFS:
                return self._pdf(sample(GLOUCESTER_PDFS[attachment]), headers)
        if path.startswith("/b/mgWebService.asmx/"):
            return Response(404, b"The web service is not enabled for this site.")
        if path.startswith("/d/mgWebService.asmx/"):
            return Response(200, b"<html><body>Web services are switched off</body>", {"Content-Type": "text/html"})
        handler = routes.get(path)
        return handler() if handler else Response(404, b"not found")

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            resp = self.route(path, q, h.headers)
            with self.lock:
                self.log.append(
                    Logged(
                        path,
                        parts.query,
                        resp.status,
                        h.headers.get("Host", ""),
                        h.headers.get("User-Agent", ""),
                        bool(h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since")),
                        time.monotonic(),
                    )
                )
            if resp.delay:
                time.sleep(resp.delay)
            h.send_response(resp.status)
            for k, v in resp.headers.items():
                h.send_header(k, v)
            length = resp.declared_length if resp.declared_length is not None else len(resp.body)
            h.send_header("Content-Length", str(length))
            h.end_headers()
            h.wfile.write(resp.body)
            if resp.declared_length is not None:  # an oversized body: keep sending until the client hangs up
                chunk = b"0" * 65536
                for _ in range(0, resp.declared_length - len(resp.body), len(chunk)):
                    h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
        finally:
            with self.lock:
                self.inflight -= 1
