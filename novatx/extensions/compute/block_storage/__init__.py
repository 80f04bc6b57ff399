"""
The Block Storage API (cinder v3) subset on the compute port, under C{/volume}.

The openstack CLI and openstacksdk manage volumes through cinder's v3 API:
this answers the part of it they and tempest use (volumes, their metadata and
extension, snapshots, the default volume type, limits, availability zones) in
cinder's shapes and microversions, from the block storage of the internal API
(L{novatx.compute.volumes}), which keeps every volume: a face, not a fork.
"""

from novatx.extensions.compute.block_storage._api import BlockStorage

__all__ = ["BlockStorage"]
