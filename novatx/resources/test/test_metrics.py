"""
Tests for C{GET /metrics} and the C{metrics} filter: the packaged paste file,
a real compute service, over HTTP on 127.0.0.1, in the test's own process
(the counts are this process's: no multiprocess directory is set).

The counts of a process only grow, and other tests in the process may have
counted before, so each test compares the exposition before and after.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from twisted.internet.address import IPv4Address, IPv6Address, UNIXAddress
from twisted.internet.defer import fail
from twisted.internet.task import Clock
from twisted.trial.unittest import TestCase

from novatx import metrics
from novatx.compute.exceptions import ServiceUnavailable
from novatx.config import make_config
from novatx.resources.filters.metrics import MetricsFilter
from novatx.resources.metrics import allowed, parse_networks
from novatx.test.helpers import noauth_headers, serve_api

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and sorted labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    """The sample C{name} with exactly C{labels}, 0 if absent."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def enabled_config(**options: Any) -> Any:
    conf = make_config([])
    conf.set_override("enabled", True, "metrics")
    for name, setting in options.items():
        conf.set_override(name, setting, "metrics")
    return conf


def metrics_filters(tree: Any) -> int:
    """How many metrics filters the pipelines of an API's tree hold."""
    found = 0
    parts = [resource for _, resource in tree.mounts] + [tree.root]
    while parts:
        part = parts.pop()
        found += isinstance(part, MetricsFilter)
        following = getattr(part, "next", None)
        if following is not None:
            parts.append(following)
    return found


class DisabledTests(TestCase):
    """Off by default: no route, no filter."""

    async def test_metrics_is_a_404_on_every_api(self) -> None:
        for api_name in ("osapi_compute", "ec2", "metadata"):
            served = await serve_api(self, api_name)
            response = await served.client.get(served.url + "/metrics")
            body = await response.content()
            self.assertEqual((api_name, 404), (api_name, response.code), body)
            self.assertNotIn(b"novatx_http_requests", body)

    async def test_no_filter_in_the_pipelines(self) -> None:
        served = await serve_api(self, "osapi_compute")
        self.assertEqual(0, metrics_filters(served.port.factory.resource))


