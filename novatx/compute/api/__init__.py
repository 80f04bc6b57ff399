"""
The internal compute API (L{IComputeAPI}) over the store.

Each method checks what it can without the database, then runs one
transaction on a database thread (L{novatx.db.store.Store}) and fires with
records. Actions write their intention with this worker's claim and hand the
instance to the driver, which walks the transition in the store.

L{ComputeAPI} is assembled from one part per area, each in its module here
over the shared plumbing of L{novatx.compute.api._base}: a change to key
pairs reads as a change to C{key_pairs.py}.
"""

from __future__ import annotations

from zope.interface import implementer

from novatx.compute.api.aggregates import AggregatesAPI
from novatx.compute.api.deployment import DeploymentAPI
from novatx.compute.api.ec2 import EC2SupportAPI
from novatx.compute.api.flavors import FlavorsAPI
from novatx.compute.api.images import ImagesAPI
from novatx.compute.api.key_pairs import KeyPairsAPI
from novatx.compute.api.moves import MovesAPI
from novatx.compute.api.plugins import PluginsAPI
from novatx.compute.api.quota_sets import QuotasAPI
from novatx.compute.api.server_actions import ServerActionsAPI
from novatx.compute.api.server_groups import ServerGroupsAPI
from novatx.compute.api.servers import ServersAPI
from novatx.compute.interfaces import IComputeAPI
from novatx.compute.api.network import NetworkAPI

__all__ = ["ComputeAPI"]


@implementer(IComputeAPI)
class ComputeAPI(ServersAPI, ServerActionsAPI, FlavorsAPI, ImagesAPI, KeyPairsAPI, QuotasAPI,
                 ServerGroupsAPI, DeploymentAPI, AggregatesAPI, MovesAPI, EC2SupportAPI,
                 NetworkAPI, PluginsAPI):
    """
    The internal API of one worker: every part over one store, clock and
    driver (L{novatx.compute.api._base.ComputeAPIBase} takes them).
    """
