"""
The compute resources' view builders: the documents nova shows, per
microversion, built from records without a server.
"""

from __future__ import annotations

import datetime
import os
import tomllib

from twisted.trial import unittest
from zope.interface.verify import verifyObject

import novatx
from novatx.compute.records import Flavor, Image, KeyPair, QuotaSet, ServerGroup
from novatx.extensions.compute import flavors, images, image_service, keypairs, limits, server_groups
from novatx.extensions.compute import versions
from novatx.extensions.compute.test._requests import api_request
from novatx.extensions.interfaces import IPolicyDefaultsProvider, IResourceExtension
from novatx.resources import versions as root_versions

WHEN = datetime.datetime(2026, 11, 25, 12, 30, 5, tzinfo=datetime.timezone.utc)

TINY = Flavor(id=1, flavorid="1", name="m1.tiny", memory_mb=512, vcpus=1, root_gb=1,
              description="small", extra_specs={"hw:cpu_policy": "shared"})


class FlavorViewTests(unittest.TestCase):
    def test_detail_at_2_1_has_nova_keys_and_empty_swap(self) -> None:
        document = flavors.flavor_detail(api_request("2.1"), TINY)
        self.assertEqual(
            sorted(document),
            sorted(["id", "name", "ram", "disk", "swap", "OS-FLV-EXT-DATA:ephemeral",
                    "OS-FLV-DISABLED:disabled", "vcpus", "os-flavor-access:is_public",
                    "rxtx_factor", "links"]),
        )
        self.assertEqual(document["swap"], "")
        self.assertEqual(document["ram"], 512)

    def test_detail_gains_description_extra_specs_and_integer_swap(self) -> None:
        self.assertIn("description", flavors.flavor_detail(api_request("2.55"), TINY))
        self.assertNotIn("extra_specs", flavors.flavor_detail(api_request("2.60"), TINY))
        at_261 = flavors.flavor_detail(api_request("2.61"), TINY)
        self.assertEqual(at_261["extra_specs"], {"hw:cpu_policy": "shared"})
        self.assertEqual(at_261["swap"], "")
        self.assertEqual(flavors.flavor_detail(api_request("2.75"), TINY)["swap"], 0)

    def test_links_follow_the_request_root_and_project(self) -> None:
        request = api_request(root="http://proxy.example/compute/v2.1", project_id="p1")
        links = flavors.flavor_summary(request, TINY)["links"]
        self.assertEqual(
            links,
            [
                {"rel": "self", "href": "http://proxy.example/compute/v2.1/p1/flavors/1"},
                {"rel": "bookmark", "href": "http://proxy.example/compute/p1/flavors/1"},
            ],
        )


    def test_ids_are_percent_encoded_in_links(self) -> None:
        spaced = Flavor(id=2, flavorid="a b/c", name="odd", memory_mb=1, vcpus=1, root_gb=0)
        (own, bookmark) = flavors.flavor_summary(api_request(), spaced)["links"]
        self.assertEqual(own["href"], "http://compute.example:8774/v2.1/flavors/a%20b%2Fc")
        self.assertEqual(bookmark["href"], "http://compute.example:8774/flavors/a%20b%2Fc")


class KeypairViewTests(unittest.TestCase):
    KEY = KeyPair(name="k", user_id="alice", type="ssh", public_key="ssh-ed25519 AAAA",
                  fingerprint="aa:bb", created_at=WHEN, id=7, private_key="PRIVATE")

    def test_created_key_shows_private_key_and_type_from_2_2(self) -> None:
        at_21 = keypairs.keypair_document(api_request("2.1"), self.KEY, created=True)
        self.assertEqual(at_21["private_key"], "PRIVATE")
        self.assertNotIn("type", at_21)
        self.assertEqual(keypairs.keypair_document(api_request("2.2"), self.KEY)["type"], "ssh")

    def test_detail_has_nova_bookkeeping_fields(self) -> None:
        document = keypairs.keypair_detail(api_request("2.2"), self.KEY)
        self.assertEqual(document["created_at"], "2026-11-25T12:30:05")
        self.assertEqual((document["deleted"], document["deleted_at"], document["id"]), (False, None, 7))
        self.assertNotIn("private_key", document)


class ServerGroupViewTests(unittest.TestCase):
    GROUP = ServerGroup(uuid="g1", name="web", project_id="p1", user_id="alice",
                        policy="anti-affinity", rules={"max_server_per_host": 2})

    def test_policies_list_before_2_64_and_policy_rules_after(self) -> None:
        old = server_groups.server_group_document(api_request("2.1"), self.GROUP)
        self.assertEqual((old["policies"], old["metadata"]), (["anti-affinity"], {}))
        self.assertNotIn("project_id", old)
        self.assertEqual(server_groups.server_group_document(api_request("2.13"), self.GROUP)["user_id"], "alice")
        new = server_groups.server_group_document(api_request("2.64"), self.GROUP)
        self.assertEqual((new["policy"], new["rules"]), ("anti-affinity", {"max_server_per_host": 2}))
        self.assertNotIn("policies", new)


