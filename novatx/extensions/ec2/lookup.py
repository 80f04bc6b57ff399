"""
Finding the instances an EC2 request names, terminated ones included.

AWS keeps a terminated instance visible for about an hour; the store
soft-deletes it. L{visible_instances} asks for the live instances and for the
ones deleted within C{[ec2] terminated_instance_seconds}, in one ascending
order of EC2 id (the order paging relies on).
"""

from __future__ import annotations

import datetime
from typing import Any, Sequence

from twisted.internet.defer import Deferred, FirstError, gatherResults
from twisted.python.failure import Failure

from novatx.compute.interfaces import ServerQuery
from novatx.compute.records import Instance
from novatx.extensions.ec2.errors import EC2Error, incorrect_instance_state
from novatx.extensions.ec2.ids import parse_instance_id
from novatx.extensions.ec2.states import TERMINATED, ec2_state


#: The terminated instances are asked for from a whole minute on, so that the
#: polls of one minute ask the same query (which the read cache answers from
#: memory while nothing changed); the window is cut exactly here.
_WINDOW_STEP = 60


def visible_instances(action: Any, context: Any, **fields: Any) -> Deferred:
    """
    Fire with the caller's instances (live, and terminated within the window)
    matching the L{ServerQuery} C{fields}, sorted by id.

    @param action: an L{novatx.extensions.ec2.base.EC2Action} after setup.
    """
    window = action.config.ec2.terminated_instance_seconds
    since = action.clock.seconds() - window
    start = since - since % _WINDOW_STEP
    queries = [action.compute.list_servers(context, ServerQuery(**fields))]
    if window:
        queries.append(
            action.compute.list_servers(context, ServerQuery(
                deleted=True, changes_since=datetime.datetime.fromtimestamp(
                    start, datetime.timezone.utc), **fields))
        )
    cut = datetime.datetime.fromtimestamp(since, datetime.timezone.utc)

    def merge(pages: list[Any]) -> list[Instance]:
        by_id = {}
        for number, page in enumerate(pages):
            for instance in page.items:
                stamp = instance.updated_at or instance.created_at
                if number == 0 or (stamp is not None and stamp >= cut):
                    by_id.setdefault(instance.id, instance)
        return [by_id[key] for key in sorted(by_id)]

    return gatherResults(queries, consumeErrors=True).addCallbacks(merge, first_error)


def first_error(failure: Failure) -> Failure:
    """The failure inside C{gatherResults}' C{FirstError}, so it maps to its EC2 code."""
    failure.trap(FirstError)
    return failure.value.subFailure


def parse_ids(ids: Sequence[str]) -> list[int]:
    """The integers behind C{i-} ids, refusing the first malformed one."""
    return [parse_instance_id(text) for text in ids]


def named_instances(action: Any, context: Any, ids: Sequence[str], verb: str | None = None) -> Deferred:
    """
    Fire with the instances C{ids} name, in the order named, as the store has
    them now; fail with C{InvalidInstanceID.NotFound} naming those that are not
    visible.

    @param verb: what the caller does to them (C{"tagged"}), when a terminated
        instance, still visible but gone from the store's live records, cannot
        be: C{IncorrectInstanceState} then, naming it by its EC2 id.
    """
    numbers = parse_ids(ids)
    found = visible_instances(action, context, ec2_ids=tuple(set(numbers)))
    found.addCallback(pick_named, ids, numbers)
    if verb is not None:
        found.addCallback(_live, verb)
    return found


def _live(instances: list[Instance], verb: str) -> list[Instance]:
    for instance in instances:
        if ec2_state(instance) == TERMINATED:
            raise incorrect_instance_state(instance.ec2_id, verb)
    return instances


def pick_named(instances: Sequence[Instance], ids: Sequence[str], numbers: Sequence[int]) -> list[Instance]:
    """
    The instances C{ids} (whose integers are C{numbers}) name among
    C{instances}, in the order named; C{InvalidInstanceID.NotFound} for the
    missing ones.
    """
    by_id = {instance.id: instance for instance in instances}
    missing = [text for text, number in zip(ids, numbers) if number not in by_id]
    if missing:
        raise EC2Error(
            "InvalidInstanceID.NotFound",
            "The instance IDs '%s' do not exist" % (", ".join(missing),)
            if len(missing) > 1
            else "The instance ID '%s' does not exist" % (missing[0],),
        )
    return [by_id[number] for number in numbers]
