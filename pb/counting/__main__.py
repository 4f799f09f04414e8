"""Command line: ``python -m pb.counting tally FILE.pb [--rule RULE] ...``.

Prints the outcome as one JSON object on stdout; errors go to stderr with exit status 1
(2 for bad usage).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from pb.counting.errors import CountingError
from pb.counting.pabulib import read_pb
from pb.counting.rules import RULES, UTILITIES, count


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Counting and file errors are printed to stderr (status 1), never raised; argparse
    exits with status 2 on bad usage.
    """
    parser = argparse.ArgumentParser(prog="python -m pb.counting", description="Cyd's vote counting engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    tally = commands.add_parser("tally", help="count a Pabulib .pb file and print the outcome as JSON")
    tally.add_argument("file", help="the .pb file")
    tally.add_argument("--rule", choices=list(RULES), help="rule to use (default: the file's META rule)")
    tally.add_argument("--tie-break", help="tie-break order, e.g. score-desc,cost-asc,id-asc")
    tally.add_argument("--utility", choices=UTILITIES, help="equalshares utilities (default: cost)")
    tally.add_argument("--threshold", help="greedy-threshold minimum score (default: META)")
    tally.add_argument("--stop-when-exhaustive", action="store_true", help="add1: stop at the first exhaustive outcome")
    tally.add_argument("--greedy-fill", action="store_true", help="equalshares: spend what is left greedily")
    tally.add_argument("--ordinal-length", type=int, help="L for ordinal ballots (default: META max_length)")
    tally.add_argument("--increment", help="add1: endowment step in money units (default: 1)")
    commands.add_parser("rules", help="list the rules")
    args = parser.parse_args(argv)
    if args.command == "rules":
        for name, spec in RULES.items():
            print(f"{name}: {spec.description}")
        return 0
    try:
        instance, profile = read_pb(args.file)
        rule = args.rule or instance.rule
        if rule not in RULES:
            raise CountingError(f"the file's rule is {rule!r}, which Cyd does not count; choose one with --rule")
        options: dict[str, Any] = {}
        if args.tie_break:
            options["tie_break"] = args.tie_break
        if args.ordinal_length is not None:
            options["ordinal_length"] = args.ordinal_length
        accepted = RULES[rule].options
        for key, value in (
            ("utility", args.utility),
            ("threshold", args.threshold),
            ("stop_when_exhaustive", args.stop_when_exhaustive or None),
            ("greedy_fill", args.greedy_fill or None),
            ("increment", args.increment),
        ):
            if value is not None:
                if key not in accepted:
                    raise CountingError(f"--{key.replace('_', '-')} does not apply to rule {rule}")
                options[key] = value
        outcome = count(instance, profile, rule, **options)
    except CountingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    json.dump(outcome.to_dict(), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
