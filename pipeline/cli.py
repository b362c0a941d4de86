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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
