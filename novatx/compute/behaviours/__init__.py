"""
Behaviours: failures and delays a test injects on cue, kept in the store.

A behaviour names a scope (a project, and optionally an API with a method and
path pattern, an EC2 action or a server name glob), an effect and how many
times it fires. Every worker and host reads the same ones, and the count is
taken in the store, so a behaviour made to fire once fires once in all.
"""

from novatx.compute.behaviours._actions import action_error
from novatx.compute.behaviours._api import BehavioursAPI
from novatx.compute.behaviours._queries import fire as fire_in_transaction
from novatx.compute.behaviours._records import (
    API_NAMES, COUNTS, EFFECTS, Behaviour, BehaviourSpec, Match)
from novatx.compute.behaviours.exceptions import (
    BehaviourNotFound, ClockNotControlled, InvalidBehaviour)

__all__ = ["API_NAMES", "BehavioursAPI", "Behaviour", "BehaviourNotFound", "BehaviourSpec",
           "COUNTS", "ClockNotControlled", "EFFECTS", "InvalidBehaviour", "Match", "action_error",
           "fire_in_transaction"]
