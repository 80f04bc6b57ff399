"""EC2 states from nova's vm_state/task_state, and EC2 ids."""

from __future__ import annotations

import datetime

import attrs
from twisted.trial.unittest import SynchronousTestCase

from novatx.compute.records import Flavor, Instance
from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.ids import parse_image_id, parse_instance_id, reservation_id
from novatx.extensions.ec2.states import ec2_state
from novatx.extensions.ec2.views import instance_tags

NOW = datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc)
INSTANCE = Instance(
    id=10, uuid="u", name="web", project_id="p", user_id="u", flavor=Flavor(1, "1", "m1.tiny", 512, 1, 1),
    image_id=None, vm_state="active", task_state=None, power_state=1, status="ACTIVE", created_at=NOW,
    reservation_id="r-0000abcd",
)


def state(vm_state: str, task_state: str | None = None, **changes) -> tuple[int, str]:
    return ec2_state(attrs.evolve(INSTANCE, vm_state=vm_state, task_state=task_state, **changes))


class StateTests(SynchronousTestCase):
    def test_settled_states(self) -> None:
        self.assertEqual(state("building"), (0, "pending"))
        self.assertEqual(state("active"), (16, "running"))
        self.assertEqual(state("stopped"), (80, "stopped"))
        self.assertEqual(state("deleted"), (48, "terminated"))
        self.assertEqual(state("active", deleted=True), (48, "terminated"))
        self.assertEqual(state("shelved_offloaded"), (80, "stopped"))

    def test_tasks_in_flight_come_first(self) -> None:
        self.assertEqual(state("active", "powering-off"), (64, "stopping"))
        self.assertEqual(state("stopped", "powering-on"), (0, "pending"))
        self.assertEqual(state("active", "deleting"), (32, "shutting-down"))
        self.assertEqual(state("stopped", "deleting"), (32, "shutting-down"))
        self.assertEqual(state("building", "spawning"), (0, "pending"))
        self.assertEqual(state("active", "rebooting"), (16, "running"))

    def test_errors(self) -> None:
        self.assertEqual(state("error"), (48, "terminated"))
        self.assertEqual(state("error", launched_at=NOW), (80, "stopped"))


class IdTests(SynchronousTestCase):
    def test_parse(self) -> None:
        self.assertEqual(parse_instance_id("i-0000000a"), 10)
        self.assertEqual(parse_image_id("ami-000000ff"), 255)
        self.assertEqual(parse_instance_id("i-0123456789abcdef0"), 0x0123456789ABCDEF0)

    def test_malformed(self) -> None:
        for text in ("i-xyz", "i-", "i-0000000A", "ami-0000000a", "i-000000001"):
            error = self.assertRaises(EC2Error, parse_instance_id, text)
            self.assertEqual(error.code, "InvalidInstanceID.Malformed")
        error = self.assertRaises(EC2Error, parse_image_id, "ami-")
        self.assertEqual(error.code, "InvalidAMIID.Malformed")

    def test_reservation_id(self) -> None:
        self.assertEqual(reservation_id(INSTANCE), "r-0000abcd")
        other = attrs.evolve(INSTANCE, reservation_id="r-notHex12")
        self.assertRegex(reservation_id(other), r"^r-[0-9a-f]{8}$")
        self.assertEqual(reservation_id(other), reservation_id(attrs.evolve(other, id=11)))

    def test_name_tag(self) -> None:
        self.assertEqual(instance_tags(attrs.evolve(INSTANCE, metadata={"a": "b"})), {"Name": "web", "a": "b"})
        self.assertEqual(instance_tags(attrs.evolve(INSTANCE, name="i-0000000a")), {})
