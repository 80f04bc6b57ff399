"""
The router over real HTTP: routing, versions, project ids, links, actions,
controller extensions, faults, and the clashes refused at start.
"""

from __future__ import annotations

import json

from twisted.internet.defer import inlineCallbacks, succeed
from twisted.trial.unittest import TestCase
from zope.interface import implementer

from novatx.compute import exceptions
from novatx.compute.fields import ExtraField
from novatx.config import make_config
from novatx.extensions import compute as compute_extensions
from novatx.extensions.interfaces import (
    Action,
    IControllerExtension,
    IPolicyDefaultsProvider,
    IServerFieldProvider,
    Response,
    Route,
)
from novatx.extensions.loading import ExtensionLoadError
from novatx.resources import faults
from novatx.resources.router import table_for
from novatx.resources.runtime import forget
from novatx.resources.test._routerkit import (
    Resourceful,
    build_runtime,
    client,
    manager,
    serve,
    user_headers,
    without_core,
)


def _things(**kw):
    def index(request):
        return {
            "things": [],
            "version": str(request.version),
            "self": request.project_url("things"),
            "plain": request.url("things"),
            "bookmark": request.bookmark("things"),
        }

    def show(request, thing_id):
        return {"thing": {"id": thing_id}}

    routes = [
        Route("/things", ("GET",), index, "things.index"),
        Route("/things/<thing_id>", ("GET",), show, "things.show", min_version="2.5"),
        Route("/open", ("GET",), lambda r: {"open": r.context is None}, "things.open", auth=False),
    ]
    return Resourceful("things", routes, **kw)


@implementer(IControllerExtension)
class Colourful:
    """Adds a colour to every thing and a 'paint' action."""

    name = "Colourful"
    alias = "colourful"
    version = 1
    api = "osapi_compute"
    extends = "things"

    def setup(self, context):
        pass

    def actions(self):
        return [Action("paint", lambda r, thing_id, body: {"painted": thing_id, "with": body}, status=200)]

    def schema_properties(self, endpoint, version):
        return {}

    def extend_response(self, request, endpoint, document):
        if "thing" in document:
            document["thing"]["colour"] = "blue"
        return succeed(None)


