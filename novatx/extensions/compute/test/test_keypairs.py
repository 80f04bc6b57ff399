"""C{/os-keypairs} over HTTP, across the microversions that change it."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


def public_key() -> str:
    """A fresh OpenSSH public key."""
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


class KeypairTests(ComputeAPITestCase):
    @async_test
    async def test_generate_at_2_1_and_2_2(self) -> None:
        await self.start()
        old = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "old"}})
        self.assertEqual(old.code, 200, old.text)
        self.assertIn("PRIVATE KEY", old.body["keypair"]["private_key"])
        self.assertEqual(old.body["keypair"]["user_id"], "alice")
        self.assertNotIn("type", old.body["keypair"])
        new = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "new", "type": "ssh"}}, version="2.2")
        self.assertEqual(new.code, 201, new.text)
        self.assertEqual(new.body["keypair"]["type"], "ssh")

    @async_test
    async def test_import_show_list_delete(self) -> None:
        await self.start()
        key = public_key()
        imported = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "mine", "public_key": key}},
                                   version="2.92")
        self.assertEqual(imported.code, 201, imported.text)
        self.assertNotIn("private_key", imported.body["keypair"])
        self.assertEqual(imported.body["keypair"]["public_key"], key)
        shown = await self.get("/v2.1/os-keypairs/mine", version="2.2")
        detail = shown.body["keypair"]
        self.assertEqual((detail["name"], detail["user_id"], detail["deleted"]), ("mine", "alice", False))
        self.assertEqual(detail["fingerprint"], imported.body["keypair"]["fingerprint"])
        listed = await self.get("/v2.1/os-keypairs")
        self.assertEqual(
            [k["keypair"]["name"] for k in listed.body["keypairs"]], ["mine"]
        )
        self.assertEqual(sorted(listed.body["keypairs"][0]["keypair"]), ["fingerprint", "name", "public_key"])
        deleted = await self.delete("/v2.1/os-keypairs/mine", version="2.2")
        self.assertEqual(deleted.code, 204, deleted.text)
        self.assertFault(await self.get("/v2.1/os-keypairs/mine"), 404, "itemNotFound")

    @async_test
    async def test_delete_at_2_1_is_202(self) -> None:
        await self.start()
        await self.post("/v2.1/os-keypairs", {"keypair": {"name": "k"}})
        self.assertEqual((await self.delete("/v2.1/os-keypairs/k")).code, 202)

    @async_test
    async def test_key_pairs_are_per_user(self) -> None:
        await self.start()
        await self.post("/v2.1/os-keypairs", {"keypair": {"name": "k"}})
        bob = await self.get("/v2.1/os-keypairs", user="bob", project="p1")
        self.assertEqual(bob.body["keypairs"], [])
        self.assertFault(await self.get("/v2.1/os-keypairs/k", user="bob"), 404, "itemNotFound")
        refused = await self.get("/v2.1/os-keypairs?user_id=alice", user="bob", version="2.10")
        self.assertFault(refused, 403, "forbidden")
        admin = await self.get("/v2.1/os-keypairs?user_id=alice", user="admin", version="2.10")
        self.assertEqual([k["keypair"]["name"] for k in admin.body["keypairs"]], ["k"])

    @async_test
    async def test_pagination_from_2_35(self) -> None:
        await self.start()
        for name in ("a", "b", "c"):
            await self.post("/v2.1/os-keypairs", {"keypair": {"name": name, "public_key": public_key()}})
        first = await self.get("/v2.1/os-keypairs?limit=2", version="2.35")
        self.assertEqual([k["keypair"]["name"] for k in first.body["keypairs"]], ["a", "b"])
        (link,) = first.body["keypairs_links"]
        second = await self.get(link["href"][len(self.served.url):], version="2.35")
        self.assertEqual([k["keypair"]["name"] for k in second.body["keypairs"]], ["c"])
        ignored = await self.get("/v2.1/os-keypairs?limit=2", version="2.34")
        self.assertEqual(len(ignored.body["keypairs"]), 3)
        self.assertFault(await self.get("/v2.1/os-keypairs?marker=zzz", version="2.35"), 400, "badRequest")
        self.assertFault(await self.get("/v2.1/os-keypairs?limit=-1", version="2.35"), 400, "badRequest")

    @async_test
    async def test_bad_key_pairs(self) -> None:
        await self.start()
        await self.post("/v2.1/os-keypairs", {"keypair": {"name": "dup"}})
        again = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "dup"}})
        self.assertFault(again, 409, "conflictingRequest", "already exists")
        not_a_key = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "x", "public_key": "hello"}})
        self.assertFault(not_a_key, 400, "badRequest")
        for body, version in [
            ({"keypair": {"name": "bad@name"}}, "2.91"),
            ({"keypair": {"name": ""}}, "2.1"),
            ({"keypair": {"name": "x" * 256}}, "2.1"),
            ({"keypair": {"name": "x", "type": "rsa"}}, "2.2"),
            ({"keypair": {"name": "x", "type": "ssh"}}, "2.1"),
            ({"keypair": {"name": "generated"}}, "2.92"),
            ({"keypair": {"name": "x", "color": "red"}}, "2.1"),
            ({"keypairs": {}}, "2.1"),
        ]:
            answer = await self.post("/v2.1/os-keypairs", body, version=version)
            self.assertFault(answer, 400, "badRequest")
        allowed = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "me@host.x", "public_key": public_key()}},
                                  version="2.92")
        self.assertEqual(allowed.code, 201, allowed.text)
        listed = await self.get("/v2.1/os-keypairs")
        self.assertEqual(sorted(k["keypair"]["name"] for k in listed.body["keypairs"]), ["dup", "me@host.x"])
