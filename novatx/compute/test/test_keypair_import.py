"""Importing public keys that do not parse answers nova's 400, not a 500."""

from __future__ import annotations

from novatx.extensions.compute.test._http import ComputeAPITestCase, async_test


class KeypairImportTests(ComputeAPITestCase):
    async def _refused(self, material: str) -> None:
        answer = await self.post("/v2.1/os-keypairs", {"keypair": {"name": "k", "public_key": material}},
                                 version="2.92")
        self.assertFault(answer, 400, "badRequest", "Keypair data is invalid")
        listed = await self.get("/v2.1/os-keypairs")
        self.assertEqual(listed.body["keypairs"], [])

    @async_test
    async def test_unknown_key_type_is_bad_request(self) -> None:
        await self.start()
        await self._refused("ssh-foo AAAA")

    @async_test
    async def test_prose_is_bad_request(self) -> None:
        await self.start()
        await self._refused("not a key")
