"""
What ec2api-tempest-plugin's C{[aws]} section needs, asked of the daemon's EC2 API.

    python suite_ec2.py URL REGION  (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set)

prints one line: the C{ami-} id of the instance-store C{cirros} image (DescribeImages),
the first available zone (DescribeAvailabilityZones) and the two smallest instance
types by memory (DescribeInstanceTypes), as C{image_id aws_zone instance_type
instance_type_alt}. botocore is the plugin's own client.
"""

from __future__ import annotations

import os
import sys

import botocore.session


def main() -> None:
    url, region = sys.argv[1:3]
    client = botocore.session.get_session().create_client(
        "ec2", endpoint_url=url, region_name=region,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
    images = [image for image in client.describe_images()["Images"]
              if image.get("RootDeviceType") == "instance-store"
              and image.get("State") == "available"]
    images.sort(key=lambda image: image.get("Name") != "cirros")
    zones = [zone["ZoneName"] for zone in client.describe_availability_zones()["AvailabilityZones"]
             if zone.get("State") == "available"]
    types = sorted(client.describe_instance_types()["InstanceTypes"],
                   key=lambda kind: (kind["MemoryInfo"]["SizeInMiB"], kind["InstanceType"]))
    if not images or not zones or len(types) < 2:
        raise SystemExit("needed an instance-store image, an available zone and two instance "
                         "types; found %d, %d and %d" % (len(images), len(zones), len(types)))
    print(images[0]["ImageId"], zones[0], types[0]["InstanceType"], types[1]["InstanceType"])


if __name__ == "__main__":
    main()
