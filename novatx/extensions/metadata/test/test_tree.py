"""Paths, listings and the trees as functions of an instance."""

from __future__ import annotations

import json

from twisted.trial.unittest import TestCase

from novatx.extensions.metadata import openstack as os_tree
from novatx.extensions.metadata import versions as v
from novatx.extensions.metadata.document import key_type
from novatx.extensions.metadata.ec2tree import ec2_tree
from novatx.extensions.metadata.test.fixtures import instance_data
from novatx.extensions.metadata.tree import find, render, split_path


class SplitPathTests(TestCase):
    def test_root_is_empty(self) -> None:
        self.assertEqual(split_path(b"/"), [])
        self.assertEqual(split_path(b""), [])

    def test_trailing_and_doubled_slashes_are_dropped(self) -> None:
        self.assertEqual(split_path(b"//latest//meta-data/"), ["latest", "meta-data"])

    def test_dot_dot_resolves_without_leaving_the_root(self) -> None:
        self.assertEqual(split_path(b"/latest/x/../meta-data"), ["latest", "meta-data"])
        self.assertEqual(split_path(b"/../../../etc/passwd"), ["etc", "passwd"])

    def test_percent_encoded_dot_dot_resolves_too(self) -> None:
        self.assertEqual(split_path(b"/latest/%2e%2e/%2E%2E/openstack"), ["openstack"])

    def test_query_is_ignored(self) -> None:
        self.assertEqual(split_path(b"/latest?x=1"), ["latest"])

    def test_a_path_asked_again_gives_the_same_fresh_list(self) -> None:
        first = split_path(b"/openstack/latest/meta_data.json")
        first.append("changed by its caller")
        self.assertEqual(split_path(b"/openstack/latest/meta_data.json"), ["openstack", "latest", "meta_data.json"])


class RenderTests(TestCase):
    def test_dict_lists_keys_sorted_with_subtrees_slashed(self) -> None:
        self.assertEqual(render({"b": "1", "a": {"x": "y"}}), b"a/\nb")

    def test_named_subtree_shows_its_name(self) -> None:
        self.assertEqual(render({"0": {"_name": "0=key", "openssh-key": "k"}}), b"0=key")

    def test_list_is_one_item_a_line(self) -> None:
        self.assertEqual(render(["a", "b"]), b"a\nb")

    def test_numbers_are_text(self) -> None:
        self.assertEqual(render(0), b"0")

    def test_find_refuses_name_marker_and_missing(self) -> None:
        tree = {"0": {"_name": "0=key", "openssh-key": "k"}}
        self.assertEqual(find(tree, ["0", "openssh-key"]), "k")
        self.assertRaises(KeyError, find, tree, ["0", "_name"])
        self.assertRaises(KeyError, find, tree, ["1"])
        self.assertRaises(KeyError, find, tree, ["0", "openssh-key", "x"])


def _walk(tree, prefix=()):
    """Every path a listing shows, as cloud-init would follow it."""
    for line in render(tree).decode().splitlines():
        if line.endswith("/"):
            name = line[:-1]
            yield prefix + (name,)
            yield from _walk(find(tree, [name]), prefix + (name,))
        elif "=" in line:
            index = line.split("=", 1)[0]
            yield prefix + (index,)
            yield from _walk(find(tree, [index]), prefix + (index,))
        else:
            yield prefix + (line,)


