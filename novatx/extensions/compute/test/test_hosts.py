"""The admin views of the simulated deployment: hypervisors, services, zones, usage."""

from __future__ import annotations

import datetime
import json

from twisted.internet import reactor
from twisted.internet.task import deferLater

from novatx.compute.context import RequestContext
from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class HostsTestCase(ComputeAPITestCase):
    async def boot(self, name: str = "vm", flavor: str = "2", user: str = "alice", project: str = "p1") -> dict:
        images = await self.get("/image/v2/images?name=cirros", user=user, project=project)
        body = {"server": {"name": name, "flavorRef": flavor, "imageRef": images.body["images"][0]["id"],
                           "networks": "none"}}
        created = await self.post("/v2.1/servers", body, user=user, project=project, version="2.37")
        self.assertEqual(created.code, 202, created.text)
        return created.body["server"]


class HypervisorTests(HostsTestCase):
    @async_test
    async def test_list_and_detail_at_2_1_and_latest(self) -> None:
        await self.start()
        await self.boot()
        old = await self.get("/v2.1/os-hypervisors/detail", user="admin")
        self.assertEqual(old.code, 200, old.text)
        (host,) = old.body["hypervisors"]
        self.assertEqual((host["id"], host["state"], host["status"]), (1, "up", "enabled"))
        self.assertEqual((host["running_vms"], host["vcpus_used"], host["memory_mb_used"]), (1, 1, 2048))
        self.assertIsInstance(host["cpu_info"], str)
        self.assertEqual(json.loads(host["cpu_info"])["arch"], "x86_64")
        at_228 = (await self.get("/v2.1/os-hypervisors/detail", user="admin", version="2.28")).body
        self.assertIsInstance(at_228["hypervisors"][0]["cpu_info"], dict)
        new = await self.get("/v2.1/os-hypervisors/detail", user="admin", version="latest")
        (latest,) = new.body["hypervisors"]
        self.assertEqual(len(latest["id"]), 36)
        self.assertNotIn("vcpus_used", latest)
        self.assertIn("up", latest["uptime"])
        shown = await self.get("/v2.1/os-hypervisors/%s?with_servers=true" % latest["id"], user="admin",
                               version="latest")
        self.assertEqual([s["name"] for s in shown.body["hypervisor"]["servers"]], ["vm"])
        listed = await self.get("/v2.1/os-hypervisors", user="admin")
        self.assertEqual(sorted(listed.body["hypervisors"][0]), ["hypervisor_hostname", "id", "state", "status"])

    @async_test
    async def test_statistics_uptime_and_search_until_their_microversions(self) -> None:
        await self.start()
        stats = await self.get("/v2.1/os-hypervisors/statistics", user="admin")
        self.assertEqual(stats.body["hypervisor_statistics"]["count"], 1)
        self.assertFault(await self.get("/v2.1/os-hypervisors/statistics", user="admin", version="2.88"),
                         404, "itemNotFound")
        uptime = await self.get("/v2.1/os-hypervisors/1/uptime", user="admin")
        self.assertIn("load average", uptime.body["hypervisor"]["uptime"])
        hostname = uptime.body["hypervisor"]["hypervisor_hostname"]
        found = await self.get("/v2.1/os-hypervisors/%s/search" % hostname[:3], user="admin")
        self.assertEqual(found.body["hypervisors"][0]["hypervisor_hostname"], hostname)
        self.assertFault(await self.get("/v2.1/os-hypervisors/zzzz-none/search", user="admin"),
                         404, "itemNotFound")
        pattern = await self.get("/v2.1/os-hypervisors?hypervisor_hostname_pattern=" + hostname[:3],
                                 user="admin", version="2.53")
        self.assertEqual(len(pattern.body["hypervisors"]), 1)

    @async_test
    async def test_errors(self) -> None:
        await self.start()
        self.assertFault(await self.get("/v2.1/os-hypervisors"), 403, "forbidden")
        self.assertFault(await self.get("/v2.1/os-hypervisors/99", user="admin"), 404, "itemNotFound")
        self.assertFault(await self.get("/v2.1/os-hypervisors/99", user="admin", version="2.53"),
                         400, "badRequest", "Invalid uuid")
        self.assertFault(await self.get("/v2.1/os-hypervisors?marker=42", user="admin", version="2.33"),
                         400, "badRequest")
        self.assertFault(await self.get("/v2.1/os-hypervisors?limit=-1", user="admin", version="2.33"),
                         400, "badRequest")