class EnabledTests(TestCase):
    """Counts by route template, the guard, what is read at scrape time."""

    async def scrape(self, served: Any) -> Samples:
        response = await served.client.get(served.url + "/metrics")
        text = (await response.content()).decode("utf-8")
        self.assertEqual(200, response.code, text)
        self.assertTrue(response.headers.getRawHeaders("content-type")[0].startswith("text/plain"))
        return samples(text)

    async def test_requests_are_counted_by_route_template(self) -> None:
        served = await serve_api(self, "osapi_compute", enabled_config())
        self.assertEqual(6, metrics_filters(served.port.factory.resource))
        before = await self.scrape(served)
        headers = noauth_headers("alice", "p1")
        for flavor in ("1", "2", "3"):
            response = await served.client.get(served.url + "/v2.1/flavors/" + flavor,
                                                headers=headers)
            await response.content()
            self.assertEqual(200, response.code)
        missing = str(uuid.uuid4())
        response = await served.client.get(served.url + "/v2.1/p1/servers/" + missing,
                                            headers=headers)
        await response.content()
        self.assertEqual(404, response.code)
        after = await self.scrape(served)
        name = "novatx_http_requests_total"
        flavors = dict(api="osapi_compute", route="/v2.1/flavors/<flavor_id>", method="GET")
        servers = dict(api="osapi_compute", route="/v2.1/servers/<server_id>", method="GET")
        self.assertEqual(3, value(after, name, status="200", **flavors)
                         - value(before, name, status="200", **flavors))
        self.assertEqual(1, value(after, name, status="404", **servers)
                         - value(before, name, status="404", **servers))
        histogram = "novatx_http_request_duration_seconds_count"
        self.assertEqual(3, value(after, histogram, **flavors) - value(before, histogram, **flavors))
        self.assertFalse([key for key in after if missing in str(key)])
        reads = dict(kind="read")
        self.assertGreater(value(after, "novatx_store_round_trips_total", **reads),
                           value(before, "novatx_store_round_trips_total", **reads))
        self.assertEqual(1, value(after, "novatx_store_reachable"))

    async def test_unmatched_paths_count_under_the_mount(self) -> None:
        served = await serve_api(self, "osapi_compute", enabled_config())
        before = await self.scrape(served)
        response = await served.client.get(served.url + "/v2.1/no-such-thing/" + "x" * 20,
                                           headers=noauth_headers())
        await response.content()
        self.assertEqual(404, response.code)
        after = await self.scrape(served)
        labels = dict(api="osapi_compute", route="/v2.1", method="GET", status="404")
        self.assertEqual(1, value(after, "novatx_http_requests_total", **labels)
                         - value(before, "novatx_http_requests_total", **labels))

    async def test_every_api_serves_and_counts(self) -> None:
        for api_name, path, route, status in (
                ("ec2", "/?Action=DescribeRegions", "/", "403"),
                ("metadata", "/", "/", "200"),
                ("metadata", "/openstack/2013-04-04/meta_data.json", "/<path:path>", "404")):
            served = await serve_api(self, api_name, enabled_config())
            before = await self.scrape(served)
            response = await served.client.get(served.url + path)
            await response.content()
            after = await self.scrape(served)
            counted = {key: n - before.get(key, 0.0) for key, n in after.items()
                       if key[0] == "novatx_http_requests_total" and n != before.get(key, 0.0)}
            self.assertEqual([1.0], list(counted.values()), (api_name, counted))
            labels = (("api", api_name), ("method", "GET"), ("route", route), ("status", status))
            self.assertEqual(labels, list(counted)[0][1])

    async def test_outside_the_allowed_networks_is_a_403(self) -> None:
        served = await serve_api(self, "osapi_compute",
                                 enabled_config(allowed_networks=["10.0.0.0/8", "fd00::/8"]))
        response = await served.client.get(served.url + "/metrics")
        body = json.loads(await response.content())
        self.assertEqual(403, response.code)
        self.assertEqual(403, body["forbidden"]["code"])
        response = await served.client.get(served.url + "/v2.1/flavors", headers=noauth_headers())
        await response.content()
        self.assertEqual(200, response.code)

    async def test_ec2_403_is_in_ec2_format(self) -> None:
        served = await serve_api(self, "ec2", enabled_config(allowed_networks=["10.0.0.0/8"]))
        response = await served.client.get(served.url + "/metrics")
        body = await response.content()
        self.assertEqual(403, response.code)
        self.assertIn(b"<Response><Errors><Error>", body)

    async def test_transitions_pending_and_behaviours_fired(self) -> None:
        conf = enabled_config()
        conf.set_override("enabled", True, "behaviours")
        served = await serve_api(self, "osapi_compute", conf, clock=Clock())
        headers = noauth_headers("alice", "p1")
        response = await served.client.get(served.url + "/image/v2/images?name=cirros",
                                           headers=headers)
        image = json.loads(await response.content())["images"][0]["id"]
        body = {"server": {"name": "vm", "flavorRef": "1", "imageRef": image,
                           "networks": "none"}}
        response = await served.client.post(served.url + "/v2.1/servers", json.dumps(body).encode(),
                                            headers=noauth_headers("alice", "p1", "2.37"))
        self.assertEqual(202, response.code, await response.content())
        behaviour = {"behaviour": {"project_id": "p1", "effect": "http_error",
                                   "params": {"status": 503}, "count": "n", "times": 2,
                                   "method": "GET", "path": "/v2.1/flavors"}}
        response = await served.client.post(served.url + "/v2.1/behaviours",
                                            json.dumps(behaviour).encode(),
                                            headers=noauth_headers("admin", "admin"))
        self.assertEqual(201, response.code, await response.content())
        for _ in range(2):
            response = await served.client.get(served.url + "/v2.1/flavors", headers=headers)
            await response.content()
            self.assertEqual(503, response.code)
        found = await self.scrape(served)
        pending = {labels: n for (name, labels), n in found.items()
                   if name == "novatx_transitions_pending"}
        self.assertEqual([1.0], list(pending.values()), pending)
        self.assertIn(("kind", "instance"), list(pending)[0])
        self.assertEqual(2, value(found, "novatx_behaviours_fired", effect="http_error"))

    async def test_a_store_that_does_not_answer_leaves_the_counts(self) -> None:
        served = await serve_api(self, "osapi_compute", enabled_config())
        response = await served.client.get(served.url + "/v2.1/flavors", headers=noauth_headers())
        await response.content()

        def unavailable(function: Any, *args: Any) -> Any:
            return fail(ServiceUnavailable())

        self.patch(served.runtime.compute, "store_read", unavailable)
        found = await self.scrape(served)
        self.assertEqual(0, value(found, "novatx_store_reachable"))
        self.assertFalse([name for name, _ in found if name == "novatx_transitions_pending"])
        labels = dict(api="osapi_compute", route="/v2.1/flavors", method="GET", status="200")
        self.assertGreaterEqual(value(found, "novatx_http_requests_total", **labels), 1)
        self.assertEqual([], self.flushLoggedErrors())

    async def test_read_cache_lookups_over_http(self) -> None:
        served = await serve_api(self, "osapi_compute", enabled_config())
        before = await self.scrape(served)
        for _ in range(2):
            response = await served.client.get(served.url + "/v2.1/os-keypairs",
                                                headers=noauth_headers("alice", "p1"))
            await response.content()
            self.assertEqual(200, response.code)
        after = await self.scrape(served)
        name = "novatx_read_cache_lookups_total"
        self.assertEqual(1, value(after, name, kind="key_pairs", result="miss")
                         - value(before, name, kind="key_pairs", result="miss"))
        self.assertEqual(1, value(after, name, kind="key_pairs", result="hit")
                         - value(before, name, kind="key_pairs", result="hit"))

    def test_read_cache_hook(self) -> None:
        counting = metrics.enable()
        before = samples(metrics.exposition(counting).decode("utf-8"))
        metrics.read_cache("servers", True)
        metrics.read_cache("servers", True)
        metrics.read_cache("servers", False)
        after = samples(metrics.exposition(counting).decode("utf-8"))
        name = "novatx_read_cache_lookups_total"
        self.assertEqual(2, value(after, name, kind="servers", result="hit")
                         - value(before, name, kind="servers", result="hit"))
        self.assertEqual(1, value(after, name, kind="servers", result="miss")
                         - value(before, name, kind="servers", result="miss"))


class GuardTests(TestCase):
    """L{allowed} and L{parse_networks}."""

    def test_loopback_by_default(self) -> None:
        networks = parse_networks(make_config([]).metrics.allowed_networks)
        self.assertTrue(allowed(IPv4Address("TCP", "127.0.0.1", 1), networks))
        self.assertTrue(allowed(IPv4Address("TCP", "127.3.2.1", 1), networks))
        self.assertTrue(allowed(IPv6Address("TCP", "::1", 1), networks))
        self.assertTrue(allowed(IPv6Address("TCP", "::ffff:127.0.0.1", 1), networks))
        self.assertFalse(allowed(IPv4Address("TCP", "192.0.2.1", 1), networks))
        self.assertFalse(allowed(IPv6Address("TCP", "2001:db8::1", 1), networks))
        self.assertFalse(allowed(UNIXAddress(b"/nowhere"), networks))

    def test_a_bad_network_is_named(self) -> None:
        error = self.assertRaises(ValueError, parse_networks, ["10.0.0.0/8", "nonsense"])
        self.assertIn("'nonsense'", str(error))
        self.assertEqual(parse_networks([" 10.1.2.3/8"])[0].with_prefixlen, "10.0.0.0/8")