class EC2TreeTests(TestCase):
    def test_every_listed_key_resolves_at_every_version(self) -> None:
        data = instance_data()
        for version in v.EC2_VERSIONS:
            tree = ec2_tree(data, version)
            walked = list(_walk(tree))
            leaves = {"/".join(path): find(tree, list(path)) for path in walked
                      if not isinstance(find(tree, list(path)), dict)}
            self.assertEqual(leaves["meta-data/instance-id"], data.instance.ec2_id, version)
            self.assertEqual(leaves["meta-data/local-ipv4"], data.instance.fixed_ip, version)
            self.assertIn("meta-data/public-keys/0/openssh-key", leaves, version)
            self.assertIn("user-data", leaves, version)
            self.assertEqual(len(walked), len(set(walked)), version)

    def test_keys_appear_at_the_version_nova_added_them(self) -> None:
        data = instance_data()
        meta = ec2_tree(data, "1.0")["meta-data"]
        self.assertNotIn("local-hostname", meta)
        self.assertNotIn("instance-type", meta)
        meta = ec2_tree(data, "2009-04-04")["meta-data"]
        self.assertEqual(meta["instance-type"], "m1.tiny")
        self.assertEqual(meta["placement"], {"availability-zone": "nova"})
        self.assertNotIn("network", meta)
        meta = ec2_tree(data, "2021-03-23")["meta-data"]
        self.assertEqual(meta["placement"]["region"], "RegionOne")
        mac = data.instance.mac_address
        self.assertEqual(
            meta["network"]["interfaces"]["macs"][mac]["local-ipv4s"], data.instance.fixed_ip
        )

    def test_public_keys_show_index_and_name(self) -> None:
        meta = ec2_tree(instance_data(), "2009-04-04")["meta-data"]
        self.assertEqual(render(meta["public-keys"]), b"0=mykey")
        self.assertEqual(render(meta["public-keys"]["0"]), b"openssh-key")

    def test_no_user_data_no_key_means_no_entries(self) -> None:
        tree = ec2_tree(instance_data(user_data=None, key_name=None), "2009-04-04")
        self.assertNotIn("user-data", tree)
        self.assertNotIn("public-keys", tree["meta-data"])

    def test_identity_document_is_json(self) -> None:
        data = instance_data()
        document = json.loads(ec2_tree(data, "2009-04-04")["dynamic"]["instance-identity"]["document"])
        self.assertEqual(document["instanceId"], data.instance.ec2_id)
        self.assertEqual(document["privateIp"], data.instance.fixed_ip)


class KeyTypeTests(TestCase):
    def test_type_is_told_by_the_key(self) -> None:
        self.assertEqual(key_type("ssh-ed25519 AAAA x"), "ssh")
        self.assertEqual(key_type("-----BEGIN CERTIFICATE-----\nMIIB\n"), "x509")
        self.assertEqual(key_type(None), "ssh")


class OpenStackTreeTests(TestCase):
    def test_fields_appear_at_the_version_nova_added_them(self) -> None:
        data = instance_data()
        added = {
            "random_seed": v.GRIZZLY,
            "project_id": v.LIBERTY,
            "devices": v.NEWTON_ONE,
            "dedicated_cpus": v.VICTORIA,
        }
        for version in v.OPENSTACK_VERSIONS:
            document = os_tree.meta_data(data, version)
            for field, since in added.items():
                present = v.at_least(since, version, v.OPENSTACK_VERSIONS)
                self.assertEqual(field in document, present, (field, version))
            self.assertEqual(document["uuid"], data.instance.uuid)
            self.assertEqual(document["public_keys"], {"mykey": data.instance.key_data})

    def test_listing_follows_version(self) -> None:
        data = instance_data()
        self.assertEqual(os_tree.version_listing(data, v.FOLSOM), ["meta_data.json", "user_data"])
        self.assertEqual(
            os_tree.version_listing(data, v.EPOXY),
            [
                "meta_data.json",
                "user_data",
                "password",
                "vendor_data.json",
                "network_data.json",
                "vendor_data2.json",
            ],
        )

    def test_network_data_from_fixed_ip(self) -> None:
        data = instance_data()
        document = os_tree.network_data(data)
        (network,) = document["networks"]
        self.assertEqual(network["ip_address"], "10.0.0.5")
        self.assertEqual(network["netmask"], "255.255.255.0")
        self.assertEqual(network["routes"][0]["gateway"], "10.0.0.1")
        self.assertEqual(document["links"][0]["ethernet_mac_address"], data.instance.mac_address)

    def test_dedicated_flavor_lists_pinned_cpus(self) -> None:
        data = instance_data(extra_specs={"hw:cpu_policy": "dedicated"}, vcpus=2)
        self.assertEqual(os_tree.meta_data(data, v.VICTORIA)["dedicated_cpus"], [0, 1])
