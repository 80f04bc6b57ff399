"""Records for the trees' unit tests."""

from __future__ import annotations

import base64
import datetime
import ipaddress

from novatx.compute.records import Flavor, Instance
from novatx.extensions.metadata.document import InstanceData, decode_user_data, network_info

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests test@novatx"


def instance(**changes) -> Instance:
    flavor = Flavor(
        id=1,
        flavorid="1",
        name="m1.tiny",
        memory_mb=512,
        vcpus=changes.pop("vcpus", 1),
        root_gb=1,
        extra_specs=changes.pop("extra_specs", {}),
    )
    fields = dict(
        id=10,
        uuid="0b8e3f6c-7d1a-4a55-9a8e-3f6d2c1b0a99",
        name="web",
        project_id="p1",
        user_id="alice",
        flavor=flavor,
        image_id="7a1e8c2d-0000-4000-8000-000000000001",
        vm_state="active",
        task_state=None,
        power_state=1,
        status="ACTIVE",
        created_at=datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.timezone.utc),
        hostname="web",
        key_name="mykey",
        key_data=PUBLIC_KEY,
        user_data=base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
        metadata={"role": "webserver"},
        reservation_id="r-abcdefgh",
        fixed_ip="10.0.0.5",
        mac_address="fa:16:3e:00:00:05",
        security_groups=("default",),
    )
    fields.update(changes)
    return Instance(**fields)


def instance_data(**changes) -> InstanceData:
    record = instance(**changes)
    return InstanceData(
        instance=record,
        ami_id="ami-00000001",
        key_type="ssh",
        hostname=record.hostname + ".novalocal",
        availability_zone="nova",
        region="RegionOne",
        user_data=decode_user_data(record.user_data),
        net=network_info(record, str(ipaddress.ip_network("10.0.0.0/24"))),
    )
