"""The `councilkpi` command line: one subcommand per module in pipeline/commands/."""

from __future__ import annotations

import argparse
import os
import sys

from pipeline.commands import COMMANDS
from pipeline.output import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="councilkpi",
        description="Turn council committee papers into a traceable time series of performance figures.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("councilkpi")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; an unknown option is reported with the usage of the subcommand it was given to."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = getattr(args, "command", None)
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        target = subparsers.choices.get(command, parser) if command else parser
        target.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from pipeline.pool import WorkerStartError
    from warehouse.db import WarehouseError, set_read_wait

    if args.command != "ingest" and getattr(args, "lock_timeout", None) is not None:
        set_read_wait(args.lock_timeout)  # read commands: how long to wait for a writer

    try:
        return args.func(args)
    except (UserError, WarehouseError, WorkerStartError) as exc:
        print(f"councilkpi {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"councilkpi {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
