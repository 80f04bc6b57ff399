"""
The server documents, built from records: which fields appear at which
microversion, what admins see beyond owners, and the links.
"""

from __future__ import annotations

import datetime

from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.compute.network.records import ServerAddress
from novatx.compute.records import (
    AttachedVolume, Fault, Flavor, Image, Instance, InstanceAction, InstanceActionEvent,
)
from novatx.extensions.compute.servers_views import (
    ServerViews,
    host_id,
    instance_action,
    isotime,
    primitive_time,
)
from novatx.extensions.interfaces import APIVersion
from novatx.resources.request import APIRequest

NOW = datetime.datetime(2026, 11, 25, 10, 30, 5, 123456, tzinfo=datetime.timezone.utc)


def make_instance(**changes):
    fields = dict(
        id=10,
        uuid="4b1c6f5e-8a1e-4a3b-9a9e-0d1f0e6c7a11",
        name="web",
        project_id="p1",
        user_id="alice",
        flavor=Flavor(id=1, flavorid="1", name="m1.tiny", memory_mb=512, vcpus=1, root_gb=1,
                      extra_specs={"hw:cpu_policy": "shared"}),
        image_id="9d4ba2a3-4f3c-4a8c-93a4-1f3c2b9d0e11",
        vm_state="active",
        task_state=None,
        power_state=1,
        status="ACTIVE",
        created_at=NOW,
        updated_at=NOW,
        launched_at=NOW,
        hostname="web",
        host="novatx-host",
        node="novatx-node",
        fixed_ip="10.0.0.3",
        mac_address="fa:16:3e:00:00:03",
        addresses=(ServerAddress(network="private", address="10.0.0.3",
                                 mac_address="fa:16:3e:00:00:03", type="fixed",
                                 port_id="0f5d9c1e-4d5a-4c1e-9a1b-2b3c4d5e6f70"),),
        security_groups=("default",),
        reservation_id="r-abc",
        metadata={"role": "db"},
        tags=("a", "b"),
        availability_zone="nova",
        locked=True,
        locked_reason="maintenance",
        description="the web server",
        user_data="aGVsbG8=",
    )
    fields.update(changes)
    return Instance(**fields)


def make_request(version="2.1", admin=False, args=None, project_id=None):
    context = RequestContext(user_id="admin" if admin else "alice", project_id="p1", is_admin=admin,
                             roles=("admin",) if admin else ("member",))
    return APIRequest(
        context=context,
        version=APIVersion.parse(version),
        body=None,
        args=args or {},
        method="GET",
        path="/v2.1/servers",
        headers=None,
        raw=None,
        root="http://api.example:8774/v2.1",
        project_id=project_id,
    )


class ShowTests(TestCase):
    """C{GET /servers/{id}} and each entry of C{/servers/detail}."""

    def setUp(self):
        self.views = ServerViews()

    def test_v2_1_shows_flavor_as_a_link_and_no_later_fields(self):
        server = self.views.show(make_request("2.1"), make_instance())
        self.assertEqual(
            server["flavor"],
            {"id": "1", "links": [{"rel": "bookmark", "href": "http://api.example:8774/flavors/1"}]},
        )
        for later in ("locked", "locked_reason", "description", "tags", "trusted_image_certificates",
                      "server_groups", "pinned_availability_zone", "scheduler_hints", "host_status"):
            self.assertNotIn(later, server)
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual(server["progress"], 0)
        self.assertEqual(server["created"], "2026-11-25T10:30:05Z")
        self.assertEqual(server["OS-SRV-USG:launched_at"], "2026-11-25T10:30:05.123456")

    def test_latest_embeds_flavor_and_shows_later_fields(self):
        server = self.views.show(make_request("2.104"), make_instance(server_groups=("g1",)),
                                 {"9d4ba2a3-4f3c-4a8c-93a4-1f3c2b9d0e11": Image(
                                     id="9d4ba2a3-4f3c-4a8c-93a4-1f3c2b9d0e11", internal_id=1, name="cirros",
                                     status="active", properties={"os_distro": "cirros"})})
        self.assertEqual(server["flavor"], {
            "vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0,
            "original_name": "m1.tiny", "extra_specs": {"hw:cpu_policy": "shared"},
        })
        self.assertIs(server["locked"], True)
        self.assertEqual(server["locked_reason"], "maintenance")
        self.assertEqual(server["description"], "the web server")
        self.assertEqual(server["tags"], ["a", "b"])
        self.assertEqual(server["server_groups"], ["g1"])
        self.assertIsNone(server["trusted_image_certificates"])
        self.assertIn("pinned_availability_zone", server)
        self.assertEqual(server["scheduler_hints"], {})
        self.assertEqual(server["image"]["properties"]["os_distro"], "cirros")
        self.assertEqual(server["image"]["properties"]["base_image_ref"], server["image"]["id"])
        self.assertEqual(server["OS-EXT-SRV-ATTR:hostname"], "web")

    def test_extension_fields_appear_under_their_names(self):
        server = self.views.show(make_request("2.100"), make_instance(
            extra={"example:colour": "red", "scheduler_hints": {"group": "g"}}))
        self.assertEqual(server["example:colour"], "red")
        self.assertEqual(server["scheduler_hints"], {"group": "g"})

    def test_detail_entries_leave_out_server_groups(self):
        server = self.views.show(make_request("2.71"), make_instance(), in_list=True)
        self.assertNotIn("server_groups", server)

    def test_extended_attributes_only_when_allowed(self):
        owner = self.views.show(make_request("2.3"), make_instance())
        admin = self.views.show(make_request("2.16", admin=True), make_instance(),
                                extended=True, show_host_status=True)
        self.assertNotIn("OS-EXT-SRV-ATTR:host", owner)
        self.assertEqual(admin["OS-EXT-SRV-ATTR:host"], "novatx-host")
        self.assertEqual(admin["OS-EXT-SRV-ATTR:instance_name"], "instance-0000000a")
        self.assertEqual(admin["OS-EXT-SRV-ATTR:reservation_id"], "r-abc")
        self.assertEqual(admin["OS-EXT-SRV-ATTR:user_data"], "aGVsbG8=")
        self.assertEqual(admin["host_status"], "UP")

    def test_addresses_and_host_id(self):
        server = self.views.show(make_request(), make_instance())
        self.assertEqual(server["addresses"], {"private": [{
            "version": 4, "addr": "10.0.0.3", "OS-EXT-IPS:type": "fixed",
            "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:03",
        }]})
        self.assertEqual(server["hostId"], host_id("p1", "novatx-host"))
        self.assertEqual(len(server["hostId"]), 56)
        self.assertEqual(self.views.show(make_request(), make_instance(host=None))["hostId"], "")

    def test_error_shows_fault_without_details_for_owner(self):
        instance = make_instance(status="ERROR", vm_state="error", fault=Fault(
            code=500, message="No valid host was found.", details="Traceback...", created_at=NOW))
        owner = self.views.show(make_request(), instance)
        admin = self.views.show(make_request(admin=True), instance, extended=True)
        self.assertEqual(owner["fault"], {"code": 500, "created": "2026-11-25T10:30:05Z",
                                          "message": "No valid host was found."})
        self.assertEqual(admin["fault"]["details"], "Traceback...")
        self.assertNotIn("progress", owner)

    def test_brief_view_leaves_out_extension_fields(self):
        server = self.views.show(make_request("2.74"), make_instance(), brief=True)
        self.assertNotIn("OS-EXT-STS:vm_state", server)
        self.assertNotIn("OS-EXT-IPS:type", server["addresses"]["private"][0])
        self.assertIn("locked_reason", server)

    def test_booted_from_volume_has_empty_image(self):
        server = self.views.show(make_request("2.3"), make_instance(
            image_id=None, volumes_attached=(AttachedVolume("v1", True),)))
        self.assertEqual(server["image"], "")
        self.assertEqual(server["os-extended-volumes:volumes_attached"],
                         [{"id": "v1", "delete_on_termination": True}])


