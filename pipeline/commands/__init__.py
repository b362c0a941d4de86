"""One module per CLI command; each has ``register(subparsers)``. Add new commands to ``COMMANDS``."""

from pipeline.commands import (
    browse,
    export,
    extract,
    ingest,
    kpis,
    query,
    report,
    review,
    schema,
    series,
    serve,
    trace,
    verify,
)
from pipeline.commands import eval as eval_cmd
from pipeline.commands import sources as sources_cmd

COMMANDS = [ingest, extract, query, eval_cmd]
COMMANDS += [series, kpis, export, schema]  # analyst commands
COMMANDS += [trace, verify, review, report, browse]  # auditor commands
COMMANDS += [serve, sources_cmd]  # operators: scheduled collection and each source's latest status
