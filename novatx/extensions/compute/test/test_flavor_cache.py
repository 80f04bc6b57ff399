"""
Flavor listings: exact after a change however it was made, and encoded
listings that answer only the shape they were made in.
"""

from __future__ import annotations

import json

from twisted.internet.defer import inlineCallbacks, succeed
from twisted.trial import unittest
from zope.interface import implementer

from novatx.compute.context import RequestContext, get_admin_context
from novatx.compute.records import Flavor, Page
from novatx.config import make_config
from novatx.extensions.compute.flavors import Flavors
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test
from novatx.extensions.interfaces import IControllerExtension
from novatx.resources.test._routerkit import serve, user_headers


class CachedListingTests(ComputeAPITestCase):
    @async_test
    async def test_changes_through_the_api_show_at_once(self) -> None:
        await self.start()
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 5)
        body = {"flavor": {"name": "new", "ram": 64, "vcpus": 1, "disk": 0, "id": "n1"}}
        self.assertEqual((await self.post("/v2.1/flavors", body, user="admin")).code, 200)
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 6)
        await self.delete("/v2.1/flavors/n1", user="admin")
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 5)

    @async_test
    async def test_a_change_made_past_the_resource_shows_at_once(self) -> None:
        """As one made through another worker: nothing tells this one but the store."""
        await self.start()
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 5)
        await self.compute.create_flavor(get_admin_context(), "direct", 64, 1, 0, flavorid="d1")
        self.assertEqual(len((await self.get("/v2.1/flavors")).body["flavors"]), 6)


class EncodedListingTests(ComputeAPITestCase):
    @async_test
    async def test_each_shape_answers_its_own_links_and_fields(self) -> None:
        await self.start()
        asked = [
            ("/v2.1/flavors/detail", None, "a.example"),
            ("/v2.1/flavors/detail", None, "a.example"),
            ("/v2.1/flavors/detail", None, "b.example:8774"),
            ("/v2.1/flavors/detail", "2.61", "a.example"),
            ("/v2.1/flavors", "2.61", "a.example"),
            ("/v2.1/p1/flavors/detail", None, "a.example"),
            ("/v2.1/flavors/detail?limit=2", None, "a.example"),
            ("/v2.1/flavors/detail", None, "a.example"),
        ]
        for path, version, host in asked:
            answer = await self.get(path, version=version, headers={"Host": host})
            self.assertEqual(answer.code, 200, answer.text)
            tiny = answer.body["flavors"][0]
            own = "http://%s%s/1" % (host, path.split("?")[0].replace("/detail", ""))
            self.assertEqual(tiny["links"][0]["href"], own)
            self.assertEqual("extra_specs" in tiny, version == "2.61" and "detail" in path)
            self.assertEqual("ram" in tiny, "detail" in path)
            self.assertEqual(len(answer.body["flavors"]), 2 if "limit=2" in path else 5)
            self.assertEqual("flavors_links" in answer.body, "limit=2" in path)


@implementer(IControllerExtension)
class _Badged:
    """Marks every flavor of a listing."""

    name = "Badged"
    alias = "badged"
    version = 1
    api = "osapi_compute"
    extends = "flavors"

    def setup(self, context):
        pass

    def actions(self):
        return []

    def schema_properties(self, endpoint, version):
        return {}

    def extend_response(self, request, endpoint, document):
        for flavor in document.get("flavors", ()):
            flavor["badge"] = endpoint
        return succeed(None)


class _OneFlavor:
    """An internal API that knows one flavor."""

    def list_flavors(self, context, **query):
        return succeed(Page((Flavor(1, "1", "one", 512, 1, 1),)))


class ExtendedListingTests(unittest.TestCase):
    @inlineCallbacks
    def test_a_controller_extension_extends_cached_listings_too(self):
        served = serve(self, [Flavors(), _Badged()], conf=make_config([]), compute=_OneFlavor())
        for _ in range(3):
            response = yield served.client.get(served.url + "/v2.1/flavors/detail", headers=user_headers())
            body = json.loads((yield response.content()))
            self.assertEqual([f["badge"] for f in body["flavors"]], ["flavors.detail"])


class _Asked:
    """What L{Flavors._query} reads of a request."""

    def __init__(self, args, is_admin=False):
        self.args = args
        self.version = None
        self.context = RequestContext("u", "p", is_admin=is_admin)


class _Setup:
    compute = None
    reactor = None
    extensions: dict = {}

    def __init__(self):
        self.config = make_config([])


class QueryTests(unittest.TestCase):
    def test_no_parameters_ask_what_the_defaults_spelled_out_ask(self) -> None:
        flavors = Flavors()
        flavors.setup(_Setup())
        spelled = {"sort_key": ["flavorid"], "sort_dir": ["asc"], "is_public": ["true"]}
        for is_admin in (False, True):
            self.assertEqual(
                flavors._query(_Asked({}, is_admin)), flavors._query(_Asked(spelled, is_admin))
            )
