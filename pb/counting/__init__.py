"""Cyd's vote-counting engine: Pabulib instances and profiles, exact counting rules and
explained outcomes. Pure Python and numpy; it knows nothing of Flask or databases.

Typical use::

    from pb.counting import Instance, Profile, count

    instance = Instance.create({"park": 40_000, "library": 25_000}, budget=60_000)
    profile = Profile.from_approvals([["park"], ["park", "library"], ["library"]])
    outcome = count(instance, profile, "equalshares/add1")
    outcome.selected, outcome.to_dict()
"""

from pb.counting.election import ballot_hash
from pb.counting.errors import CountingError, PabulibError
from pb.counting.model import VOTE_TYPES, Ballot, Instance, Money, Profile, Project
from pb.counting.outcome import Outcome, ProjectResult
from pb.counting.pabulib import parse_pb, read_pb
from pb.counting.pabulib_write import dumps_pb, write_pb
from pb.counting.rules import RULES, count, instance_hash
from pb.counting.tiebreak import DEFAULT_TIE_BREAK

__all__ = [
    "DEFAULT_TIE_BREAK",
    "RULES",
    "VOTE_TYPES",
    "Ballot",
    "CountingError",
    "Instance",
    "Money",
    "Outcome",
    "PabulibError",
    "Profile",
    "Project",
    "ProjectResult",
    "ballot_hash",
    "count",
    "dumps_pb",
    "instance_hash",
    "parse_pb",
    "read_pb",
    "write_pb",
]
