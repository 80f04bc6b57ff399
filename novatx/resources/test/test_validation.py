"""
Request bodies: media types, JSON, schemas per version and nova's messages.
"""

from __future__ import annotations

import json

from twisted.internet.defer import inlineCallbacks
from twisted.trial.unittest import TestCase
from zope.interface import implementer

from novatx.compute.fields import ExtraField
from novatx.extensions.interfaces import (
    APIVersion,
    IControllerExtension,
    IServerCreateHook,
    IServerFieldProvider,
    Route,
)
from novatx.resources import validation
from novatx.resources.test._routerkit import Resourceful, serve, user_headers

THING = {
    "type": "object",
    "properties": {
        "thing": {
            "type": "object",
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 255}},
            "required": ["name"],
            "additionalProperties": False,
        }
    },
    "required": ["thing"],
    "additionalProperties": False,
}

THING_2_5 = {
    "type": "object",
    "properties": {
        "thing": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "size": {"type": "integer", "minimum": 1},
            },
            "required": ["name"],
            "additionalProperties": False,
        }
    },
    "required": ["thing"],
    "additionalProperties": False,
}


class UnitTests(TestCase):
    def test_message_names_the_field_and_value(self):
        error = self.assertRaises(validation.ValidationError, validation.validate, THING, {"thing": {"name": ""}})
        self.assertEqual(
            str(error),
            "Invalid input for field/attribute name. Value: . '' should be non-empty",
        )

    def test_top_level_message_is_the_reason_alone(self):
        error = self.assertRaises(validation.ValidationError, validation.validate, THING, [])
        self.assertEqual(str(error), "[] is not of type 'object'")

    def test_relaxed_drops_unknown_properties(self):
        body = {"thing": {"name": "a", "colour": "red"}, "extra": 1}
        validation.validate(THING, body, relaxed=True)
        self.assertEqual(body, {"thing": {"name": "a"}})

    def test_schema_for_picks_the_version_range(self):
        ranged = [("2.1", "2.4", THING), ("2.5", None, THING_2_5)]
        self.assertIs(validation.schema_for(ranged, APIVersion(2, 4)), THING)
        self.assertIs(validation.schema_for(ranged, APIVersion(2, 90)), THING_2_5)
        self.assertIs(validation.schema_for(THING, APIVersion(2, 90)), THING)

    def test_merge_goes_under_the_single_wrapper(self):
        merged = validation.merge_properties(THING, {"colour": {"type": "string"}})
        self.assertIn("colour", merged["properties"]["thing"]["properties"])
        self.assertNotIn("colour", THING["properties"]["thing"]["properties"])

    def test_media_types(self):
        for value in (None, b"", b"application/json", b"application/json; charset=UTF-8", b"text/plain", b"TEXT/PLAIN"):
            self.assertEqual(validation.read_body(b'{"a": 1}', value), {"a": 1})
        for value in (b"application/xml", b"application/x-www-form-urlencoded", b"text/html"):
            self.assertRaises(validation.UnsupportedContentType, validation.read_body, b"{}", value)


@implementer(IControllerExtension)
class Sized:
    name = "Sized"
    alias = "sized"
    version = 1
    api = "osapi_compute"
    extends = "things"

    def setup(self, context):
        pass

    def actions(self):
        return []

    def schema_properties(self, endpoint, version):
        if endpoint == "things.create" and version.matches("2.3", None):
            return {"sized:weight": {"type": "integer"}}
        return {}

    def extend_response(self, request, endpoint, document):
        return None


@implementer(IServerCreateHook, IServerFieldProvider)
class Luck:
    name = "luck"
    writes = ("luck:number",)

    def fields(self):
        return [ExtraField(name="luck:number", type="integer", default=None)]

    def schema_properties(self, version):
        return {"luck:number": {"type": "integer", "minimum": 7}}

    def create_kwargs(self, request, server_body, create_fields):
        create_fields.setdefault("extra", {})["luck:number"] = server_body.get("luck:number")


