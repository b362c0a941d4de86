"""One module per CLI command; each has ``register(subparsers)``. Add new commands to ``COMMANDS``."""

from pipeline.commands import extract, ingest, query, serve

COMMANDS = [ingest, extract, query, serve]
