"""One module per CLI command; each has ``register(subparsers)``. Add new commands to ``COMMANDS``."""

from pipeline.commands import extract, ingest, query, report, review, trace, verify  # auditor tools

COMMANDS = [ingest, extract, query]
COMMANDS += [trace, verify, review, report]
