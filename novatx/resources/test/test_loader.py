"""
Tests for L{novatx.resources.loader}, L{novatx.resources.urlmap} and
L{novatx.resources.pipeline}: paste files to trees, served over real HTTP.
"""

from __future__ import annotations

import json
import os

from twisted.internet import reactor
from twisted.python.threadpool import ThreadPool
from twisted.trial.unittest import TestCase
from twisted.web.resource import IResource
from zope.interface.verify import verifyObject

from novatx.config import make_config
from novatx.resources.loader import PACKAGED_PASTE_CONFIG, PasteConfigError, load_api
from novatx.resources.pipeline import PipelineError
from novatx.resources.runtime import Runtime, from_global_conf
from novatx.resources.test.test_loader_apps import (
    TEST_PASTE,
    paste_config,
    serve_paste,
    write_paste,
)


async def get_json(client, url, **kwargs):
    response = await client.get(url, **kwargs)
    return response, json.loads(await response.content())


class RecordingThreadPool(ThreadPool):
    """A started thread pool that counts the work it is given."""

    def __init__(self) -> None:
        super().__init__(minthreads=1, maxthreads=2, name="test-wsgi")
        self.calls = 0

    def callInThreadWithCallback(self, onResult, func, *args, **kw):
        self.calls += 1
        return super().callInThreadWithCallback(onResult, func, *args, **kw)


def started_pool(testcase: TestCase) -> RecordingThreadPool:
    pool = RecordingThreadPool()
    pool.start()
    testcase.addCleanup(pool.stop)
    return pool


class LoadErrorsTests(TestCase):
    """A paste file that cannot serve the API stops the load with one line."""

    def test_missing_paste_file_names_file_and_api(self):
        conf = make_config([])
        missing = os.path.abspath(self.mktemp() + ".ini")
        conf.set_override("api_paste_config", missing, "wsgi")
        error = self.assertRaises(
            PasteConfigError, load_api, Runtime("osapi_compute", conf, None, reactor)
        )
        message = str(error)
        self.assertIn(missing, message)
        self.assertIn("osapi_compute", message)
        self.assertNotIn("\n", message)

    def test_missing_section_names_file_and_section(self):
        path = write_paste(self, "[composite:osapi_compute]\nuse = call:x:y\n")
        conf = make_config([])
        conf.set_override("api_paste_config", path, "wsgi")
        error = self.assertRaises(PasteConfigError, load_api, Runtime("ec2", conf, None, reactor))
        self.assertEqual(
            str(error), "paste config file %s has no section [composite:ec2] for the API ec2" % path
        )

    def test_missing_filter_section_names_file_and_filter(self):
        conf = paste_config(
            self,
            "[composite:metadata]\nuse = call:novatx.resources.pipeline:pipeline_factory\n"
            "pipeline = nosuchfilter app\n",
        )
        error = self.assertRaises(
            PasteConfigError, load_api, Runtime("metadata", conf, None, reactor)
        )
        self.assertIn(conf.wsgi.api_paste_config, str(error))
        self.assertIn("nosuchfilter", str(error))

    def test_unreadable_paste_file_is_named(self):
        conf = paste_config(self, "this is not an ini file\n")
        error = self.assertRaises(
            PasteConfigError, load_api, Runtime("metadata", conf, None, reactor)
        )
        self.assertIn(conf.wsgi.api_paste_config, str(error))
        self.assertNotIn("\n", str(error))

    def test_no_pipeline_for_auth_strategy(self):
        conf = paste_config(
            self,
            TEST_PASTE.replace(
                "keystone = cors http_proxy_to_wsgi compute_req_id faultwrap request_log "
                "sizelimit authtoken keystonecontext echo\n",
                "",
            ),
        )
        conf.set_override("auth_strategy", "keystone", "api")
        error = self.assertRaises(
            PipelineError, load_api, Runtime("osapi_compute", conf, None, reactor)
        )
        self.assertIn("'keystone'", str(error))
        self.assertIn("noauth2", str(error))

    def test_runtime_is_forgotten_after_loading(self):
        """Factories resolve the runtime while loading; none is left registered."""
        runtime = Runtime("osapi_compute", paste_config(self, TEST_PASTE), None, reactor)
        key = runtime.register()
        load_api(runtime)
        self.assertIs(from_global_conf({"novatx_runtime": key}), runtime)
        self.assertRaises(LookupError, from_global_conf, {"novatx_runtime": "rt-nothing"})


