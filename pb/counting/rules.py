"""The rules Cyd can count with, named as Pabulib's META ``rule`` field names them, and
:func:`count`, the single entry point the app and the command line use."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pb.counting.amounts import Money, as_amount
from pb.counting.election import Election, compile_election
from pb.counting.equalshares import compare_with_greedy, equal_shares
from pb.counting.errors import CountingError
from pb.counting.greedy import RuleRun, greedy
from pb.counting.model import Instance, Profile
from pb.counting.outcome import Outcome, ProjectResult, money_json
from pb.counting.phragmen import phragmen
from pb.counting.tiebreak import normalise_tie_break, tie_ranks

UTILITIES = ("cost", "score")


@dataclass(frozen=True)
class RuleSpec:
    """A rule: what it does, and the options it accepts (besides ``tie_break`` and
    ``ordinal_length``, which every rule accepts)."""

    description: str
    options: tuple[str, ...] = ()


_MES_OPTIONS = ("utility", "greedy_fill")
_ADD1_OPTIONS = ("utility", "stop_when_exhaustive", "greedy_fill", "increment")

RULES: dict[str, RuleSpec] = {
    "greedy": RuleSpec("projects by score, highest first; fund each that still fits"),
    "greedy-no-skip": RuleSpec("projects by score; stop at the first that does not fit"),
    "greedy-threshold": RuleSpec(
        "greedy over projects whose score reaches the threshold (META min_project_score_threshold unless given)",
        ("threshold",),
    ),
    "equalshares": RuleSpec("Method of Equal Shares, each voter holding budget / n", _MES_OPTIONS),
    "equalshares-comparison": RuleSpec(
        "equalshares, replaced by greedy if strictly more voters prefer greedy", _MES_OPTIONS
    ),
    "equalshares/add1": RuleSpec(
        "Method of Equal Shares from floor(budget / n) per voter, raised by 1 until the "
        "outcome overspends; the last outcome that fits wins",
        _ADD1_OPTIONS,
    ),
    "equalshares/add1-comparison": RuleSpec(
        "equalshares/add1, replaced by greedy if strictly more voters prefer greedy",
        _ADD1_OPTIONS,
    ),
    "phragmen": RuleSpec("sequential Phragmén (approval ballots)"),
}

COMMON_OPTIONS = ("tie_break", "ordinal_length")


def count(instance: Instance, profile: Profile, rule: str | None = None, **options: Any) -> Outcome:
    """Count the ballots of ``profile`` on ``instance`` with ``rule``.

    ``rule`` defaults to the instance's META ``rule``. Options: ``tie_break`` (an order such
    as ``"score-desc,cost-asc,id-asc"``, the default); ``ordinal_length`` (L for ordinal
    ballots, default META ``max_length`` or the longest ballot); ``threshold`` for
    ``greedy-threshold``; for the equalshares rules ``utility`` (``"cost"``, the default,
    or ``"score"``: one unit per approval, or the points given) and ``greedy_fill``
    (default false); for the add1 rules also ``stop_when_exhaustive`` (default false) and
    ``increment`` (default 1: the endowment step in the instance's money units; an app
    counting in pence passes 100 to step by one pound, as Pabulib steps by one unit).

    Raises:
        CountingError: unknown rule or option, bad option value, ballots that do not match
            the instance, or a rule that cannot count this kind of ballot.
    """
    name = rule if rule is not None else instance.rule
    if name is None:
        raise CountingError("no rule given and the instance records none")
    spec = RULES.get(name)
    if spec is None:
        raise CountingError(f"unknown rule {name!r}; known rules: {', '.join(RULES)}")
    allowed = COMMON_OPTIONS + spec.options
    for key in options:
        if key not in allowed:
            raise CountingError(f"rule {name} has no option {key!r}; it accepts {', '.join(allowed)}")
    tie_break = normalise_tie_break(options.get("tie_break"))
    length = options.get("ordinal_length")
    if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 1):
        raise CountingError(f"ordinal_length must be a positive integer, not {length!r}")
    election = compile_election(instance, profile, length)
    ranks = tie_ranks(election, tie_break)
    in_force: dict[str, Any] = {"tie_break": tie_break}
    run = _dispatch(name, instance, election, ranks, options, in_force)
    return _outcome(name, instance, election, run, tie_break, in_force)


def _dispatch(
    name: str,
    instance: Instance,
    election: Election,
    ranks: list[int],
    options: dict[str, Any],
    in_force: dict[str, Any],
) -> RuleRun:
    """Run rule ``name``, recording the options in force.

    Raises:
        CountingError: bad option values, or no threshold for ``greedy-threshold``.
    """
    if name == "greedy":
        return greedy(election, ranks)
    if name == "greedy-no-skip":
        return greedy(election, ranks, skip=False)
    if name == "greedy-threshold":
        threshold = _threshold(instance, options.get("threshold"))
        in_force["threshold"] = money_json(threshold)
        return greedy(election, ranks, threshold=threshold)
    if name == "phragmen":
        return phragmen(election, ranks)
    utility = options.get("utility", "cost")
    if utility not in UTILITIES:
        raise CountingError(f"utility must be one of {', '.join(UTILITIES)}, not {utility!r}")
    greedy_fill = _flag(options, "greedy_fill")
    add1 = name.startswith("equalshares/add1")
    stop = _flag(options, "stop_when_exhaustive") if add1 else False
    increment = as_amount(options.get("increment", 1), "increment")
    if increment <= 0:
        raise CountingError(f"increment must be positive, not {increment}")
    in_force.update(utility=utility, greedy_fill=greedy_fill)
    if add1:
        in_force.update(stop_when_exhaustive=stop, increment=money_json(increment))
    run = equal_shares(
        election,
        ranks,
        utility=utility,
        add1=add1,
        stop_when_exhaustive=stop,
        greedy_fill=greedy_fill,
        increment=increment,
    )
    if name.endswith("-comparison"):
        run = compare_with_greedy(election, ranks, run)
    return run


def _flag(options: dict[str, Any], key: str) -> bool:
    """A boolean option (default false).

    Raises:
        CountingError: the value is not a bool.
    """
    value = options.get(key, False)
    if not isinstance(value, bool):
        raise CountingError(f"{key} must be true or false, not {value!r}")
    return value


def _threshold(instance: Instance, given: object) -> Money:
    """The score threshold of ``greedy-threshold``.

    Raises:
        CountingError: none given and none in META, or not a number.
    """
    if given is not None:
        return as_amount(given, "threshold")
    value = instance.meta_amount("min_project_score_threshold")
    if value is None:
        raise CountingError(
            "greedy-threshold needs a threshold: pass threshold= or set META min_project_score_threshold"
        )
    return value


def _outcome(
    name: str,
    instance: Instance,
    election: Election,
    run: RuleRun,
    tie_break: str,
    options: dict[str, Any],
) -> Outcome:
    """Assemble the :class:`Outcome` of a run."""
    chosen = set(run.selected)
    projects: dict[str, ProjectResult] = {}
    for p, pid in enumerate(election.ids):
        fate = dict(run.fates.get(p, {"status": "not-reached"}))
        projects[pid] = ProjectResult(
            id=pid,
            cost=election.costs[p],
            score=election.unscaled_score(p),
            votes=election.votes[p],
            selected=p in chosen,
            **fate,
        )
    return Outcome(
        rule=name,
        selected=[election.ids[p] for p in run.selected],
        total_cost=sum((election.costs[p] for p in run.selected), 0),
        budget=election.budget,
        tie_break=tie_break,
        projects=projects,
        ballot_hash=election.ballot_hash,
        instance_hash=instance_hash(instance),
        options=options,
        details=dict(run.details),
    )


def instance_hash(instance: Instance) -> str:
    """A SHA-256 fingerprint of what the count depends on in the instance: the budget and
    each project's id and cost (lines ``id<TAB>cost`` sorted by id, after a header
    ``cyd-instance/1`` and the budget). Names and other columns do not count."""
    lines = sorted(f"{p.id}\t{p.cost}" for p in instance.projects.values())
    text = "cyd-instance/1\n" + f"{instance.budget}\n" + "\n".join(lines)
    return hashlib.sha256(text.encode()).hexdigest()
