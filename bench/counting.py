"""Benchmark Cyd's counting engine against pabutools on the largest Pabulib files.

Run from the repository root::

    .venv/bin/python bench/counting.py [--files NAME ...] [--full-pabutools]

Every measurement runs in a fresh child process, so its time includes reading the file
and its peak memory (maximum resident set size) is its own. For each file it measures:

* greedy: ours, and pabutools' exact greedy (``greedy_utilitarian_welfare`` with cost
  satisfaction, i.e. by votes), with our tie-break order; the selections must be equal;
* equalshares/add1: ours in full. pabutools needs 12-50 s for *one* exact MES run on these
  files and add1 needs 60-205 runs, so by default pabutools runs MES exactly at the two
  endowments that decide the result — our final endowment e (its selection must equal
  ours) and e + 1 (it must overspend) — and its full time is estimated as rounds × the
  mean measured run. ``--full-pabutools`` runs its whole add1 loop instead (hours).

Prints a Markdown table (seconds, peak MB, ratio, identical selection).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "pabulib"
DEFAULT_FILES = ("Poland_Warszawa_2026", "Poland_Lodz_2022", "Poland_Wroclaw_2015_150_-_500")


def _peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ours(path: str, rule: str) -> dict[str, Any]:
    """Read and count with our engine."""
    sys.path.insert(0, str(REPO))
    from pb.counting import count, read_pb

    start = time.perf_counter()
    instance, profile = read_pb(path)
    outcome = count(instance, profile, rule)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "selected": outcome.selected,
        "details": {k: str(v) for k, v in outcome.details.items()},
        "n_voters": len(profile),
        "budget": str(instance.budget),
    }


def child_pabutools(path: str, rule: str, ranks_file: str, endowment: int | None) -> dict[str, Any]:
    """Parse and count with pabutools, exactly (gmpy2 fractions), breaking ties our way."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.election.instance import Instance as PbtInstance
    from pabutools.fractions import frac
    from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    ranks = json.loads(Path(ranks_file).read_text())
    tie = TieBreakingRule(lambda inst, prof, proj: ranks[proj.name])
    start = time.perf_counter()
    instance, profile = parse_pabulib(path)
    n = profile.num_ballots()
    if rule == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
    elif endowment is not None:
        at = PbtInstance(instance, budget_limit=frac(endowment * n))
        result = method_of_equal_shares(at, profile, sat_class=Cost_Sat, tie_breaking=tie)
    else:

        def mes_floor(current: Any, prof: Any, **params: Any) -> Any:
            floored = PbtInstance(current, budget_limit=frac((current.budget_limit // n) * n))
            return method_of_equal_shares(floored, prof, **params)

        result = exhaustion_by_budget_increase(
            instance,
            profile,
            mes_floor,
            {"sat_class": Cost_Sat, "tie_breaking": tie},
            exhaustive_stop=False,
            budget_step=n,
        )
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "selected": [p.name for p in result],
        "total_cost": str(sum(p.cost for p in result)),
    }


def _spawn(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON report.

    Raises:
        RuntimeError: the child failed.
    """
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=REPO, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _ranks(path: Path, directory: str) -> str:
    """Write our tie-break ranks for ``path`` to a JSON file for pabutools' children."""
    sys.path.insert(0, str(REPO))
    from pb.counting import read_pb
    from pb.counting.election import compile_election
    from pb.counting.tiebreak import DEFAULT_TIE_BREAK, tie_ranks

    instance, profile = read_pb(path)
    election = compile_election(instance, profile)
    target = Path(directory) / f"{path.stem}.json"
    target.write_text(json.dumps(dict(zip(election.ids, tie_ranks(election, DEFAULT_TIE_BREAK), strict=True))))
    return str(target)


def bench(files: list[str], full: bool) -> list[dict[str, Any]]:
    """Measure every file; returns one row per (file, rule)."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as directory:
        for name in files:
            path = SHARED / f"{name}.pb"
            ranks = _ranks(path, directory)
            ours = _spawn("ours", str(path), "greedy")
            theirs = _spawn("pabutools", str(path), "greedy", ranks, "")
            rows.append(
                {
                    "file": name,
                    "rule": "greedy",
                    "ours_s": ours["seconds"],
                    "ours_mb": ours["peak_mb"],
                    "pbt_s": theirs["seconds"],
                    "pbt_mb": theirs["peak_mb"],
                    "pbt_note": "full run",
                    "same": ours["selected"] == theirs["selected"],
                }
            )
            _print_row(rows[-1])
            ours = _spawn("ours", str(path), "equalshares/add1")
            rows.append(_add1_row(name, path, ranks, ours, full))
            _print_row(rows[-1])
    return rows


def _add1_row(name: str, path: Path, ranks: str, ours: dict[str, Any], full: bool) -> dict[str, Any]:
    """Compare our add1 with pabutools' (full loop, or its two deciding runs)."""
    # pabutools computes MES at every endowment from floor(budget / n) to the first that
    # overspends; ours skips those it proves identical, so count the endowments, not our runs.
    start = int(ours["budget"]) // int(ours["n_voters"])
    endowments = int(ours["details"]["endowment"]) - start + 2
    row: dict[str, Any] = {
        "file": name,
        "rule": "equalshares/add1",
        "ours_s": ours["seconds"],
        "ours_mb": ours["peak_mb"],
        "rounds": endowments,
    }
    if full:
        theirs = _spawn("pabutools", str(path), "equalshares/add1", ranks, "")
        row.update(
            pbt_s=theirs["seconds"],
            pbt_mb=theirs["peak_mb"],
            pbt_note="full run",
            same=sorted(theirs["selected"]) == sorted(ours["selected"]),
        )
        return row
    endowment = int(ours["details"]["endowment"])
    at_e = _spawn("pabutools", str(path), "equalshares/add1", ranks, str(endowment))
    above = _spawn("pabutools", str(path), "equalshares/add1", ranks, str(endowment + 1))
    budget = int(ours["budget"])
    per_run = (at_e["seconds"] + above["seconds"]) / 2
    note = (
        f"estimated: {row['rounds']} runs x {per_run:.1f} s measured per run (ours: {ours['details']['rounds']} runs)"
    )
    row.update(
        pbt_s=per_run * row["rounds"],
        pbt_mb=max(at_e["peak_mb"], above["peak_mb"]),
        pbt_note=note,
        same=sorted(at_e["selected"]) == sorted(ours["selected"]) and int(above["total_cost"]) > budget,
    )
    return row


def _print_row(row: dict[str, Any]) -> None:
    """One Markdown table line."""
    ratio = row["pbt_s"] / row["ours_s"]
    print(
        f"| {row['file']} | {row['rule']} | {row['ours_s']:.2f} | {row['ours_mb']:.0f} | "
        f"{row['pbt_s']:.1f} | {row['pbt_mb']:.0f} | {ratio:.0f}x | {'yes' if row['same'] else 'NO'} | "
        f"{row['pbt_note']} |",
        flush=True,
    )


def main() -> int:
    """Parse the command line and run the benchmark (or one child measurement)."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, path, rule, *rest = sys.argv[2:]
        if kind == "ours":
            report = child_ours(path, rule)
        else:
            ranks_file, endowment = rest
            report = child_pabutools(path, rule, ranks_file, int(endowment) if endowment else None)
        print(json.dumps(report))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", default=list(DEFAULT_FILES), help="file names without .pb")
    parser.add_argument("--full-pabutools", action="store_true", help="run pabutools' whole add1 loop (hours)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {Path('/proc/cpuinfo').read_text().count('processor')} cores")
    print("| file | rule | ours s | ours peak MB | pabutools s | pabutools peak MB | ratio | same selection | note |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    rows = bench(args.files, args.full_pabutools)
    failures = [row for row in rows if not row["same"]]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
