"""
The smaller server sub-resources and admin views nova has, over real HTTP:
os-hosts updates and power actions, remote consoles (none here), the server
password, diagnostics, external events and the usage audit log.
"""

from __future__ import annotations

import datetime

from twisted.trial.unittest import TestCase

from novatx.extensions.compute.test._servers_kit import serve_compute


async def _compute_host(admin) -> str:
    hosts = (await admin.get("/os-hosts")).body["hosts"]
    return next(h["host_name"] for h in hosts if h["service"] == "compute")


class HostUpdateTests(TestCase):
    async def test_enable_disable_and_what_is_not_implemented(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        host = await _compute_host(admin)
        disabled = await admin.put("/os-hosts/" + host, {"status": "disable"})
        self.assertEqual((disabled.code, disabled.body),
                         (200, {"host": host, "status": "disabled"}))
        services = (await admin.get("/os-services?binary=nova-compute")).body["services"]
        self.assertEqual(services[0]["status"], "disabled")
        enabled = await admin.put("/os-hosts/" + host, {"status": "Enable"})
        self.assertEqual(enabled.body["status"], "enabled")
        for body in ({"status": "bad"}, {"maintenance_mode": "bad"}, {}, {"status": "enable",
                                                                        "extra": 1}):
            self.assertEqual((await admin.put("/os-hosts/" + host, body)).code, 400, body)
        maintenance = await admin.put("/os-hosts/" + host, {"maintenance_mode": "enable"})
        self.assertEqual(maintenance.code, 501)
        self.assertEqual((await admin.put("/os-hosts/nowhere", {"status": "enable"})).code, 404)
        self.assertEqual((await client.put("/os-hosts/" + host, {"status": "enable"})).code, 403)
        for action in ("startup", "shutdown", "reboot"):
            self.assertEqual((await admin.get("/os-hosts/%s/%s" % (host, action))).code, 501)
            self.assertEqual((await admin.get("/os-hosts/nowhere/" + action)).code, 404)
            self.assertEqual((await client.get("/os-hosts/%s/%s" % (host, action))).code, 403)


class ConsoleTests(TestCase):
    async def test_no_console_is_available(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        old = await client.action(sid, {"os-getVNCConsole": {"type": "novnc"}})
        self.assertEqual(old.code, 400)
        self.assertEqual(old.body["badRequest"]["message"], "Unavailable console type novnc.")
        removed = await client.at("2.6").action(sid, {"os-getVNCConsole": {"type": "novnc"}})
        self.assertEqual(removed.code, 404)
        body = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
        new = await client.at("2.6").post("/servers/%s/remote-consoles" % sid, body)
        self.assertEqual(new.code, 400)
        missing = await client.at("2.6").post("/servers/nope/remote-consoles", body)
        self.assertEqual(missing.code, 404)
        bad = await client.at("2.6").post("/servers/%s/remote-consoles" % sid,
                                          {"remote_console": {"protocol": "vnc"}})
        self.assertEqual(bad.code, 400)


class ServerPasswordTests(TestCase):
    async def test_show_and_clear(self):
        client = await serve_compute(self)
        sid = (await client.create_active())["id"]
        path = "/servers/%s/os-server-password" % sid
        self.assertEqual((await client.get(path)).body, {"password": ""})
        await client.served.compute.api.set_password(sid, "c2VjcmV0")
        self.assertEqual((await client.get(path)).body, {"password": "c2VjcmV0"})
        other = client.as_user("bob", "p2")
        self.assertEqual((await other.get(path)).code, 404)
        self.assertEqual((await other.delete(path)).code, 404)
        self.assertEqual((await client.delete(path)).code, 204)
        self.assertEqual((await client.get(path)).body, {"password": ""})


class DiagnosticsTests(TestCase):
    async def test_shapes_before_and_from_2_48(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        path = "/servers/%s/diagnostics" % sid
        self.assertEqual((await client.get(path)).code, 403)
        old = await admin.get(path)
        self.assertEqual(old.code, 200)
        self.assertIn("cpu0_time", old.body)
        new = (await admin.at("2.48").get(path)).body
        self.assertEqual((new["state"], new["driver"], new["num_cpus"]), ("running", "libvirt", 1))
        self.assertEqual(len(new["cpu_details"]), new["num_cpus"])
        self.assertEqual(new["num_nics"], len(new["nic_details"]))
        self.assertEqual(new["memory_details"]["maximum"], 512)
        self.assertGreaterEqual(new["uptime"], 0)
        self.assertEqual((await admin.get("/servers/nope/diagnostics")).code, 404)


class ExternalEventTests(TestCase):
    async def test_accepted_partly_and_not_at_all(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        sid = (await client.create_active())["id"]
        event = {"name": "network-changed", "server_uuid": sid}
        missing = {"name": "network-changed",
                   "server_uuid": "00000000-0000-0000-0000-000000000000"}
        refused = await client.post("/os-server-external-events", {"events": [event]})
        self.assertEqual(refused.code, 403)
        done = await admin.post("/os-server-external-events", {"events": [event]})
        self.assertEqual(done.code, 200, done.body)
        self.assertEqual((done.body["events"][0]["code"], done.body["events"][0]["status"]),
                         (200, "completed"))
        partly = await admin.post("/os-server-external-events", {"events": [event, missing]})
        self.assertEqual(partly.code, 207)
        self.assertEqual([e["code"] for e in partly.body["events"]], [200, 404])
        none = await admin.post("/os-server-external-events", {"events": [missing]})
        self.assertEqual(none.code, 404)
        bad = await admin.post("/os-server-external-events",
                               {"events": [dict(event, name="reboot-now")]})
        self.assertEqual(bad.code, 400)


class AuditLogTests(TestCase):
    async def test_periods(self):
        client = await serve_compute(self)
        admin = client.as_user("admin")
        host = await _compute_host(admin)
        self.assertEqual((await client.get("/os-instance_usage_audit_log")).code, 403)
        listed = (await admin.get("/os-instance_usage_audit_log")).body
        log = listed["instance_usage_audit_logs"]
        self.assertEqual((log["hosts_not_run"], log["num_hosts"]), ([host], 1))
        ending = datetime.datetime.strptime(log["period_ending"], "%Y-%m-%d %H:%M:%S")
        self.assertEqual((ending.day, ending.hour), (1, 0))
        shown = await admin.get("/os-instance_usage_audit_log/2026-03-15%2010:00:00")
        period = shown.body["instance_usage_audit_log"]
        self.assertEqual((period["period_beginning"], period["period_ending"]),
                         ("2026-02-01 00:00:00", "2026-03-01 00:00:00"))
        january = await admin.get("/os-instance_usage_audit_log/2026-01-10%2000:00:00.5")
        self.assertEqual(january.body["instance_usage_audit_log"]["period_beginning"],
                         "2025-12-01 00:00:00")
        bad = await admin.get("/os-instance_usage_audit_log/yesterday")
        self.assertEqual(bad.code, 400)
