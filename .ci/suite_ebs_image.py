"""
Register the EBS-backed image ec2api-tempest-plugin's EBS tests boot (C{ebs_image_id}).

    python suite_ebs_image.py URL REGION ZONE  (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set)

As a user of EC2 makes one: a 1 GiB volume, a snapshot of it, and RegisterImage with
that snapshot at the root device C{/dev/vda}. Prints the new C{ami-} id. Each wait is
bounded; the simulated block storage ends its transitions in a second or two.
"""

from __future__ import annotations

import os
import sys
import time

import botocore.session

#: How long a volume or a snapshot may take to settle before the set-up gives up.
WAIT_SECONDS = 120


def wait_for(describe, state: str, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = describe()
        if found == state:
            return
        if found == "error":
            raise SystemExit("%s went to error" % what)
        time.sleep(0.5)
    raise SystemExit("%s did not become %s within %d s" % (what, state, WAIT_SECONDS))


def main() -> None:
    url, region, zone = sys.argv[1:4]
    client = botocore.session.get_session().create_client(
        "ec2", endpoint_url=url, region_name=region,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
    volume = client.create_volume(Size=1, AvailabilityZone=zone)["VolumeId"]
    wait_for(lambda: client.describe_volumes(VolumeIds=[volume])["Volumes"][0]["State"],
             "available", volume)
    snapshot = client.create_snapshot(VolumeId=volume)["SnapshotId"]
    wait_for(lambda: client.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"][0]["State"],
             "completed", snapshot)
    image = client.register_image(
        Name="ebs-image-for-ec2api-tempest", RootDeviceName="/dev/vda",
        BlockDeviceMappings=[{"DeviceName": "/dev/vda",
                              "Ebs": {"SnapshotId": snapshot, "DeleteOnTermination": True}}])
    print(image["ImageId"])


if __name__ == "__main__":
    main()