class ListTests(TestCase):
    """C{GET /servers} and the links of a full page."""

    def test_index_links_follow_the_request_host_and_project(self):
        document = ServerViews().index(make_request(project_id="p1"), [make_instance()], limit=1000)
        (server,) = document["servers"]
        self.assertEqual(server["links"], [
            {"rel": "self", "href": "http://api.example:8774/v2.1/p1/servers/" + server["id"]},
            {"rel": "bookmark", "href": "http://api.example:8774/p1/servers/" + server["id"]},
        ])
        self.assertNotIn("servers_links", document)

    def test_full_page_has_next_link_keeping_the_query(self):
        request = make_request(args={"limit": ["1"], "name": ["web"], "marker": ["old"]})
        document = ServerViews().detail(request, [make_instance()], limit=1)
        (link,) = document["servers_links"]
        self.assertEqual(link["rel"], "next")
        self.assertEqual(
            link["href"],
            "http://api.example:8774/v2.1/servers/detail?limit=1&name=web&marker="
            "4b1c6f5e-8a1e-4a3b-9a9e-0d1f0e6c7a11",
        )


class CreateTests(TestCase):
    def test_create_answer_has_password_and_security_groups(self):
        document = ServerViews().create(make_request(), make_instance(), "secret")
        self.assertEqual(document["server"]["adminPass"], "secret")
        self.assertEqual(document["server"]["security_groups"], [{"name": "default"}])
        self.assertEqual(document["server"]["OS-DCF:diskConfig"], "MANUAL")

    def test_no_networks_no_security_groups(self):
        document = ServerViews().create(make_request(), make_instance(networks="none"), None)
        self.assertNotIn("security_groups", document["server"])
        self.assertNotIn("adminPass", document["server"])


class InstanceActionTests(TestCase):
    def setUp(self):
        self.action = InstanceAction(
            action="stop", instance_uuid="u1", request_id="req-1", user_id="alice", project_id="p1",
            start_time=NOW, updated_at=NOW,
            events=(InstanceActionEvent(event="compute_stop_instance", start_time=NOW, finish_time=NOW,
                                        result="Success", host="novatx-host"),),
        )

    def test_updated_at_from_2_58(self):
        self.assertNotIn("updated_at", instance_action(make_request("2.57"), self.action))
        self.assertEqual(instance_action(make_request("2.58"), self.action)["updated_at"],
                         "2026-11-25T10:30:05.123456")

    def test_events_host_for_admins_from_2_62(self):
        owner = instance_action(make_request("2.62"), self.action, with_events=True)["events"][0]
        admin = instance_action(make_request("2.62", admin=True), self.action, with_events=True)["events"][0]
        self.assertNotIn("host", owner)
        self.assertNotIn("traceback", owner)
        self.assertEqual(admin["host"], "novatx-host")
        self.assertEqual(owner["hostId"], admin["hostId"])


class TimeTests(TestCase):
    def test_formats(self):
        self.assertEqual(isotime(NOW), "2026-11-25T10:30:05Z")
        self.assertEqual(primitive_time(NOW), "2026-11-25T10:30:05.123456")
        self.assertIsNone(isotime(None))
