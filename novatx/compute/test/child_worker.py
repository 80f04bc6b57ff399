"""
A worker process for the tests that kill one: starts a L{ComputeService} on
the URL given, creates one server, prints its uuid, and serves until killed.

    python -m novatx.compute.test.child_worker URL BOOT_SECONDS CLAIM_SECONDS
"""

from __future__ import annotations

import sys

from twisted.internet import defer, reactor

from novatx.compute.interfaces import CreateRequest
from novatx.compute.service import ComputeService
from novatx.compute.test.support import ALICE, fast_config


async def main(url: str, boot: float, claim: float) -> None:
    conf = fast_config(url, boot_seconds=boot, claim_seconds=claim)
    service = ComputeService(conf, reactor)
    await service.startService()
    images = await service.api.list_images(ALICE, filters={"name": "cirros"})
    created = await service.api.create_servers(ALICE, CreateRequest(
        name="doomed", flavor_id="1", image_id=images.items[0].id))
    sys.stdout.write("%s %s\n" % (created[0].uuid, service.worker_id))
    sys.stdout.flush()


if __name__ == "__main__":
    url, boot, claim = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])

    def start() -> None:
        def failed(failure):
            sys.stderr.write(failure.getTraceback())
            reactor.stop()
        defer.ensureDeferred(main(url, boot, claim)).addErrback(failed)

    reactor.callWhenRunning(start)
    reactor.run()
