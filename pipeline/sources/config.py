"""Read `councilkpi.toml`: where papers come from (folders, URLs, ModernGov sites, RSS) and how to fetch them."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_CONFIG = Path(os.environ.get("COUNCILKPI_CONFIG", "councilkpi.toml"))
SOURCE_TYPES = ("folder", "url", "moderngov", "rss")
DEFAULT_USER_AGENT = "councilkpi/0.1 (council committee papers collector)"


class ConfigError(Exception):
    """The configuration file is missing or wrong; the message names the file and the setting."""


@dataclass(frozen=True)
class FetchSettings:
    """How politely to fetch: rate limit, concurrency, timeouts, retries, size cap, identity."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    """seconds to wait for a connection or for the next bytes of a response"""
    max_bytes: int = 50_000_000
    retries: int = 3
    """extra attempts after a 5xx response or a timeout (no other error is retried)"""
    backoff: float = 2.0
    """seconds before the first retry; doubled for each further one"""
    per_host_delay: float = 1.0
    """minimum seconds between the starts of two requests to the same host"""
    per_host_concurrency: int = 2
    workers: int = 4
    max_redirects: int = 5


@dataclass(frozen=True)
class Source:
    """One configured source of papers."""

    name: str
    type: str
    url: str | None = None
    path: Path | None = None
    glob: str = "**/*"
    committees: tuple[str, ...] = ()
    council: str | None = None
    title: str | None = None
    paper_date: date | None = None
    allowed_hosts: tuple[str, ...] = ()

    @property
    def council_name(self) -> str:
        return self.council or self.name

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts this source may fetch from (and be redirected within)."""
        hosts = {h.lower() for h in self.allowed_hosts}
        if self.url:
            hosts.add((urlsplit(self.url).hostname or "").lower())
        return frozenset(hosts)

    def wants_committee(self, committee_id: str | None, title: str | None) -> bool:
        """True if no committee filter is set, or the committee's id or title matches one of them."""
        if not self.committees:
            return True
        for wanted in self.committees:
            w = wanted.strip().lower()
            if committee_id is not None and w == str(committee_id).strip().lower():
                return True
            if title and w in title.lower():
                return True
        return False


@dataclass(frozen=True)
class ExtractSettings:
    """Where papers are extracted: ``local`` worker processes (default) or a ``dask`` cluster."""

    executor: str = "local"
    dask_address: str | None = None
    """a running Dask scheduler, e.g. tcp://HOST:8786 (none: a temporary LocalCluster of ``workers``)"""
    workers: int = 1


@dataclass(frozen=True)
class Config:
    """The whole configuration file."""

    path: Path
    db: Path
    data_dir: Path
    schedule: str = "0 6 * * *"
    timezone: str = "Europe/London"
    days_back: int = 28
    days_forward: int = 7
    fetch: FetchSettings = field(default_factory=FetchSettings)
    sources: tuple[Source, ...] = ()
    extract: ExtractSettings = field(default_factory=ExtractSettings)

    def select(self, names: list[str] | None) -> list[Source]:
        """The named sources (all when ``names`` is empty); an unknown name is a ConfigError."""
        if not names:
            return list(self.sources)
        by_name = {s.name.lower(): s for s in self.sources}
        chosen = []
        for name in names:
            if name.lower() not in by_name:
                known = ", ".join(s.name for s in self.sources) or "none"
                raise ConfigError(f"{self.path}: no source named {name!r} (configured: {known})")
            chosen.append(by_name[name.lower()])
        return chosen