class ServiceAndZoneTests(HostsTestCase):
    @async_test
    async def test_services(self) -> None:
        await self.start()
        self.assertFault(await self.get("/v2.1/os-services"), 403, "forbidden")
        old = await self.get("/v2.1/os-services", user="admin")
        self.assertEqual(old.code, 200, old.text)
        binaries = {s["binary"]: s for s in old.body["services"]}
        self.assertEqual(sorted(binaries), ["nova-compute", "nova-conductor", "nova-scheduler"])
        self.assertEqual((binaries["nova-compute"]["zone"], binaries["nova-scheduler"]["zone"]), ("nova", "internal"))
        self.assertNotIn("forced_down", binaries["nova-compute"])
        new = await self.get("/v2.1/os-services?binary=nova-compute", user="admin", version="latest")
        (compute,) = new.body["services"]
        self.assertIs(compute["forced_down"], False)
        self.assertEqual(len(compute["id"]), 36)

    @async_test
    async def test_availability_zones(self) -> None:
        await self.start()
        listed = await self.get("/v2.1/os-availability-zone")
        self.assertEqual(listed.body, {"availabilityZoneInfo": [
            {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]})
        self.assertFault(await self.get("/v2.1/os-availability-zone/detail"), 403, "forbidden")
        detail = await self.get("/v2.1/os-availability-zone/detail", user="admin")
        zones = {z["zoneName"]: z for z in detail.body["availabilityZoneInfo"]}
        self.assertEqual(sorted(zones), ["internal", "nova"])
        (compute_host,) = zones["nova"]["hosts"].values()
        self.assertTrue(compute_host["nova-compute"]["available"])
        (control,) = zones["internal"]["hosts"].values()
        self.assertEqual(sorted(control), ["nova-conductor", "nova-scheduler"])


class UsageTests(HostsTestCase):
    @async_test
    async def test_usage_of_a_project(self) -> None:
        await self.start()
        await self.boot()
        await self.boot("other", user="bob", project="p2")
        start = (datetime.datetime.utcnow() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
        end = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
        mine = await self.get("/v2.1/os-simple-tenant-usage/p1?start=%s&end=%s" % (start, end))
        self.assertEqual(mine.code, 200, mine.text)
        usage = mine.body["tenant_usage"]
        self.assertEqual(usage["tenant_id"], "p1")
        self.assertEqual([s["name"] for s in usage["server_usages"]], ["vm"])
        self.assertEqual(usage["server_usages"][0]["memory_mb"], 2048)
        self.assertGreater(usage["total_hours"], 0)
        self.assertFault(await self.get("/v2.1/os-simple-tenant-usage/p2"), 403, "forbidden")
        self.assertFault(await self.get("/v2.1/os-simple-tenant-usage"), 403, "forbidden")
        everyone = await self.get("/v2.1/os-simple-tenant-usage?detailed=1&start=%s&end=%s" % (start, end),
                                  user="admin")
        self.assertEqual(sorted(u["tenant_id"] for u in everyone.body["tenant_usages"]), ["p1", "p2"])
        self.assertIn("server_usages", everyone.body["tenant_usages"][0])
        brief = await self.get("/v2.1/os-simple-tenant-usage?start=%s&end=%s" % (start, end), user="admin")
        self.assertNotIn("server_usages", brief.body["tenant_usages"][0])
        empty = await self.get("/v2.1/os-simple-tenant-usage/p9?start=%s" % start, user="admin")
        self.assertEqual(empty.body, {"tenant_usage": {}})

    @async_test
    async def test_bad_periods(self) -> None:
        await self.start()
        self.assertFault(await self.get("/v2.1/os-simple-tenant-usage/p1?start=yesterday"), 400,
                         "badRequest", "invalid format")
        backwards = "/v2.1/os-simple-tenant-usage/p1?start=2026-01-02T00:00:00&end=2026-01-01T00:00:00"
        self.assertFault(await self.get(backwards), 400, "badRequest", "start time")
        self.assertFault(await self.get("/v2.1/os-simple-tenant-usage/", user="admin"), 404,
                         "itemNotFound")


class UsagePagingTests(HostsTestCase):
    @async_test
    async def test_pages_by_server_from_2_40(self) -> None:
        await self.start()
        for name in ("a", "b", "c"):
            await self.boot(name, flavor="1")
        start = (datetime.datetime.utcnow() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
        path = "/v2.1/os-simple-tenant-usage/p1?start=%s&limit=2" % start
        old = await self.get(path, version="2.39")
        self.assertEqual(len(old.body["tenant_usage"]["server_usages"]), 3)
        first = await self.get(path, version="2.40")
        self.assertEqual(first.code, 200, first.text)
        usage = first.body["tenant_usage"]
        self.assertEqual([s["name"] for s in usage["server_usages"]], ["a", "b"])
        self.assertAlmostEqual(usage["total_memory_mb_usage"],
                               sum(s["hours"] * 512 for s in usage["server_usages"]))
        (link,) = first.body["tenant_usage_links"]
        second = await self.get(link["href"][len(self.served.url):], version="2.40")
        self.assertEqual([s["name"] for s in second.body["tenant_usage"]["server_usages"]], ["c"])
        self.assertNotIn("tenant_usage_links", second.body)
        everyone = await self.get("/v2.1/os-simple-tenant-usage?start=%s&limit=1" % start,
                                  user="admin", version="2.40")
        self.assertEqual(len(everyone.body["tenant_usages"]), 1)
        self.assertIn("tenant_usages_links", everyone.body)
        self.assertFault(await self.get(path + "&marker=nope", version="2.40"), 400, "badRequest")
        self.assertFault(await self.get(path.replace("limit=2", "limit=-1"), version="2.40"), 400, "badRequest")


class HostListingTests(HostsTestCase):
    @async_test
    async def test_hosts_until_2_43(self) -> None:
        await self.start()
        await self.boot(flavor="2")
        listed = await self.get("/v2.1/os-hosts", user="admin")
        self.assertEqual(listed.code, 200, listed.text)
        services = sorted((h["service"], h["zone"]) for h in listed.body["hosts"])
        self.assertEqual(services, [("compute", "nova"), ("conductor", "internal"), ("scheduler", "internal")])
        internal = await self.get("/v2.1/os-hosts?zone=internal", user="admin")
        self.assertEqual(len(internal.body["hosts"]), 2)
        (compute,) = [h for h in listed.body["hosts"] if h["service"] == "compute"]
        shown = await self.get("/v2.1/os-hosts/" + compute["host_name"], user="admin")
        rows = {row["resource"]["project"]: row["resource"] for row in shown.body["host"]}
        self.assertEqual(sorted(rows), ["(total)", "(used_max)", "(used_now)", "p1"])
        self.assertEqual((rows["p1"]["cpu"], rows["p1"]["memory_mb"], rows["p1"]["disk_gb"]), (1, 2048, 20))
        self.assertFault(await self.get("/v2.1/os-hosts/elsewhere", user="admin"), 404, "itemNotFound")
        self.assertFault(await self.get("/v2.1/os-hosts"), 403, "forbidden")
        self.assertFault(await self.get("/v2.1/os-hosts", user="admin", version="2.43"), 404, "itemNotFound")


class ServiceUpdateTests(HostsTestCase):
    async def compute_service(self, version: str = "latest") -> dict:
        listed = await self.get("/v2.1/os-services?binary=nova-compute", user="admin", version=version)
        (service,) = listed.body["services"]
        return service

    @async_test
    async def test_disable_enable_and_force_down_by_id_from_2_53(self) -> None:
        await self.start()
        service = await self.compute_service()
        path = "/v2.1/os-services/" + service["id"]
        disabled = await self.put(path, {"status": "disabled", "disabled_reason": "maintenance"},
                                  user="admin", version="2.53")
        self.assertEqual(disabled.code, 200, disabled.text)
        self.assertEqual(disabled.body["service"], dict(service, status="disabled", disabled_reason="maintenance",
                                                        updated_at=disabled.body["service"]["updated_at"]))
        shown = await self.compute_service()
        self.assertEqual((shown["status"], shown["disabled_reason"], shown["state"]),
                         ("disabled", "maintenance", "up"))
        hypervisor = (await self.get("/v2.1/os-hypervisors/detail", user="admin")).body["hypervisors"][0]
        self.assertEqual((hypervisor["status"], hypervisor["service"]["disabled_reason"]),
                         ("disabled", "maintenance"))
        down = await self.put(path, {"forced_down": "true"}, user="admin", version="latest")
        self.assertEqual((down.body["service"]["forced_down"], down.body["service"]["state"]), (True, "down"))
        self.assertEqual(down.body["service"]["status"], "disabled")
        enabled = await self.put(path, {"status": "enabled", "forced_down": False}, user="admin", version="latest")
        self.assertEqual(enabled.code, 200, enabled.text)
        shown = await self.compute_service()
        self.assertEqual((shown["status"], shown["disabled_reason"], shown["forced_down"], shown["state"]),
                         ("enabled", None, False, "up"))
        self.assertEqual((await self.compute_service("2.1"))["status"], "enabled")

    @async_test
    async def test_zones_follow_the_compute_service(self) -> None:
        """
        A compute forced down is not available in its zone; disabled, its
        zone is unavailable and (as nova) lists no hosts; enabled again, all
        is back.
        """
        await self.start()
        service = await self.compute_service()
        path = "/v2.1/os-services/" + service["id"]

        async def zones() -> tuple[bool, dict | None]:
            listed = (await self.get("/v2.1/os-availability-zone")).body["availabilityZoneInfo"]
            detail = (await self.get("/v2.1/os-availability-zone/detail", user="admin")).body
            nova = {z["zoneName"]: z for z in detail["availabilityZoneInfo"]}["nova"]
            self.assertEqual(nova["zoneState"]["available"], listed[0]["zoneState"]["available"])
            if nova["hosts"] is None:
                return listed[0]["zoneState"]["available"], None
            (host,) = nova["hosts"].values()
            return listed[0]["zoneState"]["available"], host["nova-compute"]

        available, compute = await zones()
        self.assertEqual((available, compute["active"], compute["available"]), (True, True, True))
        await self.put(path, {"forced_down": True}, user="admin", version="latest")
        available, compute = await zones()
        self.assertEqual((available, compute["active"], compute["available"]), (True, True, False))
        await self.put(path, {"status": "disabled"}, user="admin", version="latest")
        self.assertEqual(await zones(), (False, None))
        await self.put(path, {"status": "enabled", "forced_down": False}, user="admin", version="latest")
        available, compute = await zones()
        self.assertEqual((available, compute["active"], compute["available"]), (True, True, True))

    async def settled(self, server_id: str) -> dict:
        """The server once it has left BUILD (the test's driver is fast)."""
        for _ in range(100):
            server = (await self.get("/v2.1/servers/" + server_id)).body["server"]
            if server["status"] != "BUILD":
                return server
            await deferLater(reactor, 0.05)
        raise AssertionError("server %s still building" % server_id)

    @async_test
    async def test_no_server_is_placed_on_a_disabled_or_down_compute(self) -> None:
        """nova's scheduler passes over such a host: no valid host, the server in ERROR."""
        await self.start()
        service = await self.compute_service()
        path = "/v2.1/os-services/" + service["id"]
        for change, undo in (({"status": "disabled"}, {"status": "enabled"}),
                             ({"forced_down": True}, {"forced_down": False})):
            await self.put(path, change, user="admin", version="latest")
            refused = await self.settled((await self.boot("refused"))["id"])
            self.assertEqual((refused["status"], refused["fault"]["code"]), ("ERROR", 500), change)
            self.assertIn("No valid host was found", refused["fault"]["message"])
            await self.put(path, undo, user="admin", version="latest")
            placed = await self.settled((await self.boot("placed"))["id"])
            self.assertEqual(placed["status"], "ACTIVE", undo)

    @async_test
    async def test_the_state_is_in_the_store(self) -> None:
        await self.start()
        service = await self.compute_service()
        answer = await self.put("/v2.1/os-services/" + service["id"], {"status": "disabled"},
                                user="admin", version="latest")
        self.assertEqual(answer.code, 200, answer.text)
        states = await self.compute.list_service_states(RequestContext("admin", "admin", is_admin=True))
        (state,) = states.values()
        self.assertEqual((state.disabled, state.disabled_reason, state.forced_down), (True, None, False))

    @async_test
    async def test_actions_before_2_53(self) -> None:
        await self.start()
        host = (await self.compute_service())["host"]
        body = {"host": host, "binary": "nova-compute"}
        disabled = await self.put("/v2.1/os-services/disable-log-reason",
                                  dict(body, disabled_reason="broken fan"), user="admin")
        self.assertEqual(disabled.code, 200, disabled.text)
        self.assertEqual(disabled.body, {"service": dict(body, status="disabled", disabled_reason="broken fan")})
        shown = await self.compute_service("2.1")
        self.assertEqual((shown["status"], shown["disabled_reason"]), ("disabled", "broken fan"))
        enabled = await self.put("/v2.1/os-services/enable", body, user="admin")
        self.assertEqual(enabled.body, {"service": dict(body, status="enabled")})
        plain = await self.put("/v2.1/os-services/disable", dict(body, disabled_reason="ignored"), user="admin")
        self.assertEqual(plain.body, {"service": dict(body, status="disabled")})
        self.assertIsNone((await self.compute_service("2.1"))["disabled_reason"])
        self.assertFault(await self.put("/v2.1/os-services/force-down", body, user="admin"),
                         404, "itemNotFound", "Unknown action")
        forced = await self.put("/v2.1/os-services/force-down", dict(body, forced_down="yes"), user="admin",
                                version="2.11")
        self.assertEqual(forced.body, {"service": dict(body, forced_down=True)})
        self.assertEqual((await self.compute_service("2.11"))["state"], "down")

    @async_test
    async def test_bad_updates_from_2_53(self) -> None:
        await self.start()
        service = await self.compute_service()
        path = "/v2.1/os-services/" + service["id"]
        self.assertFault(await self.put(path, {"status": "disabled"}, version="latest"), 403, "forbidden")
        self.assertFault(await self.put("/v2.1/os-services/3", {"status": "disabled"}, version="latest"),
                         400, "badRequest", "Invalid uuid 3")
        self.assertFault(await self.put("/v2.1/os-services/" + "9" * 32, {"status": "disabled"}, user="admin",
                                        version="latest"), 404, "itemNotFound", "could not be found")
        self.assertFault(await self.put("/v2.1/os-services/3", {"status": "disabled"}, user="admin",
                                        version="latest"), 400, "badRequest", "Invalid uuid 3")
        for body, contains in (
            ({"status": "off"}, "status"),
            ({"status": "enabled", "disabled_reason": "no"}, "Specifying 'disabled_reason' with status 'enabled'"),
            ({"status": "disabled", "disabled_reason": "x" * 256}, "disabled_reason"),
            ({"status": "disabled", "disabled_reason": ""}, "disabled_reason"),
            ({"forced_down": "maybe"}, "forced_down"),
            ({"forced_down": 1}, "forced_down"),
            ({}, "No updates were requested"),
            ({"disabled_reason": "only"}, "No updates were requested"),
            ({"status": "disabled", "host": "elsewhere"}, "host"),
        ):
            self.assertFault(await self.put(path, body, user="admin", version="latest"), 400, "badRequest", contains)
        scheduler = (await self.get("/v2.1/os-services?binary=nova-scheduler", user="admin",
                                    version="latest")).body["services"][0]
        self.assertFault(await self.put("/v2.1/os-services/" + scheduler["id"], {"status": "disabled"},
                                        user="admin", version="latest"),
                         400, "badRequest", "Updating a nova-scheduler service is not supported")
        self.assertFault(await self.put("/v2.1/os-services/disable", {"status": "disabled"}, user="admin",
                                        version="2.53"), 400, "badRequest", "Invalid uuid disable")
        shown = await self.compute_service()
        self.assertEqual((shown["status"], shown["forced_down"]), ("enabled", False))

    @async_test
    async def test_bad_actions_before_2_53(self) -> None:
        await self.start()
        host = (await self.compute_service())["host"]
        body = {"host": host, "binary": "nova-compute"}
        self.assertFault(await self.put("/v2.1/os-services/disable", body), 403, "forbidden")
        self.assertFault(await self.put("/v2.1/os-services/reboot", body, user="admin"),
                         404, "itemNotFound", "Unknown action")
        self.assertFault(await self.put("/v2.1/os-services/disable", dict(body, host="nowhere"), user="admin"),
                         404, "itemNotFound", "Host 'nowhere' is not mapped to any cell")
        self.assertFault(await self.put("/v2.1/os-services/disable", dict(body, binary="nova-conductor"),
                                        user="admin"), 400, "badRequest", "Updating a nova-conductor service")
        self.assertFault(await self.put("/v2.1/os-services/disable-log-reason", body, user="admin"),
                         400, "badRequest", "Missing disabled reason field")
        self.assertFault(await self.put("/v2.1/os-services/force-down", body, user="admin", version="2.11"),
                         400, "badRequest", "Missing forced_down field")
        self.assertFault(await self.put("/v2.1/os-services/disable", {"host": host}, user="admin"),
                         400, "badRequest", "binary")
        self.assertFault(await self.put("/v2.1/os-services/disable", dict(body, forced_down=True), user="admin"),
                         400, "badRequest", "forced_down")
        self.assertFault(await self.put("/v2.1/os-services/force-down", dict(body, forced_down="maybe"),
                                        user="admin", version="2.11"), 400, "badRequest", "forced_down")
        self.assertFault(await self.put("/v2.1/os-services/disable-log-reason",
                                        dict(body, disabled_reason="x" * 256), user="admin"),
                         400, "badRequest", "disabled_reason")
        shown = await self.compute_service()
        self.assertEqual((shown["status"], shown["forced_down"]), ("enabled", False))
