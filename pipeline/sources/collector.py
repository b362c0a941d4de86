"""Collect from configured sources: discover papers, fetch them incrementally, store the bytes, run the stages."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from extractors.metrics import extractor_version
from models.records import Discovery, FetchResult, PaperOutcome, RemotePaper, RunSummary, SourceFile, SourceRun
from pipeline import stages
from pipeline.collect import SUPPORTED, collect
from pipeline.sources import ledger, moderngov, rss, status
from pipeline.sources.config import Config, Source
from pipeline.sources.dates import Window
from pipeline.sources.http import Fetcher, FetchError, SourceUnavailable
from warehouse import load as wl
from warehouse.store import store_bytes, store_path


@dataclass(frozen=True)
class Job:
    """One paper to GET, with the validators of the copy already stored (for a conditional request)."""

    paper: RemotePaper
    hosts: frozenset[str]
    etag: str | None = None
    last_modified: str | None = None


def discover_url(source: Source, fetcher: Fetcher, window: Window) -> Discovery:
    """A single configured URL is one paper."""
    paper = RemotePaper(
        url=source.url or "",
        source_name=source.name,
        council=source.council_name,
        title=source.title,
        paper_date=source.paper_date,
    )
    return Discovery(papers=[paper])


DISCOVERERS: dict[str, Callable[[Source, Fetcher, Window], Discovery]] = {
    "moderngov": moderngov.discover,
    "rss": rss.discover,
    "url": discover_url,
}


def discover(source: Source, fetcher: Fetcher, window: Window) -> Discovery:
    """The papers a web source lists now; SourceUnavailable if the source could not be read at all."""
    try:
        found = DISCOVERERS[source.type](source, fetcher, window)
    except FetchError as exc:
        raise SourceUnavailable(str(exc)) from exc
    return found


def fetch_job(fetcher: Fetcher, job: Job) -> FetchResult:
    """One conditional GET; never raises (an unexpected error becomes a failed result)."""
    try:
        return fetcher.get(job.paper.url, job.hosts, etag=job.etag, last_modified=job.last_modified)
    except Exception as exc:  # a bug or an odd response must not stop the run; the paper is recorded as failed
        return FetchResult(job.paper.url, "failed", reason="error", message=f"{type(exc).__name__}: {exc}")


def fetch_threaded(fetcher: Fetcher, jobs: list[Job]) -> Iterator[tuple[Job, FetchResult]]:
    """Fetch jobs on a thread pool (the Fetcher caps concurrency per host), yielding results as they finish."""
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=fetcher.settings.workers, thread_name_prefix="fetch") as pool:
        futures = {pool.submit(fetch_job, fetcher, job): job for job in jobs}
        for future in as_completed(futures):
            yield futures[future], future.result()


@dataclass(frozen=True)
class CollectSteps:
    """The functions a collection calls; the Prefect flow swaps in task-wrapped versions of the same."""

    discover: Callable[[Source, Fetcher, Window], Discovery] = discover
    fetch_many: Callable[[Fetcher, list[Job]], Iterable[tuple[Job, FetchResult]]] = fetch_threaded
    stages: stages.Steps = stages.PLAIN


PLAIN = CollectSteps()


class Collector:
    """One run over some configured sources, recorded in the `runs` table like any ingest."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | stages.Writer,
        config: Config,
        *,
        fetcher: Fetcher | None = None,
        today: date | None = None,
        steps: CollectSteps = PLAIN,
        retry_failed: bool = False,
        force: bool = False,
        command: str = "collect",
        on_found: Callable[[int], None] | None = None,
        on_paper: Callable[[PaperOutcome], None] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.writer = stages.writer_for(con)
        self.config = config
        self.fetcher = fetcher or Fetcher(config.fetch)
        self.window = Window.around(today or date.today(), config.days_back, config.days_forward)
        self.steps = steps
        self.retry_failed = retry_failed
        self.force = force
        self.command = command
        self.on_found = on_found or (lambda n: None)
        self.on_paper = on_paper or (lambda o: None)
        self.log = log or (lambda m: None)
        self.summary = RunSummary(run_id=str(uuid.uuid4()), db="")

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The write connection (a WriteSession opens it again after letting readers in)."""
        return self.writer.con

    def run(self, sources: list[Source]) -> RunSummary:
        wl.start_run(self.con, self.summary.run_id, extractor_version(), self.command)
        try:
            for source in sources:
                self._source(source)
        finally:
            stages.finish(self.con, self.summary)
            self.writer.release()
        return self.summary

    def _source(self, source: Source) -> None:
        """Collect one source and record its row in source_runs (counts, warnings, status)."""
        run = SourceRun(self.summary.run_id, source.name, source.type, source.council_name, status.now())
        first = len(self.summary.outcomes)
        if source.type == "folder":
            self._folder(source, run)
        else:
            self._web(source, run)
        done = self.summary.outcomes[first:]
        run.n_new = sum(o.status == "loaded" for o in done)
        run.n_unchanged = sum(o.status == "skipped" for o in done)
        run.n_failed = sum(o.status == "failed" for o in done)
        run.finished_at = status.now()
        if run.status != "unavailable":
            drop = status.yield_warning(self.con, run)
            if drop:
                run.warnings.append(drop)
        status.settle(run)
        status.record(self.con, run)
        self.summary.source_runs.append(run)
        for warning in run.warnings if run.status != "unavailable" else []:  # unavailable: logged already
            self.log(f"{source.name}: WARNING: {warning}")

    def _outcome(self, outcome: PaperOutcome) -> None:
        self.summary.outcomes.append(outcome)
        self.on_paper(outcome)

    # -- local folders --------------------------------------------------------------------------------------
    def _folder(self, source: Source, run: SourceRun) -> None:
        assert source.path is not None
        if not source.path.is_dir():
            self._fail(FetchResult(str(source.path), "failed", reason="missing", message="no such folder"), source)
            run.status = "unavailable"
            run.warnings.append(f"no such folder: {source.path}")
            return
        files = sorted(p for p in source.path.glob(source.glob) if p.is_file() and p.suffix.lower() in SUPPORTED)
        found = collect(files, source.paper_date)
        run.documents_listed = len(found)
        self.on_found(len(found))
        self.log(f"{source.name}: {len(found)} file(s) in {source.path}")
        for src in found:
            src = replace(src, council=source.council_name, source_name=source.name)
            try:
                store_bytes(self.config.data_dir, src.path.read_bytes())
            except OSError:
                pass  # the stages record the file as unreadable
            self._process(src)

    # -- web sources ----------------------------------------------------------------------------------------
    def _web(self, source: Source, run: SourceRun) -> None:
        try:
            found = self.steps.discover(source, self.fetcher, self.window)
        except Exception as exc:  # SourceUnavailable, or a listing this code cannot read: the run goes on
            reason = "source_unavailable" if isinstance(exc, SourceUnavailable) else "source_error"
            message = str(exc) if isinstance(exc, SourceUnavailable) else f"{type(exc).__name__}: {exc}"
            self.log(f"{source.name}: could not list papers: {message}")
            self._fail(FetchResult(source.url or "", "failed", reason=reason, message=message), source)
            run.status = "unavailable"
            run.warnings.append(f"could not list papers: {message}")
            return
        run.meetings_seen, run.meetings_cancelled = found.meetings_seen, found.meetings_cancelled
        run.skipped_restricted, run.skipped_links = found.skipped_restricted, found.skipped_links
        run.warnings.extend(found.warnings)
        for note in found.notes:
            self.log(f"{source.name}: {note}")
        for problem in found.problems:
            self._fail(problem, source)
        jobs: dict[str, Job] = {}
        for paper in found.papers:
            if paper.url not in jobs:
                jobs[paper.url] = self._job(paper, source)
        run.documents_listed = len(jobs)
        skipped = f"; {found.skipped_restricted} restricted not fetched" if found.skipped_restricted else ""
        self.log(
            f"{source.name}: {len(jobs)} paper(s) listed for meetings {self.window.start} to {self.window.end}"
            f" ({found.meetings_seen} meeting(s), {found.meetings_cancelled} cancelled{skipped})"
        )
        self.on_found(len(jobs))
        for job, result in self.steps.fetch_many(self.fetcher, list(jobs.values())):
            self._fetched(job, result, source)
            self.writer.release()  # readers may get in while the next download is awaited

    def _job(self, paper: RemotePaper, source: Source) -> Job:
        cached = ledger.cached(self.con, paper.url)
        if cached is None or not store_path(self.config.data_dir, cached.sha256).exists():
            return Job(paper, source.hosts)
        return Job(paper, source.hosts, cached.etag, cached.last_modified)

    def _fetched(self, job: Job, result: FetchResult, source: Source) -> None:
        url = job.paper.url
        if result.status == "ok" and result.data is not None:
            path = store_bytes(self.config.data_dir, result.data)
            ledger.remember(self.con, result, path.name)
        elif result.status == "not_modified":
            cached = ledger.cached(self.con, url)
            path = store_path(self.config.data_dir, cached.sha256) if cached else None
            if path is None or not path.exists():
                bad = FetchResult(url, "failed", reason="not_modified_without_copy", message="304 but no stored copy")
                self._fail(bad, source)
                return
            ledger.touch(self.con, url)
        else:
            self._fail(result, source)
            return
        self._process(job.paper.source_file(path))

    def _process(self, src: SourceFile) -> None:
        outcome = stages.process(
            self.writer,
            src,
            self.summary.run_id,
            retry_failed=self.retry_failed,
            force=self.force,
            steps=self.steps.stages,
        )
        if outcome.paper_id is not None:
            ledger.record_meta(self.con, outcome.paper_id, src)
        self._outcome(outcome)

    def _fail(self, result: FetchResult, source: Source) -> None:
        ledger.record_failure(self.con, result, source.name, self.summary.run_id)
        self._outcome(PaperOutcome(result.url, None, "failed", reason=result.reason, message=result.message))


def collect_sources(
    con: duckdb.DuckDBPyConnection | stages.Writer,
    config: Config,
    sources: list[Source],
    db: Path | str = "",
    **options,
) -> RunSummary:
    """Run the named sources once without Prefect (options as for Collector)."""
    collector = Collector(con, config, **options)
    try:
        summary = collector.run(sources)
    finally:
        if "fetcher" not in options:
            collector.fetcher.close()
    summary.db = str(db or config.db)
    return summary
