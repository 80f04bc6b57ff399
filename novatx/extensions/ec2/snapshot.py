"""
Recent views of each project's instances, for the Describe actions.

EC2's Describe calls are polled (boto3's waiters, dashboards, autoscalers) and
AWS documents them as eventually consistent. L{Snapshots} keeps what the store
answered for a project for C{[ec2] describe_cache_seconds}, and forgets
everything as soon as the internal API reports a change to any instance in this
process (C{add_observer}): a change made here is seen by the next Describe; a
change made by another worker process is seen within that many seconds. Callers
asking while the store is being read share that one read.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet.defer import Deferred, succeed

from novatx.compute.records import Instance


class Snapshots:
    """
    The instances of each project, as last read, and reads in flight.

    @ivar read: C{read(context)} -> Deferred firing with the project's instances.
    @ivar clock: an C{IReactorTime}.
    @ivar lifetime: seconds a read is reused (0: only shared while in flight).
    """

    def __init__(self, read: Callable[[Any], Deferred], clock: Any, lifetime: float) -> None:
        self.read = read
        self.clock = clock
        self.lifetime = lifetime
        self._generation = 0
        self._done: dict[str, tuple[float, list[Instance]]] = {}
        self._reading: dict[str, tuple[int, list[Deferred]]] = {}

    def changed(self, instance_uuid: str = "") -> None:
        """An instance changed: forget every snapshot, and reads already begun."""
        self._generation += 1
        self._done.clear()

    def instances(self, context: Any) -> Deferred:
        """Fire with C{context}'s project's instances, fresh enough."""
        project = context.project_id
        done = self._done.get(project)
        if done is not None and self.clock.seconds() - done[0] < self.lifetime:
            return succeed(done[1])
        reading = self._reading.get(project)
        if reading is not None and reading[0] == self._generation:
            waiter: Deferred = Deferred()
            reading[1].append(waiter)
            return waiter
        waiters: list[Deferred] = []
        generation = self._generation
        self._reading[project] = (generation, waiters)
        started = self.clock.seconds()

        def finished(result: Any) -> Any:
            if self._reading.get(project, (None,))[0] == generation:
                del self._reading[project]
            if isinstance(result, list) and generation == self._generation and self.lifetime:
                self._done[project] = (started, result)
            for waiter in waiters:
                waiter.callback(result)
            return result

        return self.read(context).addBoth(finished)
