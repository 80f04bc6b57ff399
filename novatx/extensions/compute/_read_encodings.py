"""
The answers encoded from one listing read, shared by the requests it answers.

Listings asked for together share one read (L{novatx.compute.coalesce}): every
request of the batch gets the same page object, and all of them are answered
in the same turn of the reactor, one after another. Most ask in the same shape
(microversion, policy, links' root, query), so their answers are the same
bytes; building the document and encoding it once per batch instead of once
per request is most of what a busy listing costs on top of the read.

Nothing here can be stale: the bytes belong to one read, and the next read is
a new page object, which drops them.
"""

from __future__ import annotations

from typing import Hashable


class ReadEncodings:
    """
    The encodings of the last page read, by shape.

    Pages are matched by identity, not equality: two reads never share
    encodings, so an answer always comes from a read that began after its
    request arrived, as L{CoalescedReads} promises.
    """

    #: Shapes kept per page at most: a batch's requests ask in a few shapes,
    #: but the links' host is the client's to choose.
    MAX_SHAPES = 16

    def __init__(self) -> None:
        self._page: object = None
        self._bodies: dict[Hashable, bytes] = {}

    def get(self, page: object, shape: Hashable) -> bytes | None:
        """What was encoded from C{page} in C{shape}, or None."""
        if page is not self._page:
            return None
        return self._bodies.get(shape)

    def keep(self, page: object, shape: Hashable, body: bytes) -> None:
        """Keep C{body}, C{page} encoded in C{shape}, forgetting older pages."""
        if page is not self._page:
            self._page = page
            self._bodies = {}
        if len(self._bodies) < self.MAX_SHAPES:
            self._bodies[shape] = body