class LimitsViewTests(unittest.TestCase):
    QUOTAS = QuotaSet(project_id="p1", limits={"instances": 10, "cores": 20, "ram": 51200,
                                               "metadata_items": 128, "injected_files": 5,
                                               "injected_file_content_bytes": 10240,
                                               "key_pairs": 100, "server_groups": 10,
                                               "server_group_members": 10,
                                               "floating_ips": 50},
                      in_use={"instances": 2, "cores": 2, "ram": 1024})

    def test_limits_drop_keys_at_nova_microversions(self) -> None:
        at_21 = limits.limits_document(self.QUOTAS, api_request("2.1").version)["limits"]
        self.assertEqual(at_21["rate"], [])
        self.assertEqual(at_21["absolute"]["totalInstancesUsed"], 2)
        self.assertEqual(at_21["absolute"]["maxTotalFloatingIps"], 50)
        latest = limits.limits_document(self.QUOTAS, api_request("2.104").version)["limits"]["absolute"]
        for gone in ("maxTotalFloatingIps", "maxImageMeta", "maxPersonality", "totalSecurityGroupsUsed"):
            self.assertNotIn(gone, latest)
        self.assertEqual(latest["maxTotalRAMSize"], 51200)


class ImageViewTests(unittest.TestCase):
    SNAPSHOT = Image(id="i1", internal_id=1, name="snap", status="saving", size=10,
                     properties={"instance_uuid": "s1", "auto_disk_config": "True"},
                     created_at=WHEN, owner="p1", visibility="private")

    def test_compute_proxy_detail(self) -> None:
        document = images.image_detail(api_request("2.1"), self.SNAPSHOT)
        self.assertEqual((document["status"], document["progress"]), ("SAVING", 50))
        self.assertEqual(document["created"], "2026-11-25T12:30:05Z")
        self.assertEqual(document["server"]["id"], "s1")
        self.assertEqual(document["OS-DCF:diskConfig"], "AUTO")
        self.assertIn(
            {"rel": "alternate", "type": "application/vnd.openstack.image",
             "href": "http://compute.example:8774/image/images/i1"},
            document["links"],
        )

    def test_glance_view_is_flat_with_relative_links(self) -> None:
        document = image_service.glance_image(self.SNAPSHOT)
        self.assertEqual(document["self"], "/v2/images/i1")
        self.assertEqual(document["instance_uuid"], "s1")
        self.assertEqual((document["visibility"], document["tags"]), ("private", []))


class VersionDocumentTests(unittest.TestCase):
    def test_v2_1_document(self) -> None:
        document = versions.version_document(api_request("2.1"))["version"]
        self.assertEqual((document["version"], document["min_version"]), ("2.104", "2.1"))
        self.assertEqual(document["links"][0], {"rel": "self", "href": "http://compute.example:8774/v2.1/"})
        self.assertEqual(document["links"][1]["rel"], "describedby")

    def test_legacy_root_describes_v2_0(self) -> None:
        request = api_request("2.0", root="http://compute.example:8774/v2")
        document = versions.version_document(request)["version"]
        self.assertEqual((document["id"], document["version"]), ("v2.0", ""))
        self.assertEqual(document["links"][0]["href"], "http://compute.example:8774/v2/")

    def test_agrees_with_the_root_document(self) -> None:
        for entry in root_versions.VERSIONS:
            mine = versions.VERSIONS[entry["id"]]
            for key in ("status", "version", "min_version", "updated"):
                self.assertEqual(mine[key], entry[key], (entry["id"], key))


class InterfaceTests(unittest.TestCase):
    def test_every_resource_provides_its_interfaces(self) -> None:
        from importlib.metadata import entry_points

        declared = _declared_compute_extensions()
        checked = set()
        for point in entry_points(group="novatx.api.osapi_compute.extensions"):
            if not point.value.startswith("novatx.extensions.compute."):
                continue
            extension = point.load()()
            self.assertTrue(verifyObject(IResourceExtension, extension), point.name)
            if IPolicyDefaultsProvider.providedBy(extension):
                self.assertTrue(verifyObject(IPolicyDefaultsProvider, extension))
            checked.add(point.name)
        self.assertEqual(checked, declared)


def _declared_compute_extensions() -> set[str]:
    """The built-in compute extensions pyproject.toml declares (the checkout's own list)."""
    path = os.path.join(os.path.dirname(novatx.__file__), os.pardir, "pyproject.toml")
    with open(path, "rb") as f:
        points = tomllib.load(f)["project"]["entry-points"]
    group = points["novatx.api.osapi_compute.extensions"]
    return {name for name, value in group.items() if value.startswith("novatx.extensions.compute.")}
