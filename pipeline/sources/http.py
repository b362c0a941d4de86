"""A polite HTTP client: per-host rate limit and concurrency cap, timeouts, retries, size cap, same-host redirects."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import httpx

from models.records import FetchResult
from pipeline.sources.config import FetchSettings

REDIRECTS = {301, 302, 303, 307, 308}


class _HostGate:
    """At most ``concurrency`` requests at once to a host, and request starts at least ``delay`` seconds apart."""

    def __init__(self, delay: float, concurrency: int) -> None:
        self.delay = delay
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.next_start = 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self.slots:
            with self.lock:
                now = time.monotonic()
                start = max(now, self.next_start)
                self.next_start = start + self.delay
            if start > now:
                time.sleep(start - now)
            yield


class _Retry(Exception):
    """A failure worth another attempt (a 5xx response or a timeout)."""

    def __init__(self, result: FetchResult) -> None:
        super().__init__(result.message)
        self.result = result


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_url(url: str, hosts: frozenset[str]) -> tuple[str, str] | None:
    """(reason, message) if ``url`` may not be fetched: not http(s), or not on one of ``hosts``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "bad_url", f"only http:// and https:// addresses are fetched, not {url!r}"
    if hosts and parts.hostname.lower() not in hosts:
        return "off_host", f"{parts.hostname} is not a configured host ({', '.join(sorted(hosts))})"
    return None


class Fetcher:
    """Thread-safe GETs with the politeness rules of ``FetchSettings``; never raises for a bad response."""

    def __init__(self, settings: FetchSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            transport=transport,
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _gate(self, host: str) -> _HostGate:
        with self._gates_lock:
            if host not in self._gates:
                self._gates[host] = _HostGate(self.settings.per_host_delay, self.settings.per_host_concurrency)
            return self._gates[host]

    def get(
        self,
        url: str,
        hosts: frozenset[str] = frozenset(),
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET ``url`` (conditionally when validators are given), retrying 5xx and timeouts with backoff."""
        problem = check_url(url, hosts)
        if problem:
            return FetchResult(url, "failed", reason=problem[0], message=problem[1])
        hosts = hosts or frozenset({host_of(url)})
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                result = self._follow(url, hosts, headers)
            except _Retry as retry:
                result = retry.result
                if attempt < attempts:
                    time.sleep(self.settings.backoff * 2 ** (attempt - 1))
                    continue
                result.message = f"{result.message} (after {attempts} attempt(s))"
            result.attempts = attempt
            return result
        raise AssertionError("unreachable")

    def get_text(self, url: str, hosts: frozenset[str] = frozenset()) -> str:
        """The body of ``url`` as text; raises FetchError if it cannot be fetched."""
        result = self.get(url, hosts)
        if result.status != "ok" or result.data is None:
            raise FetchError(result)
        try:
            return result.data.decode("utf-8")
        except UnicodeDecodeError:
            return result.data.decode("cp1252", errors="replace")

    def _follow(self, url: str, hosts: frozenset[str], headers: dict[str, str]) -> FetchResult:
        current = url
        for _ in range(self.settings.max_redirects + 1):
            outcome = self._once(url, current, headers)
            if isinstance(outcome, FetchResult):
                return outcome
            target = urljoin(current, outcome)
            problem = check_url(target, hosts)
            if problem:
                reason = "redirect_off_host" if problem[0] == "off_host" else problem[0]
                return FetchResult(url, "failed", final_url=target, reason=reason, message=f"redirect: {problem[1]}")
            current = target
        return FetchResult(
            url, "failed", reason="too_many_redirects", message=f"more than {self.settings.max_redirects} redirects"
        )

    def _once(self, url: str, current: str, headers: dict[str, str]) -> FetchResult | str:
        """One request: a FetchResult, or the Location of a redirect to follow."""
        try:
            with self._gate(host_of(current)).slot(), self.client.stream("GET", current, headers=headers) as resp:
                status = resp.status_code
                if status in REDIRECTS:
                    location = resp.headers.get("location")
                    if not location:
                        return FetchResult(url, "failed", reason=f"http_{status}", message="redirect without Location")
                    return location
                meta = dict(
                    final_url=current,
                    etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"),
                    content_type=resp.headers.get("content-type"),
                )
                if status == 304:
                    return FetchResult(url, "not_modified", **meta)
                if status >= 500:
                    raise _Retry(
                        FetchResult(
                            url, "failed", reason=f"http_{status}", message=f"server error {status} at {current}"
                        )
                    )
                if status >= 400 or status != 200:
                    return FetchResult(url, "failed", reason=f"http_{status}", message=f"HTTP {status} at {current}")
                limit = self.settings.max_bytes
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    return FetchResult(
                        url, "failed", reason="too_large", message=f"{declared} bytes is over the {limit}-byte limit"
                    )
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        return FetchResult(
                            url, "failed", reason="too_large", message=f"more than the {limit}-byte limit"
                        )
                    chunks.append(chunk)
                return FetchResult(url, "ok", data=b"".join(chunks), **meta)
        except httpx.TimeoutException as exc:
            raise _Retry(
                FetchResult(
                    url, "failed", reason="timeout", message=f"no response within {self.settings.timeout:g}s ({exc})"
                )
            ) from exc
        except httpx.HTTPError as exc:
            return FetchResult(url, "failed", reason="network", message=f"{type(exc).__name__}: {exc}")


class SourceUnavailable(Exception):
    """Nothing could be listed for a source (after every fallback); Prefect retries, then the run goes on."""


class FetchError(Exception):
    """A listing page or feed could not be fetched."""

    def __init__(self, result: FetchResult) -> None:
        super().__init__(f"{result.url}: {result.reason}: {result.message}")
        self.result = result