class RoutingTests(TestCase):
    def setUp(self):
        self.client = client(self)

    @inlineCallbacks
    def _get(self, url, **headers):
        response = yield self.client.get(url, headers=headers or user_headers())
        body = yield response.content()
        return response, (json.loads(body) if body else None)

    @inlineCallbacks
    def test_route_served_at_v21_with_version_headers(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/things")
        self.assertEqual(response.code, 200)
        self.assertEqual(body["version"], "2.1")
        self.assertEqual(response.headers.getRawHeaders("OpenStack-API-Version"), ["compute 2.1"])
        self.assertEqual(response.headers.getRawHeaders("X-OpenStack-Nova-API-Version"), ["2.1"])
        self.assertEqual(
            response.headers.getRawHeaders("Vary"), ["OpenStack-API-Version, X-OpenStack-Nova-API-Version"]
        )
        self.assertEqual(response.headers.getRawHeaders("Content-Type"), ["application/json"])

    @inlineCallbacks
    def test_bodies_are_sent_with_their_length(self):
        served = serve(self, [_things()])
        for path in ("/v2.1/things", "/v2.1/nothing"):
            response = yield self.client.get(served.url + path, headers=user_headers())
            body = yield response.content()
            self.assertEqual(response.length, len(body), path)

    @inlineCallbacks
    def test_legacy_v2_reports_2_0_without_version_headers(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2/things",
                                         **user_headers(**{"OpenStack-API-Version": "compute 2.50"}))
        self.assertEqual(response.code, 200)
        self.assertEqual(body["version"], "2.0")
        self.assertIsNone(response.headers.getRawHeaders("OpenStack-API-Version"))
        self.assertIsNone(response.headers.getRawHeaders("Vary"))

    @inlineCallbacks
    def test_route_absent_below_its_min_version_is_404(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/things/t1")
        self.assertEqual(response.code, 404)
        self.assertEqual(body, {"itemNotFound": {"code": 404, "message": "The resource could not be found."}})
        response, body = yield self._get(
            served.url + "/v2.1/things/t1", **user_headers(**{"OpenStack-API-Version": "compute 2.5"})
        )
        self.assertEqual((response.code, body["thing"]["id"]), (200, "t1"))

    @inlineCallbacks
    def test_unknown_path_is_item_not_found(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/nothing/here")
        self.assertEqual(response.code, 404)
        self.assertEqual(body["itemNotFound"]["code"], 404)
        self.assertEqual(response.headers.getRawHeaders("X-OpenStack-Nova-API-Version"), ["2.1"])

    @inlineCallbacks
    def test_wrong_method_is_bad_method_naming_allowed_ones(self):
        served = serve(self, [_things()])
        response = yield served.client.delete(served.url + "/v2.1/things", headers=user_headers())
        body = yield response.json()
        self.assertEqual(response.code, 405)
        self.assertEqual(body["badMethod"]["message"], "The method DELETE is not allowed for this resource.")
        self.assertIn("GET", response.headers.getRawHeaders("Allow")[0])

    @inlineCallbacks
    def test_path_not_utf8_is_a_bad_request_fault(self):
        served = serve(self, [_things()])
        for path in ("/v2.1/things/%ff%fe", "/v2.1/%c3"):
            response, body = yield self._get(served.url + path)
            self.assertEqual((path, response.code), (path, 400))
            self.assertEqual(body, {"badRequest": {"code": 400, "message": "Non-UTF-8 encoding in URL."}})
        response, _ = yield self._get(served.url + "/v2.1/things")
        self.assertEqual(response.code, 200)

    @inlineCallbacks
    def test_trailing_slash_is_the_same_route(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/things/")
        self.assertEqual((response.code, body["things"]), (200, []))

    @inlineCallbacks
    def test_doubled_slashes_are_not_redirected(self):
        served = serve(self, [_things()])
        response, body = yield self._get(
            served.url + "/v2.1/things//t1", **user_headers(**{"OpenStack-API-Version": "compute 2.5"})
        )
        self.assertEqual((response.code, list(body)), (404, ["itemNotFound"]))

    @inlineCallbacks
    def test_project_id_in_url_is_served_and_kept_in_links(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/p1/things", **user_headers(project="p1"))
        self.assertEqual(response.code, 200)
        self.assertEqual(body["self"], served.url + "/v2.1/p1/things")
        self.assertEqual(body["plain"], served.url + "/v2.1/things")
        self.assertEqual(body["bookmark"], served.url + "/p1/things")

    @inlineCallbacks
    def test_hex_project_id_of_someone_else_is_refused(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/0ddba11/things", **user_headers(project="p1"))
        self.assertEqual(response.code, 400)
        self.assertEqual(
            body["badRequest"]["message"],
            "Malformed request URL: URL's project_id '0ddba11' doesn't match Context's project_id 'p1'",
        )

    @inlineCallbacks
    def test_links_follow_the_host_header(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/things", **user_headers(Host="api.example:8774"))
        self.assertEqual(body["self"], "http://api.example:8774/v2.1/things")
        self.assertEqual(body["bookmark"], "http://api.example:8774/things")

    @inlineCallbacks
    def test_a_path_asked_again_is_routed_by_method_and_arguments(self):
        served = serve(self, [_things()])
        v25 = user_headers(**{"OpenStack-API-Version": "compute 2.5"})
        for thing_id in ("t1", "t2", "t1"):
            response, body = yield self._get(served.url + "/v2.1/things/" + thing_id, **v25)
            self.assertEqual((response.code, body["thing"]["id"]), (200, thing_id))
        for _ in range(2):
            response = yield served.client.delete(served.url + "/v2.1/things/t1", headers=v25)
            yield response.content()
            self.assertEqual(response.code, 405)
        response, body = yield self._get(served.url + "/v2.1/things/t1")
        self.assertEqual(response.code, 404)

    @inlineCallbacks
    def test_versions_asked_in_turn_are_each_served(self):
        served = serve(self, [_things()])
        for asked, served_at in (("compute 2.5", "2.5"), ("compute 2.7", "2.7"), ("compute 2.5", "2.5")):
            response, body = yield self._get(
                served.url + "/v2.1/things", **user_headers(**{"OpenStack-API-Version": asked})
            )
            self.assertEqual(body["version"], served_at)
        for _ in range(2):
            response, body = yield self._get(
                served.url + "/v2.1/things", **user_headers(**{"OpenStack-API-Version": "compute 2"})
            )
            self.assertEqual(response.code, 400)

    @inlineCallbacks
    def test_links_follow_each_requests_host(self):
        served = serve(self, [_things()])
        for host in ("a.example:8774", "b.example", "a.example:8774"):
            _, body = yield self._get(served.url + "/v2.1/things", **user_headers(Host=host))
            self.assertEqual(body["self"], "http://%s/v2.1/things" % host)

    @inlineCallbacks
    def test_forwarded_headers_ignored_unless_enabled(self):
        proxied = user_headers(**{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cloud.example"})
        served = serve(self, [_things()])
        _, body = yield self._get(served.url + "/v2.1/things", **proxied)
        self.assertEqual(body["self"], served.url + "/v2.1/things")
        conf = make_config([])
        conf.set_override("enable_proxy_headers_parsing", True, group="oslo_middleware")
        served = serve(self, [_things()], conf=conf)
        _, body = yield self._get(served.url + "/v2.1/things", **proxied)
        self.assertEqual(body["self"], "https://cloud.example/v2.1/things")

    @inlineCallbacks
    def test_route_needing_a_caller_without_one_is_401(self):
        served = serve(self, [_things()])
        response, body = yield self._get(served.url + "/v2.1/things", Accept="application/json")
        self.assertEqual(response.code, 401)
        self.assertEqual(body["unauthorized"]["code"], 401)
        response, body = yield self._get(served.url + "/v2.1/open", Accept="*/*")
        self.assertEqual((response.code, body), (200, {"open": True}))

    @inlineCallbacks
    def test_image_routes_only_under_image(self):
        image = Route("/v2/images", ("GET",), lambda r: {"images": [], "root": r.url()}, "img.index", root="image")
        served = serve(self, [Resourceful("img", [image])])
        response, body = yield self._get(served.url + "/image/v2/images")
        self.assertEqual((response.code, body["root"]), (200, served.url + "/image"))
        self.assertIsNone(response.headers.getRawHeaders("OpenStack-API-Version"))
        response, _ = yield self._get(served.url + "/v2.1/v2/images")
        self.assertEqual(response.code, 404)

    @inlineCallbacks
    def test_response_object_sets_status_headers_and_bytes(self):
        route = Route(
            "/raw",
            ("GET",),
            lambda r: succeed(Response(b"hello", 203, {"X-Thing": "1"}, "text/plain")),
            "raw.get",
        )
        served = serve(self, [Resourceful("raw", [route])])
        response = yield served.client.get(served.url + "/v2.1/raw", headers=user_headers())
        self.assertEqual(response.code, 203)
        self.assertEqual((yield response.content()), b"hello")
        self.assertEqual(response.headers.getRawHeaders("X-Thing"), ["1"])
        self.assertEqual(response.headers.getRawHeaders("Content-Type"), ["text/plain"])

    @inlineCallbacks
    def test_none_is_an_empty_body_with_the_route_status(self):
        route = Route("/gone/<gid>", ("DELETE",), lambda r, gid: None, "gone.delete", status=204)
        served = serve(self, [Resourceful("gone", [route])])
        response = yield served.client.delete(served.url + "/v2.1/gone/1", headers=user_headers())
        self.assertEqual(response.code, 204)
        self.assertEqual((yield response.content()), b"")

    @inlineCallbacks
    def test_coroutine_handlers_are_awaited(self):
        async def show(request):
            return Response({"late": True}, 201)

        served = serve(self, [Resourceful("late", [Route("/late", ("GET",), show, "late.get")])])
        response, body = yield self._get(served.url + "/v2.1/late")
        self.assertEqual((response.code, body), (201, {"late": True}))

    def test_setup_gets_the_runtime_and_extensions_are_listed(self):
        things = _things()
        served = serve(self, [things])
        self.assertIs(things.context, served.runtime)
        self.assertEqual(served.runtime.extensions, {"things": things})


class ActionTests(TestCase):
    def _serve(self):
        def stop(request, thing_id, body):
            return None

        async def rename_later(request, thing_id, body):
            await succeed(None)
            return {"renamed": body["name"]}

        actions = {
            "things": [
                Action("os-stop", stop),
                Action("later", lambda r, i, b: {"late": i}, min_version="2.10", status=200),
                Action("rename", lambda r, i, b: {"renamed": b["name"]}, status=200),
                Action("rename-later", rename_later, status=200),
                Action("decode", lambda r, i, b: json.loads(b), status=200),
            ]
        }
        return serve(self, [_things(actions=actions), Colourful()])

    @inlineCallbacks
    def _post(self, served, body, path="/v2.1/things/t1/action", **headers):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = yield served.client.post(
            served.url + path, data=data, headers=user_headers(**{"Content-Type": "application/json", **headers})
        )
        content = yield response.content()
        return response, (json.loads(content) if content else None)

    @inlineCallbacks
    def test_action_is_dispatched_by_its_key(self):
        served = self._serve()
        response, body = yield self._post(served, {"os-stop": None})
        self.assertEqual((response.code, body), (202, None))

    @inlineCallbacks
    def test_controller_extension_action_joins_the_collection(self):
        served = self._serve()
        response, body = yield self._post(served, {"paint": {"colour": "red"}})
        self.assertEqual((response.code, body), (200, {"painted": "t1", "with": {"colour": "red"}}))

    @inlineCallbacks
    def test_two_keys_is_malformed(self):
        served = self._serve()
        response, body = yield self._post(served, {"os-stop": None, "paint": {}})
        self.assertEqual(response.code, 400)
        self.assertEqual(body["badRequest"]["message"], "Malformed request body")

    @inlineCallbacks
    def test_no_key_and_non_objects_are_malformed(self):
        served = self._serve()
        for payload in ({}, [], "x", None, [{"os-stop": None}]):
            response, body = yield self._post(served, payload)
            self.assertEqual(response.code, 400, payload)
            self.assertEqual(body["badRequest"]["message"], "Malformed request body")

    @inlineCallbacks
    def test_unknown_action_is_named(self):
        served = self._serve()
        response, body = yield self._post(served, {"os-fly": None})
        self.assertEqual(response.code, 400)
        self.assertEqual(body["badRequest"]["message"], "There is no such action: os-fly")

    @inlineCallbacks
    def test_action_below_its_version_is_404(self):
        served = self._serve()
        response, _ = yield self._post(served, {"later": None})
        self.assertEqual(response.code, 404)
        response, body = yield self._post(served, {"later": None}, **{"X-OpenStack-Nova-API-Version": "2.10"})
        self.assertEqual((response.code, body), (200, {"late": "t1"}))

    @inlineCallbacks
    def test_a_handler_reading_a_missing_key_is_a_400(self):
        served = self._serve()
        for action in ("rename", "rename-later"):
            response, body = yield self._post(served, {action: {"label": "x"}})
            self.assertEqual(response.code, 400, action)
            self.assertEqual(
                body, {"badRequest": {"code": 400, "message":
                                      "Invalid input for action %s: name is required." % action}})
            response, body = yield self._post(served, {action: {"name": "x"}})
            self.assertEqual((response.code, body), (200, {"renamed": "x"}))

    @inlineCallbacks
    def test_a_handler_indexing_a_body_of_another_type_is_a_400(self):
        served = self._serve()
        for action in ("rename", "rename-later"):
            for payload in ("x", None, ["name"]):
                response, body = yield self._post(served, {action: payload})
                self.assertEqual(response.code, 400, (action, payload))
                self.assertTrue(body["badRequest"]["message"].startswith(
                    "Invalid input for action %s: " % action), body)

    @inlineCallbacks
    def test_a_type_error_raised_below_the_handler_is_still_a_500(self):
        served = self._serve()
        response, body = yield self._post(served, {"decode": {"name": "x"}})
        self.assertEqual(response.code, 500)
        self.assertEqual(1, len(self.flushLoggedErrors(TypeError)))

    @inlineCallbacks
    def test_controller_extension_extends_responses(self):
        served = self._serve()
        response = yield served.client.get(
            served.url + "/v2.1/things/t9", headers=user_headers(**{"OpenStack-API-Version": "compute latest"})
        )
        body = yield response.json()
        self.assertEqual(body, {"thing": {"id": "t9", "colour": "blue"}})
        self.assertEqual(response.headers.getRawHeaders("OpenStack-API-Version"), ["compute 2.104"])


def _raising(error):
    def handler(request):
        raise error

    return Route("/boom", ("GET",), handler, "boom.get")


class FaultMappingTests(TestCase):
    @inlineCallbacks
    def _answer(self, error):
        served = serve(self, [Resourceful("boom", [_raising(error)])])
        response = yield served.client.get(served.url + "/v2.1/boom", headers=user_headers())
        return response, (yield response.json())

    @inlineCallbacks
    def test_internal_api_kinds_become_nova_faults(self):
        cases = [
            (exceptions.InstanceNotFound(instance_id="i1"), 404, "itemNotFound", "Instance i1 could not be found."),
            (exceptions.Invalid(reason="nope"), 400, "badRequest", "Bad request: nope"),
            (exceptions.NotAuthorized(), 403, "forbidden", "Not authorized."),
            (exceptions.InstanceIsLocked(instance_uuid="u"), 409, "conflictingRequest", "Instance u is locked"),
            (exceptions.QuotaExceeded(overs="instances", req=1, used=10, allowed=10), 403, "forbidden", None),
            (exceptions.NotSupported(reason="no"), 501, "notImplemented", "Not supported: no"),
            (exceptions.DatabaseUnavailable(reason="down"), 503, "serviceUnavailable", None),
        ]
        for error, status, name, message in cases:
            response, body = yield self._answer(error)
            self.assertEqual(response.code, status, error)
            self.assertEqual(list(body), [name])
            self.assertEqual(body[name]["message"], message or str(error))

    @inlineCallbacks
    def test_rate_limit_is_413_with_retry_after(self):
        response, body = yield self._answer(exceptions.OverLimit(reason="slow down", retry_after=7))
        self.assertEqual(response.code, 413)
        self.assertEqual(body, {"overLimit": {"code": 413, "message": "Quota exceeded: slow down", "retryAfter": "7"}})
        self.assertEqual(response.headers.getRawHeaders("Retry-After"), ["7"])

    @inlineCallbacks
    def test_unexpected_error_is_a_logged_compute_fault_and_the_server_keeps_serving(self):
        async def later(request):
            raise ZeroDivisionError("the secret internals of a failure")

        routes = [
            _raising(ZeroDivisionError("the secret internals of a failure")),
            Route("/later", ("GET",), later, "boom.later"),
        ]
        served = serve(self, [Resourceful("boom", routes), _things()])
        for path in ("/v2.1/boom", "/v2.1/later"):
            response = yield served.client.get(served.url + path, headers=user_headers())
            body = yield response.content()
            self.assertEqual((path, response.code), (path, 500))
            self.assertEqual(response.headers.getRawHeaders("Content-Type"), ["application/json"])
            self.assertEqual(
                json.loads(body),
                {"computeFault": {"code": 500, "message": faults.INTERNAL_ERROR_MESSAGE}},
            )
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 2)
        response = yield served.client.get(served.url + "/v2.1/things", headers=user_headers())
        self.assertEqual(response.code, 200)
        yield response.content()

    @inlineCallbacks
    def test_unexpected_error_of_other_apis_is_in_their_format(self):
        route = Route("/", ("GET",), lambda r: 1 / 0, "front.get", auth=False)
        served = serve(self, [Resourceful("front", [route], api="ec2")], api_name="ec2")
        response = yield served.client.get(served.url + "/")
        body = yield response.content()
        self.assertEqual(response.code, 500)
        self.assertIn(b"<Code>InternalError</Code>", body)
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)

    @inlineCallbacks
    def test_other_apis_answer_in_their_own_format(self):
        served = serve(self, [Resourceful("front", [], api="ec2")], api_name="ec2")
        response = yield served.client.get(served.url + "/nothing")
        body = yield response.content()
        self.assertEqual(response.code, 404)
        self.assertIn(b"<Code>InvalidAction</Code>", body)
        served = serve(self, [Resourceful("tree", [], api="metadata")], api_name="metadata")
        response = yield served.client.get(served.url + "/nothing")
        self.assertEqual(response.code, 404)
        self.assertEqual((yield response.content()), b"The resource could not be found.\n")

    @inlineCallbacks
    def test_other_apis_bodies_are_left_to_the_handler(self):
        route = Route("/", ("POST",),
                      lambda r: Response(r.raw.content.read(), content_type="text/xml"),
                      "front.post", auth=False)
        served = serve(self, [Resourceful("front", [route], api="ec2")], api_name="ec2")
        response = yield served.client.post(
            served.url + "/", data=b"Action=DescribeInstances",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual(response.code, 200)
        self.assertEqual((yield response.content()), b"Action=DescribeInstances")


class _FakeCompute:
    def __init__(self):
        self.fields = []

    def register_fields(self, fields):
        for field in fields:
            if field.name in {f.name for f in self.fields}:
                raise ValueError("field %s declared twice" % field.name)
            self.fields.append(field)


@implementer(IServerFieldProvider, IPolicyDefaultsProvider)
class _Fielded(Resourceful):
    def __init__(self, alias, field_name, routes=()):
        super().__init__(alias, routes)
        self.field_name = field_name

    def fields(self):
        return [ExtraField(self.field_name, "string", "x")]

    def policies(self):
        from oslo_policy.policy import RuleDefault

        return [RuleDefault("things:%s" % self.alias, "rule:project_member_or_admin")]


class StartTests(TestCase):
    """What the table refuses at start, naming the parties."""

    def setUp(self):
        without_core(self)

    def _build(self, extensions, conf=None, compute=None):
        runtime, key = build_runtime("osapi_compute", conf, compute)
        self.addCleanup(forget, key)
        return table_for(runtime, manager=manager(*extensions), hook_manager=manager())

    def test_duplicate_route_refused_naming_both(self):
        one = Resourceful("one", [Route("/things/<a>", ("GET",), None, "one.show")])
        two = Resourceful("two", [Route("/things/<b>", ("GET", "PUT"), None, "two.show")])
        error = self.assertRaises(ExtensionLoadError, self._build, [one, two])
        self.assertEqual(str(error), "Duplicate route GET /things/<b>: 'one' (one.show) and 'two' (two.show)")

    def test_same_path_in_other_versions_is_no_duplicate(self):
        one = Resourceful("one", [Route("/t", ("GET",), None, "one.old", max_version="2.9")])
        two = Resourceful("two", [Route("/t", ("GET",), None, "two.new", min_version="2.10")])
        self.assertEqual(len(self._build([one, two]).groups["api"]), 1)

    def test_duplicate_endpoint_refused(self):
        one = Resourceful("one", [Route("/a", ("GET",), None, "same.name")])
        two = Resourceful("two", [Route("/b", ("GET",), None, "same.name")])
        error = self.assertRaises(ExtensionLoadError, self._build, [one, two])
        self.assertEqual(str(error), "Duplicate endpoint 'same.name': routes of 'one' and 'two'")

    def test_duplicate_action_refused_naming_both(self):
        one = Resourceful("things", [], {"things": [Action("paint", None)]})
        error = self.assertRaises(ExtensionLoadError, self._build, [one, Colourful()])
        self.assertEqual(str(error), "Duplicate action 'paint' on things: served by both 'things' and 'colourful'")

    def test_route_on_an_action_path_refused(self):
        one = Resourceful("things", [Route("/things/<i>/action", ("POST",), None, "things.act")],
                          {"things": [Action("a", None)]})
        error = self.assertRaises(ExtensionLoadError, self._build, [one])
        self.assertIn("Duplicate route POST /things/<resource_id>/action", str(error))

    def test_missing_core_extension_refused(self):
        self.patch(compute_extensions, "CORE_ALIASES", ("servers", "things", "flavors"))
        error = self.assertRaises(ExtensionLoadError, self._build, [_things()])
        self.assertEqual(str(error), "Missing core API extensions: servers, flavors")

    def test_unregistered_policy_rule_refused(self):
        one = Resourceful("one", [Route("/a", ("GET",), None, "one.a", policy="os_compute_api:nothing")])
        error = self.assertRaises(ExtensionLoadError, self._build, [one])
        self.assertIn("Policy rule 'os_compute_api:nothing' of route one.a of 'one' is not registered", str(error))

    def test_extension_fields_reach_the_internal_api_with_their_owner(self):
        compute = _FakeCompute()
        self._build([_Fielded("one", "one:colour")], compute=compute)
        self.assertEqual(compute.fields, [ExtraField("one:colour", "string", "x", owner="one")])

    def test_a_rebuild_over_the_same_internal_api_registers_nothing_again(self):
        compute = _FakeCompute()
        self._build([_Fielded("one", "one:colour")], compute=compute)
        self._build([_Fielded("one", "one:colour"), _Fielded("two", "two:size")], compute=compute)
        self.assertEqual([f.name for f in compute.fields], ["one:colour", "two:size"])

    def test_a_field_declared_twice_is_refused(self):
        compute = _FakeCompute()
        error = self.assertRaises(
            ExtensionLoadError, self._build, [_Fielded("one", "f"), _Fielded("two", "f")], compute=compute
        )
        self.assertEqual(str(error), "Extension field 'f' declared by both 'one' and 'two'")
        self.assertEqual(compute.fields, [])

    def test_a_field_clashing_inside_the_internal_api_is_refused(self):
        compute = _FakeCompute()
        self._build([_Fielded("one", "f")], compute=compute)
        error = self.assertRaises(ExtensionLoadError, self._build, [_Fielded("two", "f")], compute=compute)
        self.assertEqual(str(error), "Extension fields clash: field f declared twice")

    def test_an_extension_failing_at_start_is_named(self):
        class Failing(Resourceful):
            def __init__(self, method):
                super().__init__("failing", [Route("/f", ("GET",), None, "failing.get")], {"f": []})
                self.method = method

            def setup(self, context):
                if self.method == "setup":
                    raise RuntimeError("no database")

            def routes(self):
                if self.method == "routes":
                    raise KeyError("colour")
                return super().routes()

            def actions(self):
                if self.method == "actions":
                    raise TypeError("bad")
                return super().actions()

        for method, error_text in (
            ("setup", "RuntimeError: no database"),
            ("routes", "KeyError: 'colour'"),
            ("actions", "TypeError: bad"),
        ):
            error = self.assertRaises(ExtensionLoadError, self._build, [Failing(method)])
            self.assertEqual(str(error), "Extension 'failing' failed in %s(): %s" % (method, error_text))

    def test_malformed_routes_and_actions_are_refused_naming_them(self):
        cases = [
            (Resourceful("one", [("/a", "GET")]), "Extension 'one' returned ('/a', 'GET') from routes(), not a Route"),
            (Resourceful("one", [Route("a", ("GET",), None, "one.a")]),
             "Route one.a of 'one' has path 'a'; it must start with '/'"),
            (
                Resourceful("one", [Route("/a", "GET", None, "one.a")]),
                "Route one.a of 'one' has methods 'GET'; they must be a tuple of upper-case names",
            ),
            (
                Resourceful("one", [Route("/a", ("get",), None, "one.a")]),
                "Route one.a of 'one' has methods ('get',); they must be a tuple of upper-case names",
            ),
            (
                Resourceful("one", [Route("/a", ("GET",), None, "one.a", min_version="2.x")]),
                "Route one.a of 'one' has a version range that is not MajorNum.MinorNum: '2.x'..None",
            ),
            (
                Resourceful("one", [Route("/a", ("GET",), None, "one.a", min_version=2)]),
                "Route one.a of 'one' has a version range that is not MajorNum.MinorNum: 2..None",
            ),
            (
                Resourceful("one", [Route("/a", ("GET",), None, "one.a", min_version="2.10", max_version="2.9")]),
                "Route one.a of 'one' has an empty version range 2.10..2.9",
            ),
            (
                Resourceful("one", [Route("/a", ("GET",), None, "one.a", root="v3")]),
                "Route one.a of 'one' has root 'v3'; it must be one of api, image, volume, networking",
            ),
            (
                Resourceful("one", [Route("/a", ("POST",), None, "one.a", schema=[("2.1", "2.x", {})])]),
                "Route one.a (its schema) of 'one' has a version range that is not MajorNum.MinorNum: '2.1'..'2.x'",
            ),
            (
                Resourceful("one", [Route("/a", ("POST",), None, "one.a", schema=[{}])]),
                "Route one.a of 'one' has a schema that is neither a dict nor "
                "(min_version, max_version, schema) triples",
            ),
            (Resourceful("one", [], {"one": ["os-stop"]}),
             "Extension 'one' returned 'os-stop' from actions(), not an Action"),
            (
                Resourceful("one", [], {"one": [Action("go", None, max_version="three")]}),
                "Action 'go' of 'one' has a version range that is not MajorNum.MinorNum: None..'three'",
            ),
        ]
        for extension, message in cases:
            error = self.assertRaises(ExtensionLoadError, self._build, [extension])
            self.assertEqual(str(error), message)