def _check_keys(where: str, table: dict, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def _typed(where: str, table: dict, key: str, kind: type | tuple[type, ...], default):
    if key not in table:
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(f"{where}: {key} = {value!r} should be a {names}")
    return value


def _http_url(where: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: url {url!r} must be an http:// or https:// address")
    return url


def _source(path: Path, base: Path, i: int, table: dict) -> Source:
    where = f"{path}: [[source]] #{i + 1}"
    _check_keys(
        where,
        table,
        {"name", "type", "url", "path", "glob", "committees", "council", "title", "paper_date", "allowed_hosts"},
    )
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f'{where}: every source needs a name (the council, e.g. name = "West Sussex")')
    where = f"{path}: source {name!r}"
    kind = table.get("type")
    if kind not in SOURCE_TYPES:
        raise ConfigError(f"{where}: type = {kind!r}; use one of {', '.join(SOURCE_TYPES)}")
    committees = _typed(where, table, "committees", list, [])
    hosts = _typed(where, table, "allowed_hosts", list, [])
    paper_date = table.get("paper_date")
    if paper_date is not None and not isinstance(paper_date, date):
        raise ConfigError(f"{where}: paper_date must be a TOML date (paper_date = 2024-01-31)")
    url = table.get("url")
    folder = table.get("path")
    if kind == "folder":
        if not isinstance(folder, str):
            raise ConfigError(f'{where}: a folder source needs path = "..."')
        folder_path = Path(folder)
        folder_path = folder_path if folder_path.is_absolute() else base / folder_path
    else:
        folder_path = None
        if not isinstance(url, str):
            raise ConfigError(f'{where}: a {kind} source needs url = "https://..."')
        _http_url(where, url)
    return Source(
        name=name.strip(),
        type=kind,
        url=url,
        path=folder_path,
        glob=_typed(where, table, "glob", str, "**/*"),
        committees=tuple(str(c) for c in committees),
        council=_typed(where, table, "council", str, None),
        title=_typed(where, table, "title", str, None),
        paper_date=paper_date,
        allowed_hosts=tuple(str(h) for h in hosts),
    )


def parse_config(text: str, path: Path) -> Config:
    """A Config from TOML text; relative paths are relative to the file's folder."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _check_keys(str(path), raw, {"collect", "fetch", "source", "extract"})
    base = path.resolve().parent
    collect = raw.get("collect", {})
    where = f"{path}: [collect]"
    _check_keys(where, collect, {"db", "data_dir", "schedule", "timezone", "days_back", "days_forward"})
    db = Path(_typed(where, collect, "db", str, "data/warehouse.duckdb"))
    data_dir = Path(_typed(where, collect, "data_dir", str, "data"))
    schedule = _typed(where, collect, "schedule", str, "0 6 * * *")
    if len(schedule.split()) != 5:
        raise ConfigError(f"{where}: schedule = {schedule!r} is not a five-field cron expression")
    fetch_raw = raw.get("fetch", {})
    where_fetch = f"{path}: [fetch]"
    defaults = FetchSettings()
    _check_keys(where_fetch, fetch_raw, set(defaults.__dataclass_fields__) | {"contact"})
    values = {}
    for key in defaults.__dataclass_fields__:
        default = getattr(defaults, key)
        kind = (int, float) if isinstance(default, float) else type(default)
        values[key] = _typed(where_fetch, fetch_raw, key, kind, default)
        if isinstance(values[key], int | float) and values[key] < 0:
            raise ConfigError(f"{where_fetch}: {key} must not be negative")
    for key in ("per_host_concurrency", "workers", "max_bytes"):
        if values[key] < 1:
            raise ConfigError(f"{where_fetch}: {key} must be at least 1")
    contact = _typed(where_fetch, fetch_raw, "contact", str, None)
    if contact and "user_agent" not in fetch_raw:
        values["user_agent"] = f"{DEFAULT_USER_AGENT[:-1]}; contact: {contact})"
    sources_raw = raw.get("source", [])
    if not isinstance(sources_raw, list):
        raise ConfigError(f"{path}: sources are written as [[source]] tables")
    sources = tuple(_source(path, base, i, t) for i, t in enumerate(sources_raw))
    names = [s.name.lower() for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: two sources have the same name")
    return Config(
        extract=_extract(path, raw.get("extract", {})),
        path=path,
        db=db if db.is_absolute() else base / db,
        data_dir=data_dir if data_dir.is_absolute() else base / data_dir,
        schedule=schedule,
        timezone=_typed(where, collect, "timezone", str, "Europe/London"),
        days_back=_typed(where, collect, "days_back", int, 28),
        days_forward=_typed(where, collect, "days_forward", int, 7),
        fetch=FetchSettings(**values),
        sources=sources,
    )


def _extract(path: Path, table: dict) -> ExtractSettings:
    where = f"{path}: [extract]"
    _check_keys(where, table, {"executor", "dask_address", "workers"})
    executor = _typed(where, table, "executor", str, "local")
    if executor not in ("local", "dask"):
        raise ConfigError(f"{where}: executor = {executor!r}: use 'local' or 'dask'")
    workers = _typed(where, table, "workers", int, 1)
    if workers < 1:
        raise ConfigError(f"{where}: workers must be at least 1")
    return ExtractSettings(executor, _typed(where, table, "dask_address", str, None), workers)


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: no configuration file (copy councilkpi.example.toml to councilkpi.toml and edit it)"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return parse_config(text, path)
