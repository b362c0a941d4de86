"""The HTTP client's rules: per-host concurrency cap and spacing, what is retried, schemes, redirects, size."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.sources.config import FetchSettings
from pipeline.sources.http import Fetcher
from tests.council_server import CouncilServer


@pytest.fixture(scope="module")
def council():
    with CouncilServer(slow_seconds=1.0, oversize=300_000) as server:
        yield server


def _fetcher(**kw) -> Fetcher:
    settings = dict(timeout=0.4, retries=2, backoff=0.01, per_host_delay=0, per_host_concurrency=2, workers=8)
    settings.update(kw)
    return Fetcher(FetchSettings(**settings))


def test_no_more_than_the_per_host_cap_in_flight(council):
    council.max_inflight = 0
    with _fetcher(per_host_concurrency=2) as fetcher, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: fetcher.get(f"{council.base}/e/hold?i={i}"), range(8)))
    assert [r.status for r in results] == ["ok"] * 8
    assert council.max_inflight == 2


def test_requests_to_one_host_are_spaced_by_the_delay(council):
    council.clear()
    with _fetcher(per_host_delay=0.25, per_host_concurrency=4) as fetcher, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: fetcher.get(f"{council.base}/e/missing?i={i}"), range(4)))
    starts = sorted(r.at for r in council.requests("/e/missing"))
    assert len(starts) == 4
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.2


def test_only_server_errors_and_timeouts_are_retried(council):
    council.clear()
    with _fetcher(retries=2) as fetcher:
        missing = fetcher.get(f"{council.base}/e/missing")
        broken = fetcher.get(f"{council.base}/a/mgConvert2PDF.aspx?ID=9002")
    assert (missing.reason, missing.attempts, len(council.requests("/e/missing"))) == ("http_404", 1, 1)
    assert (broken.reason, broken.attempts, len(council.requests("ID=9002"))) == ("http_500", 3, 3)
    assert "after 3 attempt(s)" in broken.message


def test_slow_responses_time_out_and_are_retried(council):
    council.clear()
    with _fetcher(retries=1, timeout=0.3) as fetcher:
        slow = fetcher.get(f"{council.base}/a/documents/s5001/Dashboard.pdf")
    assert (slow.status, slow.reason, slow.attempts) == ("failed", "timeout", 2)
    assert len(council.requests("Dashboard.pdf")) == 2


def test_oversized_files_are_refused_by_declared_or_actual_size(council):
    with _fetcher(max_bytes=100_000) as fetcher:
        big = fetcher.get(f"{council.base}/a/documents/s5002/Bundle.pdf")
    assert (big.status, big.reason, big.data) == ("failed", "too_large", None)
    with _fetcher(max_bytes=10_000) as fetcher:  # the sample PDF is larger than this (Content-Length)
        pdf = fetcher.get(f"{council.base}/c/documents/s7001/Performance.pdf")
    assert pdf.reason == "too_large"


def test_only_http_and_the_configured_hosts(council):
    with _fetcher() as fetcher:
        assert fetcher.get("file:///etc/passwd").reason == "bad_url"
        assert fetcher.get("ftp://127.0.0.1/x.pdf").reason == "bad_url"
        off = fetcher.get(f"http://localhost:{council.port}/c/feed.xml", frozenset({"127.0.0.1"}))
        moved = fetcher.get(f"{council.base}/a/documents/s5002/Moved.pdf", frozenset({"127.0.0.1"}))
    assert off.reason == "off_host"
    assert moved.reason == "redirect_off_host" and moved.final_url.startswith("http://localhost:")


def test_conditional_get_answers_304_with_either_validator(council):
    with _fetcher() as fetcher:
        first = fetcher.get(f"{council.base}/a/mgConvert2PDF.aspx?ID=9001")
        again = fetcher.get(f"{council.base}/a/mgConvert2PDF.aspx?ID=9001", etag=first.etag)
        dated = fetcher.get(f"{council.base}/a/mgConvert2PDF.aspx?ID=9006")
        dated_again = fetcher.get(f"{council.base}/a/mgConvert2PDF.aspx?ID=9006", last_modified=dated.last_modified)
    assert first.status == "ok" and first.data.startswith(b"%PDF") and first.etag
    assert again.status == "not_modified" and again.data is None
    assert dated.etag is None and dated.last_modified and dated_again.status == "not_modified"