class OverHTTPTests(TestCase):
    def setUp(self):
        routes = [
            Route("/things", ("POST",), lambda r: {"got": r.body}, "things.create",
                  schema=[("2.1", "2.4", THING), ("2.5", None, THING_2_5)], status=201),
            Route("/servers", ("POST",), lambda r: {"got": r.body}, "servers.create", schema=THING, status=202),
            Route("/open", ("POST",), lambda r: {"got": r.body}, "things.open"),
            Route("/things/<thing_id>", ("GET", "DELETE"),
                  lambda r, thing_id: {"method": r.method, "body": r.body}, "things.show"),
        ]
        self.served = serve(self, [Resourceful("things", routes), Sized()], hooks=[Luck()])

    @inlineCallbacks
    def _post(self, body, path="/v2.1/things", content_type="application/json", **headers):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if content_type is not None:
            headers["Content-Type"] = content_type
        response = yield self.served.client.post(self.served.url + path, data=data, headers=user_headers(**headers))
        content = yield response.content()
        return response, json.loads(content)

    @inlineCallbacks
    def test_valid_body_reaches_the_handler(self):
        response, body = yield self._post({"thing": {"name": "a"}})
        self.assertEqual((response.code, body), (201, {"got": {"thing": {"name": "a"}}}))

    @inlineCallbacks
    def test_json_that_is_not_an_object_is_400(self):
        for payload in ([], "x", None, 3):
            response, body = yield self._post(payload)
            self.assertEqual(response.code, 400, payload)
            self.assertEqual(body["badRequest"]["message"],
                             "%s is not of type 'object'"
                             % json.dumps(payload).replace('"', "'").replace("null", "None"))
            response, body = yield self._post(payload, path="/v2.1/open")
            self.assertEqual(response.code, 400, payload)
            self.assertEqual(body["badRequest"]["message"], "Malformed request body")

    @inlineCallbacks
    def test_broken_json_is_malformed(self):
        for raw in (b"{", b"{'a': 1}", b"\xff\xfe", b'{"thing": }'):
            response, body = yield self._post(raw)
            self.assertEqual(response.code, 400, raw)
            self.assertEqual(body, {"badRequest": {"code": 400, "message": "Malformed request body"}})

    @inlineCallbacks
    def test_deeply_nested_json_is_refused_and_served_on(self):
        response, body = yield self._post(b"[" * 50000 + b"]" * 50000)
        self.assertEqual((response.code, body["badRequest"]["message"]), (400, "Malformed request body"))
        nested = {"thing": {"name": "a", "deep": json.loads("[" * 500 + "]" * 500)}}
        response, body = yield self._post(nested)
        self.assertEqual(response.code, 400)
        self.assertIn("Additional properties are not allowed ('deep' was unexpected)", body["badRequest"]["message"])
        response, _ = yield self._post({"thing": {"name": "still here"}})
        self.assertEqual(response.code, 201)

    @inlineCallbacks
    def test_a_100_kb_string_is_checked_against_max_length(self):
        response, body = yield self._post({"thing": {"name": "x" * 100000}})
        self.assertEqual(response.code, 400)
        message = body["badRequest"]["message"]
        self.assertTrue(message.startswith("Invalid input for field/attribute name. Value: xxx"))
        self.assertTrue(message.endswith("is too long"))

    @inlineCallbacks
    def test_unknown_top_level_keys_refused(self):
        response, body = yield self._post({"thing": {"name": "a"}, "junk": 1})
        self.assertEqual(response.code, 400)
        self.assertEqual(body["badRequest"]["message"], "Additional properties are not allowed ('junk' was unexpected)")

    @inlineCallbacks
    def test_legacy_v2_drops_unknown_keys(self):
        response, body = yield self._post({"thing": {"name": "a", "colour": "red"}, "junk": 1}, path="/v2/things")
        self.assertEqual((response.code, body), (201, {"got": {"thing": {"name": "a"}}}))

    @inlineCallbacks
    def test_schema_follows_the_version(self):
        response, body = yield self._post({"thing": {"name": "a", "size": 2}})
        self.assertEqual(response.code, 400)
        self.assertEqual(
            body["badRequest"]["message"],
            "Invalid input for field/attribute thing. Value: {'name': 'a', 'size': 2}. "
            "Additional properties are not allowed ('size' was unexpected)",
        )
        response, body = yield self._post({"thing": {"name": "a", "size": 2}},
                                          **{"OpenStack-API-Version": "compute 2.5"})
        self.assertEqual(response.code, 201)
        response, body = yield self._post({"thing": {"name": "a", "size": 0}},
                                          **{"OpenStack-API-Version": "compute 2.5"})
        self.assertEqual(
            body["badRequest"]["message"],
            "Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1",
        )

    @inlineCallbacks
    def test_controller_extension_adds_properties_from_its_version(self):
        weighted = {"thing": {"name": "a", "sized:weight": 3}}
        response, _ = yield self._post(weighted, **{"OpenStack-API-Version": "compute 2.2"})
        self.assertEqual(response.code, 400)
        response, body = yield self._post(weighted, **{"OpenStack-API-Version": "compute 2.3"})
        self.assertEqual((response.code, body), (201, {"got": weighted}))

    @inlineCallbacks
    def test_server_create_hooks_add_properties(self):
        response, body = yield self._post({"thing": {"name": "a", "luck:number": 3}}, path="/v2.1/servers")
        self.assertEqual(response.code, 400)
        self.assertEqual(
            body["badRequest"]["message"],
            "Invalid input for field/attribute luck:number. Value: 3. 3 is less than the minimum of 7",
        )
        response, _ = yield self._post({"thing": {"name": "a", "luck:number": 8}}, path="/v2.1/servers")
        self.assertEqual(response.code, 202)

    @inlineCallbacks
    def test_media_types_over_http(self):
        for content_type in (None, "text/plain", "application/json;charset=utf-8"):
            response, _ = yield self._post({"thing": {"name": "a"}}, content_type=content_type)
            self.assertEqual(response.code, 201, content_type)
        for content_type in ("application/xml", "application/x-www-form-urlencoded"):
            response, body = yield self._post({"thing": {"name": "a"}}, content_type=content_type)
            self.assertEqual(response.code, 415, content_type)
            self.assertEqual(body, {"badMediaType": {"code": 415, "message": "Unsupported Content-Type"}})

    @inlineCallbacks
    def test_bodies_of_get_and_delete_are_ignored_their_media_type_is_not(self):
        for method in ("GET", "DELETE"):
            for data, content_type in ((b"{bad", "application/json"), (b"[]", "text/plain"),
                                       (None, "application/json")):
                response = yield self.served.client.request(
                    method, self.served.url + "/v2.1/things/t1", data=data,
                    headers=user_headers(**{"Content-Type": content_type}),
                )
                self.assertEqual((method, data, response.code), (method, data, 200))
                self.assertEqual((yield response.json()), {"method": method, "body": None})
            for data in (b"<a/>", None):
                response = yield self.served.client.request(
                    method, self.served.url + "/v2.1/things/t1", data=data,
                    headers=user_headers(**{"Content-Type": "application/xml"}),
                )
                self.assertEqual((method, data, response.code), (method, data, 415))
                self.assertEqual(
                    (yield response.json()), {"badMediaType": {"code": 415, "message": "Unsupported Content-Type"}}
                )

    @inlineCallbacks
    def test_accept_headers_all_get_json(self):
        for accept in ("", "*/*", "application/json", "application/vnd.openstack.compute+json;version=2.1"):
            response, _ = yield self._post({"thing": {"name": "a"}}, Accept=accept)
            self.assertEqual(response.code, 201, accept)
            self.assertEqual(response.headers.getRawHeaders("Content-Type"), ["application/json"])