class PastePathTests(TestCase):
    """Where the paste file is looked for."""

    def test_packaged_file_by_default(self):
        conf = make_config([])
        self.assertEqual(conf.wsgi.api_paste_config, PACKAGED_PASTE_CONFIG)
        self.assertTrue(os.path.isfile(PACKAGED_PASTE_CONFIG))

    def test_relative_path_found_beside_the_config_file(self):
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        with open(os.path.join(directory, "my-paste.ini"), "w") as f:
            f.write(TEST_PASTE)
        config_file = os.path.join(directory, "nova.conf")
        with open(config_file, "w") as f:
            f.write("[wsgi]\napi_paste_config = my-paste.ini\n")
        conf = make_config(["--config-file", config_file])
        tree = load_api(Runtime("osapi_compute", conf, None, reactor))
        self.assertTrue(verifyObject(IResource, tree))


class URLMapTests(TestCase):
    """The urlmap composite dispatches on path prefixes."""

    async def test_prefix_is_consumed(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        _, seen = await get_json(
            listening.client, listening.url + "/v2.1/servers/x", headers={"X-Auth-Token": "u"}
        )
        self.assertEqual((seen["prepath"], seen["postpath"]), (["v2.1"], ["servers", "x"]))

    async def test_longest_multi_segment_prefix(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        _, seen = await get_json(listening.client, listening.url + "/deep/er/path/leaf")
        self.assertEqual(seen["app"], "deep")
        self.assertEqual(seen["prepath"], ["deep", "er", "path"])
        self.assertEqual(seen["postpath"], ["leaf"])

    async def test_unmatched_goes_to_root_unconsumed(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        _, seen = await get_json(listening.client, listening.url + "/deep/other")
        self.assertEqual(seen["app"], "root")
        self.assertEqual((seen["prepath"], seen["postpath"]), ([], ["deep", "other"]))

    async def test_root_itself(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        _, seen = await get_json(listening.client, listening.url + "/")
        self.assertEqual(seen["app"], "root")

    async def test_no_root_is_a_404_in_the_api_format(self):
        listening, _ = serve_paste(self, "ec2", TEST_PASTE)
        response = await listening.client.get(listening.url + "/elsewhere")
        body = await response.content()
        self.assertEqual(response.code, 404)
        self.assertEqual(response.headers.getRawHeaders("content-type"), ["text/xml"])
        self.assertIn(b"<Code>InvalidAction</Code>", body)

    async def test_wsgi_app_is_mounted(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        _, seen = await get_json(listening.client, listening.url + "/wsgi/a/b")
        self.assertEqual((seen["script_name"], seen["path_info"]), ("/wsgi", "/a/b"))


EGG_PASTE = """
[composite:metadata]
use = egg:novatx#urlmap
/: api
/healthcheck: health

[composite:api]
use = egg:novatx#pipeline_factory
pipeline = request_id noauth2 echo

[filter:request_id]
use = egg:novatx#request_id

[filter:noauth2]
use = egg:novatx#noauth2

[app:health]
use = egg:novatx#healthcheck

[app:echo]
paste.app_factory = novatx.resources.test.test_loader_apps:echo_app_factory
"""


class EntryPointTests(TestCase):
    """An operator's paste file may name novatx's parts as C{egg:novatx#name}."""

    async def test_egg_names(self):
        listening, _ = serve_paste(self, "metadata", EGG_PASTE)
        response, seen = await get_json(
            listening.client, listening.url + "/x", headers={"X-Auth-Token": "alice"}
        )
        self.assertEqual(seen["context"]["user_id"], "alice")
        self.assertTrue(response.headers.getRawHeaders("x-openstack-request-id"))
        response = await listening.client.get(listening.url + "/healthcheck")
        self.assertEqual(await response.content(), b"OK")


class PipelineTests(TestCase):
    """pipeline_factory picks the pipeline by [api] auth_strategy."""

    async def test_noauth2_pipeline_by_default(self):
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE)
        _, seen = await get_json(
            listening.client, listening.url + "/v2.1/x", headers={"X-Auth-Token": "alice:p1"}
        )
        self.assertEqual(seen["context"]["user_id"], "alice")

    async def test_native_pipeline_never_uses_the_thread_pool(self):
        pool = started_pool(self)
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE, threadpool=pool)
        for _ in range(3):
            response, _ = await get_json(
                listening.client, listening.url + "/v2.1/x", headers={"X-Auth-Token": "alice"}
            )
            self.assertEqual(response.code, 200)
        self.assertEqual(pool.calls, 0)

    async def test_wsgi_part_runs_in_the_runtime_pool(self):
        pool = started_pool(self)
        listening, _ = serve_paste(self, "osapi_compute", TEST_PASTE, threadpool=pool)
        response, _ = await get_json(listening.client, listening.url + "/wsgi/")
        self.assertEqual(response.code, 200)
        self.assertEqual(pool.calls, 1)


class PackagedPasteTests(TestCase):
    """The packaged api-paste.ini serves every API."""

    async def test_every_api_has_a_healthcheck(self):
        for api_name in ("osapi_compute", "ec2", "metadata"):
            listening, runtime = serve_paste(self, api_name)
            response = await listening.client.get(listening.url + "/healthcheck")
            self.assertEqual((api_name, response.code), (api_name, 200))
            self.assertEqual(await response.content(), b"OK")
            runtime.draining = True
            response = await listening.client.get(listening.url + "/healthcheck")
            self.assertEqual((api_name, response.code), (api_name, 503))
            await response.content()

    async def test_compute_root_is_the_versions_document(self):
        listening, _ = serve_paste(self, "osapi_compute")
        response, document = await get_json(
            listening.client, listening.url + "/", headers={"Host": "api.example.com:8774"}
        )
        self.assertEqual(response.code, 200)
        self.assertEqual(
            document,
            {
                "versions": [
                    {
                        "id": "v2.0",
                        "links": [{"href": "http://api.example.com:8774/v2/", "rel": "self"}],
                        "status": "DEPRECATED",
                        "version": "",
                        "min_version": "",
                        "updated": "2025-07-04T12:00:00Z",
                    },
                    {
                        "id": "v2.1",
                        "links": [{"href": "http://api.example.com:8774/v2.1/", "rel": "self"}],
                        "status": "CURRENT",
                        "version": "2.104",
                        "min_version": "2.1",
                        "updated": "2013-07-23T11:33:21Z",
                    },
                ]
            },
        )

    async def test_versions_document_whatever_the_method(self):
        listening, _ = serve_paste(self, "osapi_compute")
        response = await listening.client.post(listening.url + "/", data=b"{}")
        body = json.loads(await response.content())
        self.assertEqual(response.code, 200)
        self.assertEqual([v["id"] for v in body["versions"]], ["v2.0", "v2.1"])

    async def test_unserved_path_gets_the_choices(self):
        listening, _ = serve_paste(self, "osapi_compute")
        response, document = await get_json(
            listening.client, listening.url + "/servers/detail", headers={"Host": "h.example"}
        )
        self.assertEqual(response.code, 300)
        self.assertEqual(
            document,
            {
                "choices": [
                    {
                        "id": "v2.0",
                        "status": "DEPRECATED",
                        "links": [{"href": "http://h.example/v2/servers/detail", "rel": "self"}],
                        "media-types": [
                            {
                                "base": "application/json",
                                "type": "application/vnd.openstack.compute+json;version=2",
                            }
                        ],
                    },
                    {
                        "id": "v2.1",
                        "status": "CURRENT",
                        "links": [{"href": "http://h.example/v2.1/servers/detail", "rel": "self"}],
                        "media-types": [
                            {
                                "base": "application/json",
                                "type": "application/vnd.openstack.compute+json;version=2.1",
                            }
                        ],
                    },
                ]
            },
        )

    async def test_compute_api_without_token_gets_legacy_auth_reply(self):
        listening, _ = serve_paste(self, "osapi_compute")
        response = await listening.client.get(
            listening.url + "/v2.1/servers",
            headers={"X-Auth-User": "alice", "X-Auth-Project-Id": "p1", "Host": "nova.example:80"},
        )
        self.assertEqual(response.code, 204)
        self.assertEqual(response.headers.getRawHeaders("x-auth-token"), ["alice:p1"])
        self.assertEqual(
            response.headers.getRawHeaders("x-server-management-url"),
            ["http://nova.example:80/v2.1/servers/p1"],
        )
