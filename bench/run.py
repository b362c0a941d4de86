"""Benchmark: councilkpi end-to-end pages/s against bare pdfplumber on the same pages, in one run (`make bench`)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "pdf"
RESULTS = ROOT / "bench" / "results.json"


def build_corpus(folder: Path, min_pages: int) -> tuple[int, int]:
    """Copies of the sample PDFs under new names, each with a PDF comment appended so every sha256 differs."""
    import pypdfium2 as pdfium

    samples = sorted(SAMPLES.glob("*.pdf"))
    pages_of = {p: len(pdfium.PdfDocument(p)) for p in samples}
    folder.mkdir(parents=True, exist_ok=True)
    pages = papers = 0
    round_ = 0
    while pages < min_pages:
        for p in samples:
            data = p.read_bytes() + f"\n% councilkpi bench copy {round_}\n".encode()
            (folder / f"r{round_:03}_{p.name}").write_bytes(data)
            pages += pages_of[p]
            papers += 1
        round_ += 1
    return papers, pages


def build_scan_corpus(folder: Path, min_pages: int, dpi: int = 200) -> tuple[int, int]:
    """Image-only copies of the sample PDFs' pages (as tests/scans.py makes them, slightly turned, a little noise),
    one page a paper, for the OCR measurement."""
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT))
    from tests.scans import pdf_pages, scan_pdf

    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    while pages < min_pages:
        for p in sorted(SAMPLES.glob("*.pdf")):
            data = p.read_bytes()
            for index in range(len(pdfium.PdfDocument(data))):
                if pages >= min_pages:
                    return pages, pages
                scan = scan_pdf(pdf_pages(data, [index]), dpi=dpi, angle=0.5, noise=8, seed=pages)
                (folder / f"scan{pages:03}_{p.stem}_p{index + 1}.pdf").write_bytes(scan)
                pages += 1
    return pages, pages


class DescendantPeakRSS:
    """Peak RSS (VmHWM) of every process below this one, polled from /proc: the workers are the fork server's
    children, so RUSAGE_CHILDREN does not see them."""

    def __init__(self) -> None:
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _descendants(self) -> list[int]:
        parent: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        found, frontier = [], [os.getpid()]
        while frontier:
            pid = frontier.pop()
            kids = [c for c, pp in parent.items() if pp == pid]
            found += kids
            frontier += kids
        return found

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            for pid in self._descendants():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(line.split()[1]))
                except OSError:
                    continue

    def __enter__(self) -> DescendantPeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def max_mb(self) -> float:
        return max(self.peak_kb.values(), default=0) / 1024


# --- measurements, each run in its own process (python bench/run.py --measure NAME ...) ---------------------------


def measure_baseline(corpus: Path, **_: object) -> dict:
    import pdfplumber

    n = 0
    started = time.perf_counter()
    for path in sorted(corpus.glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                n += 1
    return {"seconds": time.perf_counter() - started, "pages": n}


def measure_ingest(corpus: Path, db: Path, workers: int, backend: str, **_: object) -> dict:
    from pipeline.collect import collect
    from pipeline.pool import Limits
    from pipeline.stages import ingest
    from warehouse.db import connect

    with DescendantPeakRSS() as watch:
        started = time.perf_counter()
        con = connect(db)
        summary = ingest(
            con,
            collect([corpus]),
            command="bench",
            limits=Limits(workers=workers) if workers else None,
            pdf_backend=backend,
        )
        con.close()
        seconds = time.perf_counter() - started
    return {
        "worker_peak_rss_mb": watch.max_mb,
        "seconds": seconds,
        "pages": sum(o.n_pages for o in summary.outcomes),
        "loaded": summary.count("loaded"),
        "skipped": summary.count("skipped"),
        "failed": summary.count("failed"),
    }


def measure_prefect(corpus: Path, db: Path, **_: object) -> dict:
    """Prefect's own cost: import, the temporary server's start, then a flow run over unchanged papers."""
    started = time.perf_counter()
    from pipeline import prefect_env
    from pipeline.flow import ingest_flow

    imported = time.perf_counter()
    with prefect_env.prefect_api() as startup:
        flow_started = time.perf_counter()
        summary = ingest_flow([str(corpus)], str(db))
        done = time.perf_counter()
    assert summary.count("loaded") == 0
    return {
        "seconds": done - started,
        "import_seconds": imported - started,
        "server_start_seconds": startup or 0.0,
        "flow_seconds": done - flow_started,
    }


def measure_dask(corpus: Path, db: Path, workers: int, backend: str, **_: object) -> dict:
    """The ingest flow with each paper a Prefect task on a Dask LocalCluster of ``workers`` processes.

    The Prefect server and the cluster are started first and timed apart: ``seconds`` is the flow run itself.
    """
    import dask
    from distributed import LocalCluster

    from pipeline import prefect_env
    from pipeline.dask_executor import DaskSettings, local_cluster_kwargs
    from pipeline.flow import dask_ingest_flow
    from pipeline.pool import Limits

    dask.config.set({"distributed.worker.daemon": False})
    with DescendantPeakRSS() as watch, prefect_env.prefect_api() as server_start:
        cluster_started = time.perf_counter()
        # as `ingest --executor dask --workers N` starts it (workers import the task code as they start)
        with LocalCluster(**local_cluster_kwargs(workers)) as cluster:
            started = time.perf_counter()
            flow = dask_ingest_flow(DaskSettings(address=cluster.scheduler_address))
            summary = flow([str(corpus)], str(db), limits=Limits(workers=1), dask_workers=workers, pdf_backend=backend)
            seconds = time.perf_counter() - started
    return {
        "worker_peak_rss_mb": watch.max_mb,
        "seconds": seconds,
        "cluster_start_seconds": started - cluster_started,
        "server_start_seconds": server_start or 0.0,
        "pages": sum(o.n_pages for o in summary.outcomes),
        "loaded": summary.count("loaded"),
        "failed": summary.count("failed"),
    }


MEASURES = {"baseline": measure_baseline, "ingest": measure_ingest, "prefect": measure_prefect, "dask": measure_dask}


def _child(args: argparse.Namespace) -> None:
    result = MEASURES[args.measure](
        corpus=Path(args.corpus), db=Path(args.db or "unused"), workers=args.workers, backend=args.backend
    )
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run(measure: str, corpus: Path, db: Path | None = None, workers: int = 1, backend: str = "pdfplumber") -> dict:
    cmd = [sys.executable, __file__, "--measure", measure, "--corpus", str(corpus), "--workers", str(workers)]
    cmd += ["--backend", backend] + (["--db", str(db)] if db else [])
    label = f"{measure} workers={workers} backend={backend}" if measure in ("ingest", "dask") else measure
    print(f"  running {label} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds_with_process_start"] = wall
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=300, help="at least this many pages (default: %(default)s)")
    parser.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="pdfplumber", help=argparse.SUPPRESS)
    parser.add_argument("--no-prefect", action="store_true", help="skip measuring Prefect's start-up cost")
    parser.add_argument(
        "--ocr-pages",
        type=int,
        default=20,
        help="scanned pages for the OCR measurement (default: %(default)s; 0: skip)",
    )
    args = parser.parse_args()
    if args.measure:
        _child(args)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="councilkpi-bench-"))
    os.environ["PREFECT_HOME"] = str(tmp / "prefect")
    try:
        corpus = tmp / "corpus"
        half = tmp / "half"
        papers, pages = build_corpus(corpus, args.pages)
        build_corpus(half, args.pages // 2)
        print(f"corpus: {papers} papers, {pages} pages in {corpus}", file=sys.stderr)
        r: dict[str, dict] = {}
        r["baseline"] = run("baseline", corpus)
        r["e2e_1_worker"] = run("ingest", corpus, tmp / "w1.duckdb", 1)
        r["unchanged_rerun"] = run("ingest", corpus, tmp / "w1.duckdb", 1)
        r["e2e_2_workers"] = run("ingest", corpus, tmp / "w2.duckdb", 2)
        r["e2e_1_worker_half_corpus"] = run("ingest", half, tmp / "wh.duckdb", 1)
        r["pdfium_1_worker"] = run("ingest", corpus, tmp / "p1.duckdb", 1, "pdfium")
        r["pdfium_2_workers"] = run("ingest", corpus, tmp / "p2.duckdb", 2, "pdfium")
        if not args.no_prefect:
            r["prefect_unchanged_run"] = run("prefect", corpus, tmp / "w1.duckdb")
        if args.ocr_pages:
            from extractors.ocr import available, engine_problem

            if available():
                build_scan_corpus(tmp / "scans", args.ocr_pages)
                r["ocr_1_worker"] = run("ingest", tmp / "scans", tmp / "o1.duckdb", 1)
            else:
                print(f"OCR not measured: {engine_problem()}", file=sys.stderr)
        r["dask_2_workers"] = run("dask", corpus, tmp / "d2.duckdb", 2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base_pps = r["baseline"]["pages"] / r["baseline"]["seconds"]
    rows = []
    for name, m in r.items():
        pps = m["pages"] / m["seconds"] if m.get("pages") else None
        m["pages_per_second"] = pps
        m["ratio_to_baseline"] = pps / base_pps if pps else None
        rows.append((name, m))
    single = r["e2e_1_worker"]["pages_per_second"]
    summary = {
        "corpus": {"papers": papers, "pages": pages},
        "cpu_count": os.cpu_count(),
        "results": r,
        "targets": {
            "e2e_1_worker_vs_baseline (>= 0.9)": r["e2e_1_worker"]["ratio_to_baseline"],
            "e2e_2_workers_vs_1_worker (>= 1.7)": r["e2e_2_workers"]["pages_per_second"] / single,
            "pdfium_1_worker_vs_baseline (>= 5)": r["pdfium_1_worker"]["ratio_to_baseline"],
            "pdfium_2_workers_vs_baseline (>= 5)": r["pdfium_2_workers"]["ratio_to_baseline"],
            "unchanged_rerun_seconds (< 1)": r["unchanged_rerun"]["seconds"],
        },
    }
    if "ocr_1_worker" in r:
        summary["ocr_pages_per_second_1_worker"] = r["ocr_1_worker"]["pages_per_second"]
    if "dask_2_workers" in r:
        summary["targets"]["dask_2_workers_vs_1_local_worker (>= 1.6)"] = (
            r["dask_2_workers"]["pages_per_second"] / single
        )
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")

    print(f"\ncorpus: {papers} papers, {pages} pages; {os.cpu_count()} CPUs\n")
    header = f"{'run':28} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'× base':>7} {'RSS MB':>7} {'workers MB':>10}"
    print(header)
    print("-" * len(header))
    for name, m in rows:
        pps = f"{m['pages_per_second']:.1f}" if m["pages_per_second"] else ""
        ratio = f"{m['ratio_to_baseline']:.2f}" if m["ratio_to_baseline"] else ""
        print(
            f"{name:28} {m.get('pages', ''):>6} {m['seconds']:>8.2f} {pps:>8} {ratio:>7} "
            f"{m['peak_rss_mb']:>7.0f} {m.get('worker_peak_rss_mb', 0):>10.0f}"
        )
    if "prefect_unchanged_run" in r:
        p = r["prefect_unchanged_run"]
        print(
            f"\nPrefect start-up: import {p['import_seconds']:.2f} s, temporary server {p['server_start_seconds']:.2f} s, "
            f"flow run with nothing to do {p['flow_seconds']:.2f} s"
        )
    if "ocr_1_worker" in r:
        o = r["ocr_1_worker"]
        print(
            f"\nOCR: {o['pages']} scanned pages (200 dpi) on one worker: {o['pages_per_second']:.2f} pages/s "
            f"({o['seconds'] / o['pages']:.2f} s a page, {o['loaded']} loaded, {o['failed']} failed)"
        )
    if "dask_2_workers" in r:
        d = r["dask_2_workers"]
        print(f"Dask: LocalCluster start {d['cluster_start_seconds']:.2f} s (not in its row)")
    print("\ntargets:")
    for k, v in summary["targets"].items():
        print(f"  {k:40} {v:.2f}")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
