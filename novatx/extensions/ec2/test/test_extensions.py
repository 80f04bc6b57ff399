"""The EC2 extensions as the loader finds them: each provides what it declares."""

from __future__ import annotations

from importlib.metadata import entry_points

from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from novatx.extensions.ec2 import CORE_ALIASES
from novatx.extensions.ec2.base import EC2Request
from novatx.extensions.ec2.front import EC2Front
from novatx.extensions.interfaces import IAPIRequest, IEC2Action, IResourceExtension
from novatx.extensions.loading import namespace


def _loaded() -> dict[str, object]:
    return {ep.name: ep.load()() for ep in entry_points(group=namespace("ec2"))}


class EntryPointTests(SynchronousTestCase):
    def test_every_action_provides_iec2action(self) -> None:
        actions = {name: obj for name, obj in _loaded().items() if name != "ec2-front"}
        self.assertGreaterEqual(len(actions), 20)
        for name, action in actions.items():
            self.assertTrue(verifyObject(IEC2Action, action))
            self.assertEqual((action.alias, action.action, action.api), (name, name, "ec2"))

    def test_front_is_a_resource_extension(self) -> None:
        front = _loaded()["ec2-front"]
        self.assertIsInstance(front, EC2Front)
        self.assertTrue(verifyObject(IResourceExtension, front))
        (route,) = front.routes()
        self.assertEqual((route.path, route.methods, route.auth), ("/", ("GET", "POST"), False))

    def test_core_aliases_are_installed(self) -> None:
        self.assertLessEqual(set(CORE_ALIASES), set(_loaded()))

    def test_request_provides_iapirequest(self) -> None:
        checked = []
        request = EC2Request(
            context=None, args={}, method="POST", path="/", headers=None, raw=None,
            policy=lambda rule, context, target: checked.append((rule, target)),
        )
        self.assertTrue(verifyObject(IAPIRequest, request))
        request.authorize("some:rule", {"project_id": "p"})
        self.assertEqual(checked, [("some:rule", {"project_id": "p"})])
