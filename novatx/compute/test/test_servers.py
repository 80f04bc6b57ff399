"""
Servers through the internal API, on SQLite, PostgreSQL and MariaDB: create,
read, list (filters, sorting, paging), change and delete, and the bad input
each must refuse in nova's words.
"""

from __future__ import annotations

import base64
import datetime

import attrs

from twisted.trial.unittest import TestCase
from zope.interface.verify import verifyObject

from novatx.compute import exceptions as exc
from novatx.compute.context import generate_request_id
from novatx.compute.fields import ExtraField
from novatx.compute.interfaces import CreateRequest, IComputeAPI, IComputeDriver, ServerQuery
from novatx.compute.test.support import ADMIN, ALICE, BOB, ServiceMixin, gone, settled


class ServersTestsMixin(ServiceMixin):
    async def test_api_provides_the_interface(self):
        service = await self.start_service()
        self.assertTrue(verifyObject(IComputeAPI, service.api))
        self.assertTrue(verifyObject(IComputeDriver, service.driver))

    async def test_create_boots_to_active_with_an_address(self):
        service = await self.start_service()
        image = await self.cirros(service)
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="web", flavor_id="1", image_id=image, metadata={"role": "web"}))
        self.assertEqual(1, len(created))
        first = created[0]
        self.assertEqual(("BUILD", "building", "scheduling"),
                         (first.status, first.vm_state, first.task_state))
        self.assertEqual("i-%08x" % first.id, first.ec2_id)
        instance = await settled(service, ALICE, first.uuid)
        self.assertEqual(("ACTIVE", "active", 1), (instance.status, instance.vm_state,
                                                   instance.power_state))
        self.assertEqual("10.0.0.2", instance.fixed_ip)
        self.assertEqual("web", instance.hostname)
        self.assertEqual({"role": "web"}, instance.metadata)
        self.assertEqual("m1.tiny", instance.flavor.name)
        self.assertIsNotNone(instance.launched_at)
        by_address = await service.api.get_server_by_address("10.0.0.2")
        self.assertEqual(first.uuid, by_address.uuid)
        by_ec2 = await service.api.get_server_by_ec2_id(ALICE, first.id)
        self.assertEqual(first.uuid, by_ec2.uuid)

    async def test_multiple_create_shares_a_reservation(self):
        service = await self.start_service()
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="node", flavor_id="1", image_id=await self.cirros(service),
            min_count=2, max_count=3))
        self.assertEqual(["node-1", "node-2", "node-3"], [i.name for i in created])
        self.assertEqual([0, 1, 2], [i.launch_index for i in created])
        self.assertEqual(1, len({i.reservation_id for i in created}))
        page = await service.api.list_servers(ALICE, ServerQuery(
            reservation_id=created[0].reservation_id))
        self.assertEqual(3, len(page.items))

    async def test_other_projects_do_not_see_a_server(self):
        service = await self.start_service()
        instance = await self.boot(service)
        with self.assertRaises(exc.InstanceNotFound):
            await service.api.get_server(BOB, instance.uuid)
        with self.assertRaises(exc.InstanceNotFound):
            await service.api.stop(BOB, instance.uuid)
        self.assertEqual((), (await service.api.list_servers(BOB, ServerQuery())).items)
        everyone = await service.api.list_servers(ADMIN, ServerQuery(all_tenants=True))
        self.assertEqual([instance.uuid], [i.uuid for i in everyone.items])
        own = await service.api.list_servers(ADMIN, ServerQuery())
        self.assertEqual((), own.items)

    async def test_list_filters(self):
        service = await self.start_service()
        web = await self.boot(service, name="web-1", tags=("blue", "prod"))
        db = await self.boot(service, name="db-1", flavor_id="2", tags=("prod",))
        await service.api.stop(ALICE, db.uuid)
        db = await settled(service, ALICE, db.uuid)

        async def names(**query):
            page = await service.api.list_servers(ALICE, ServerQuery(**query))
            return sorted(i.name for i in page.items)

        self.assertEqual(["web-1"], await names(name="^we"))
        self.assertEqual(["db-1"], await names(status="SHUTOFF"))
        self.assertEqual(["web-1"], await names(status="active"))
        self.assertEqual(["db-1"], await names(flavor_id="2"))
        self.assertEqual(["db-1", "web-1"], await names(image_id=web.image_id))
        self.assertEqual(["web-1"], await names(ip="^%s$" % web.fixed_ip.replace(".", r"\.")))
        self.assertEqual(["db-1", "web-1"], await names(tags=("prod",)))
        self.assertEqual(["web-1"], await names(tags=("prod", "blue")))
        self.assertEqual(["db-1"], await names(not_tags=("blue",)))
        self.assertEqual(["web-1"], await names(tags_any=("blue", "green")))
        self.assertEqual(["db-1", "web-1"], await names(uuids=(web.uuid, db.uuid)))
        later = db.updated_at + datetime.timedelta(seconds=10)
        self.assertEqual([], await names(changes_since=later))

    async def test_changes_since_includes_deleted(self):
        service = await self.start_service()
        instance = await self.boot(service)
        since = instance.created_at - datetime.timedelta(seconds=1)
        await service.api.delete_server(ALICE, instance.uuid)
        await gone(service, instance.uuid)
        self.assertEqual((), (await service.api.list_servers(ALICE, ServerQuery())).items)
        page = await service.api.list_servers(ALICE, ServerQuery(changes_since=since))
        self.assertEqual([(instance.uuid, True, "DELETED")],
                         [(i.uuid, i.deleted, i.status) for i in page.items])

    async def test_pages_follow_the_marker(self):
        service = await self.start_service()
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="n", flavor_id="1", image_id=await self.cirros(service),
            min_count=5, max_count=5))
        seen = []
        marker = None
        while True:
            page = await service.api.list_servers(ALICE, ServerQuery(
                sort_keys=("display_name",), sort_dirs=("asc",), limit=2, marker=marker))
            seen.extend(i.name for i in page.items)
            if not page.has_more:
                break
            marker = page.items[-1].uuid
        self.assertEqual(sorted(i.name for i in created), seen)
        newest_first = await service.api.list_servers(ALICE, ServerQuery())
        self.assertEqual(sorted(i.uuid for i in created),
                         sorted(i.uuid for i in newest_first.items))

    async def test_bad_marker_and_sort_key_are_refused(self):
        service = await self.start_service()
        await self.boot(service)
        with self.assertRaises(exc.MarkerNotFound) as caught:
            await service.api.list_servers(ALICE, ServerQuery(marker="no-such-uuid"))
        self.assertEqual("Marker no-such-uuid could not be found.", str(caught.exception))
        with self.assertRaises(exc.InvalidSortKey) as caught:
            await service.api.list_servers(ALICE, ServerQuery(sort_keys=("user_data",)))
        self.assertEqual("Sort key supplied is invalid: user_data", str(caught.exception))
        self.assertIsInstance(exc.MarkerNotFound(marker="x"), exc.Invalid)

    async def test_bad_listing_queries_are_refused_or_match_nothing(self):
        """
        A regular expression no database can run, a negative limit: L{Invalid}
        on every backend (not a database error, nor an outage). Values no row
        can hold (a NUL, which PostgreSQL refuses outright) find nothing; a
        huge limit is no limit, and a limit of zero has no next page.
        """
        service = await self.start_service()
        instance = await self.boot(service, name="web-1", tags=("blue",))
        for query, message in [
            (ServerQuery(name="web-["), "Invalid regular expression for name: unterminated "
                                        "character set at position 4."),
            (ServerQuery(ip="*"), "Invalid regular expression for ip: nothing to repeat at "
                                  "position 0."),
            (ServerQuery(limit=-1), "limit must be >= 0"),
        ]:
            with self.assertRaises(exc.Invalid, msg=repr(query)) as caught:
                await service.api.list_servers(ALICE, query)
            self.assertEqual(message, str(caught.exception))
        named = ServerQuery(name="(?P<n>web)")
        if self.backend == "postgresql":
            # Python compiles it; PostgreSQL's regular expressions have no named groups.
            with self.assertRaises(exc.Invalid) as caught:
                await service.api.list_servers(ALICE, named)
            self.assertTrue(str(caught.exception).startswith(
                "Invalid regular expression for name: invalid regular expression"),
                str(caught.exception))
        else:
            page = await service.api.list_servers(ALICE, named)
            self.assertEqual([instance.uuid], [i.uuid for i in page.items])
        for query in [ServerQuery(name="web\x00"), ServerQuery(image_id="a\x00"),
                      ServerQuery(flavor_id="1\x00"), ServerQuery(tags=("blue\x00",)),
                      ServerQuery(uuids=("u\x00",)), ServerQuery(key_name="k\x00"),
                      ServerQuery(availability_zone="nova\x00")]:
            page = await service.api.list_servers(ALICE, query)
            self.assertEqual((), page.items, query)
        with self.assertRaises(exc.MarkerNotFound):
            await service.api.list_servers(ALICE, ServerQuery(marker="m\x00"))
        with self.assertRaises(exc.InstanceNotFound):
            await service.api.get_server(ALICE, instance.uuid + "\x00")
        huge = await service.api.list_servers(ALICE, ServerQuery(limit=10 ** 20))
        self.assertEqual(([instance.uuid], False), ([i.uuid for i in huge.items], huge.has_more))
        none = await service.api.list_servers(ALICE, ServerQuery(limit=0, name="web"))
        self.assertEqual(((), False), (none.items, none.has_more))
        plain = await service.api.list_servers(ALICE, ServerQuery(limit=0))
        self.assertEqual(((), False), (plain.items, plain.has_more))

    async def test_keys_that_differ_in_case_or_trailing_space_are_distinct(self):
        """
        Metadata keys, tags and EC2 client tokens are kept exactly as given on
        every backend (MySQL's default collation would fold them together).
        """
        service = await self.start_service()
        instance = await self.boot(service, metadata={"a": "1", "A": "2", "a ": "3"},
                                   tags=("X", "x"))
        self.assertEqual(({"a": "1", "A": "2", "a ": "3"}, ("X", "x")),
                         (instance.metadata, instance.tags))
        self.assertEqual({"a": "1", "A": "2", "a ": "3", "B": "4", "b": "5"},
                         await service.api.set_metadata(ALICE, instance.uuid,
                                                        {"B": "4", "b": "5"}))
        self.assertEqual(["Y", "y"], await service.api.set_tags(ALICE, instance.uuid, ["Y", "y"]))
        page = await service.api.list_servers(ALICE, ServerQuery(tags=("y",)))
        self.assertEqual([instance.uuid], [i.uuid for i in page.items])
        image = await self.cirros(service)
        first, second = [await service.api.create_servers(ALICE, CreateRequest(
            name="ec2", flavor_id="1", image_id=image, client_token=token))
            for token in ("Token", "token")]
        self.assertNotEqual(first[0].uuid, second[0].uuid)

    async def test_update_and_delete(self):
        service = await self.start_service()
        instance = await self.boot(service)
        updated = await service.api.update_server(ALICE, instance.uuid, name="renamed",
                                                  description="d")
        self.assertEqual(("renamed", "d"), (updated.name, updated.description))
        deleting = await service.api.delete_server(ALICE, instance.uuid)
        self.assertEqual("deleting", deleting.task_state)
        await gone(service, instance.uuid)
        with self.assertRaises(exc.InstanceNotFound):
            await service.api.get_server_by_address(instance.fixed_ip)
        usage = await service.api.get_quotas(ALICE, "p1", usages=True)
        self.assertEqual(0, usage.in_use["instances"])
        again = await self.boot(service)
        self.assertEqual(instance.fixed_ip, again.fixed_ip)

    async def test_delete_during_build(self):
        service = await self.start_service(self.make_config(boot_seconds=0.4, delete_seconds=1.5))
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="short", flavor_id="1", image_id=await self.cirros(service)))
        uuid = created[0].uuid
        await settled(service, ALICE, uuid, until=lambda i: i.task_state == "networking")
        deleting = await service.api.delete_server(ALICE, uuid)
        self.assertEqual(("BUILD", "deleting"), (deleting.status, deleting.task_state))
        again = await service.api.delete_server(ALICE, uuid)
        self.assertEqual("deleting", again.task_state)
        await gone(service, uuid)
        usage = await service.api.get_quotas(ALICE, "p1", usages=True)
        self.assertEqual(0, usage.in_use["instances"])
        page = await service.api.list_servers(ADMIN, ServerQuery(all_tenants=True,
                                                                 deleted=True))
        self.assertEqual([("DELETED", None)], [(i.status, i.fixed_ip) for i in page.items])

    async def test_networks_none_and_a_chosen_address(self):
        service = await self.start_service()
        bare = await self.boot(service, name="bare", networks="none")
        self.assertEqual(("ACTIVE", None), (bare.status, bare.fixed_ip))
        chosen = await self.boot(service, name="chosen",
                                 networks=({"uuid": "private", "fixed_ip": "10.0.0.9"},))
        self.assertEqual("10.0.0.9", chosen.fixed_ip)
        image = await self.cirros(service)
        for networks, message in [
            (({"fixed_ip": "10.0.0.9"},), "Fixed IP address 10.0.0.9 is already in use."),
            (({"fixed_ip": "192.168.1.5"},),
             "Fixed IP 192.168.1.5 is not a valid ip address for network 10.0.0.0/24."),
        ]:
            with self.assertRaises(exc.Invalid) as caught:
                await service.api.create_servers(ALICE, CreateRequest(
                    name="x", flavor_id="1", image_id=image, networks=networks))
            self.assertEqual(message, str(caught.exception))
        with self.assertRaises(exc.Invalid):
            await service.api.create_servers(ALICE, CreateRequest(
                name="x", flavor_id="1", image_id=image, max_count=2,
                networks=({"fixed_ip": "10.0.0.20"},)))

    async def test_metadata_and_tags(self):
        service = await self.start_service()
        instance = await self.boot(service, metadata={"a": "1"})
        self.assertEqual({"a": "1", "b": "2"},
                         await service.api.set_metadata(ALICE, instance.uuid, {"b": "2"}))
        self.assertEqual({"c": "3"},
                         await service.api.set_metadata(ALICE, instance.uuid, {"c": "3"},
                                                        replace=True))
        await service.api.delete_metadata_item(ALICE, instance.uuid, "c")
        with self.assertRaises(exc.NotFound):
            await service.api.delete_metadata_item(ALICE, instance.uuid, "c")
        self.assertEqual(["x", "y"], await service.api.set_tags(ALICE, instance.uuid, ["y", "x"]))
        self.assertEqual(["x", "y", "z"], await service.api.add_tag(ALICE, instance.uuid, "z"))
        self.assertEqual(["x", "y", "z"], await service.api.add_tag(ALICE, instance.uuid, "z"))
        await service.api.delete_tag(ALICE, instance.uuid, "x")
        with self.assertRaises(exc.NotFound):
            await service.api.delete_tag(ALICE, instance.uuid, "x")
        final = await service.api.get_server(ALICE, instance.uuid)
        self.assertEqual(({}, ("y", "z")), (final.metadata, final.tags))

    async def test_bad_create_requests_are_refused_and_nothing_is_written(self):
        service = await self.start_service()
        image = await self.cirros(service)
        good = dict(name="ok", flavor_id="1", image_id=image)
        deleted_image = await service.api.create_image_record(ALICE, "gone")
        await service.api.delete_image(ALICE, deleted_image.id)
        queued_image = await service.api.create_image_record(ALICE, "empty", status="queued")
        cases = [
            (dict(flavor_id="999"), exc.FlavorNotFound, "Flavor 999 could not be found."),
            (dict(image_id="no-such-image"), exc.ImageNotFound,
             "Image no-such-image could not be found."),
            (dict(image_id=deleted_image.id), exc.ImageNotFound,
             "Image %s could not be found." % deleted_image.id),
            (dict(image_id=queued_image.id), exc.ImageNotActive,
             "Image %s is not active." % queued_image.id),
            (dict(key_name="nokey"), exc.KeypairNotFound,
             "Keypair nokey not found for user alice"),
            (dict(min_count=-1), exc.Invalid, None),
            (dict(min_count=0), exc.Invalid, None),
            (dict(max_count=-5), exc.Invalid, None),
            (dict(min_count=3, max_count=2), exc.Invalid, "min_count must be <= max_count"),
            (dict(min_count=10 ** 9, max_count=10 ** 9), exc.QuotaExceeded,
             "Quota exceeded for cores, instances, ram: Requested 1000000000, 1000000000, "
             "512000000000, but already used 0, 0, 0 of 20, 10, 51200 cores, instances, ram"),
            (dict(name="x" * 256), exc.Invalid,
             "Invalid input for field/attribute name. Value: %s. '%s' is too long"
             % ("x" * 256, "x" * 256)),
            (dict(name="bad\x07name"), exc.Invalid,
             "An invalid 'name' value was provided. The name must be: printable characters. "
             "Can not start or end with whitespace."),
            (dict(name="line\nbreak"), exc.Invalid, None),
            (dict(name="nul\x00"), exc.Invalid, None),
            (dict(name=""), exc.Invalid, None),
            (dict(metadata={"k%d" % i: "v" for i in range(129)}), exc.MetadataLimitExceeded,
             "Maximum number of metadata items exceeds 128"),
            (dict(metadata={"k" * 256: "v"}), exc.Invalid,
             "Metadata property key greater than 255 characters."),
            (dict(metadata={"": "v"}), exc.Invalid, "Metadata property key blank."),
            (dict(metadata={"k": "v\x00"}), exc.Invalid,
             "Metadata property key and value must not contain NUL characters."),
            (dict(metadata={"k": "v" * 256}), exc.Invalid,
             "Metadata property value greater than 255 characters."),
            (dict(tags=("t\x00",)), exc.Invalid, None),
            (dict(flavor_id="1\x00"), exc.FlavorNotFound, None),
            (dict(image_id="a\x00"), exc.ImageNotFound, None),
            (dict(user_data="not base64!"), exc.Invalid, "User data needs to be valid base 64."),
            (dict(user_data=base64.b64encode(b"x" * 65536).decode()), exc.Invalid,
             "User data too large. User data must be no larger than 65535 bytes once base64 "
             "decoded. Your data is 65536 bytes"),
        ]
        for changes, kind, message in cases:
            request = CreateRequest(**dict(good, **changes))
            with self.assertRaises(kind, msg=repr(changes)[:80]) as caught:
                await service.api.create_servers(ALICE, request)
            if message is not None:
                self.assertEqual(message, str(caught.exception))
        page = await service.api.list_servers(ALICE, ServerQuery())
        self.assertEqual((), page.items)
        fits = await service.api.create_servers(ALICE, CreateRequest(
            **dict(good, user_data=base64.b64encode(b"x" * 65535).decode())))
        self.assertEqual(1, len(fits))

    async def test_huge_max_count_creates_what_the_quota_allows(self):
        service = await self.start_service()
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="many", flavor_id="1", image_id=await self.cirros(service),
            min_count=1, max_count=10 ** 9))
        self.assertEqual(10, len(created))

    async def test_huge_min_count_with_unlimited_quotas_is_refused(self):
        conf = self.make_config()
        for name in ("instances", "cores", "ram"):
            conf.set_override(name, -1, "quota")
        service = await self.start_service(conf)
        with self.assertRaises(exc.Invalid) as caught:
            await service.api.create_servers(ALICE, CreateRequest(
                name="many", flavor_id="1", image_id=await self.cirros(service),
                min_count=10 ** 9, max_count=10 ** 9))
        self.assertEqual("min_count may not exceed 1000.", str(caught.exception))
        self.assertEqual((), (await service.api.list_servers(ALICE, ServerQuery())).items)

    async def test_extension_fields_are_typed_stored_and_returned(self):
        service = await self.start_service()
        service.api.register_fields([ExtraField("example:color", "string", "none", "colors"),
                                     ExtraField("example:size", "integer", 1, "colors")])
        with self.assertRaises(ValueError) as caught:
            service.api.register_fields([ExtraField("example:color", "string", None, "paint")])
        self.assertIn("colors", str(caught.exception))
        self.assertIn("paint", str(caught.exception))
        image = await self.cirros(service)
        with self.assertRaises(exc.Invalid):
            await service.api.create_servers(ALICE, CreateRequest(
                name="x", flavor_id="1", image_id=image, extra={"example:size": "big"}))
        with self.assertRaises(exc.Invalid):
            await service.api.create_servers(ALICE, CreateRequest(
                name="x", flavor_id="1", image_id=image, extra={"example:unknown": 1}))
        spawned = []
        spawn = service.driver.spawn

        def recording(instance, extra_fields):
            spawned.append((instance.uuid, dict(extra_fields)))
            return spawn(instance, extra_fields)
        service.driver.spawn = recording
        created = await service.api.create_servers(ALICE, CreateRequest(
            name="x", flavor_id="1", image_id=image, extra={"example:color": "red"}))
        instance = await service.api.get_server(ALICE, created[0].uuid)
        self.assertEqual({"example:color": "red", "example:size": 1}, instance.extra)
        self.assertEqual([(instance.uuid, {"example:color": "red", "example:size": 1})],
                         spawned)

    async def test_observers_hear_of_changes(self):
        service = await self.start_service()
        heard = []
        service.api.add_observer(heard.append)
        instance = await self.boot(service)
        count = len(heard)
        self.assertGreaterEqual(count, 2)
        self.assertEqual({instance.uuid}, set(heard))
        await service.api.set_metadata(ALICE, instance.uuid, {"k": "v"})
        self.assertEqual(count + 1, len(heard))

    async def test_console_output_and_actions(self):
        service = await self.start_service()
        instance = await self.boot(service, name="Web Server")
        output = await service.api.get_console_output(ALICE, instance.uuid)
        self.assertIn("web-server login:", output)
        self.assertIn(instance.fixed_ip, output)
        tail = await service.api.get_console_output(ALICE, instance.uuid, length=2)
        self.assertEqual(2, len(tail.split("\n")))
        await service.api.reboot(attrs.evolve(ALICE, request_id=generate_request_id()),
                                 instance.uuid, hard=True)
        await settled(service, ALICE, instance.uuid)
        history = await service.api.list_instance_actions(ALICE, instance.uuid)
        self.assertEqual(["reboot", "create"], [a.action for a in history])
        self.assertEqual("Success", history[0].events[0].result)
        one = await service.api.get_instance_action(ALICE, instance.uuid, history[1].request_id)
        self.assertEqual("compute__do_build_and_run_instance", one.events[0].event)

    async def test_passwords_are_set_once(self):
        service = await self.start_service()
        instance = await self.boot(service)
        self.assertEqual("", await service.api.get_password(instance.uuid))
        await service.api.set_password(instance.uuid, "s3cret")
        with self.assertRaises(exc.Conflict):
            await service.api.set_password(instance.uuid, "again")
        self.assertEqual("s3cret", await service.api.get_password(instance.uuid))

    async def test_client_token_makes_create_idempotent(self):
        service = await self.start_service()
        request = CreateRequest(name="ec2", flavor_id="1", image_id=await self.cirros(service),
                                client_token="token-1")
        first = await service.api.create_servers(ALICE, request)
        second = await service.api.create_servers(ALICE, request)
        self.assertEqual([i.uuid for i in first], [i.uuid for i in second])
        other = await service.api.create_servers(BOB, request)
        self.assertNotEqual(first[0].uuid, other[0].uuid)


class SQLiteServersTests(ServersTestsMixin, TestCase):
    backend = "sqlite"


class PostgreSQLServersTests(ServersTestsMixin, TestCase):
    backend = "postgresql"


class MariaDBServersTests(ServersTestsMixin, TestCase):
    backend = "mysql"
