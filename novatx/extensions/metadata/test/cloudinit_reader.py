"""
Run one of cloud-init's own metadata readers and print what it read as JSON.

Run as a separate process (possibly inside a network namespace, so the
request's source address is an instance's fixed IP), with cloud-init on
C{PYTHONPATH}:

    python cloudinit_reader.py ec2 http://ADDRESS:PORT VERSION [TTL]
    python cloudinit_reader.py openstack http://ADDRESS:PORT
"""

import base64
import json
import sys

from cloudinit import url_helper
from cloudinit.sources.helpers import ec2, openstack


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def imdsv2_token(url, ttl):
    """A session token, asked for as cloud-init's EC2 datasource does."""
    response = url_helper.readurl(
        url + "/latest/api/token",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl},
        request_method="PUT",
        retries=0,
    )
    return response.contents.decode("ascii")


def read_ec2(url, version, ttl=None):
    token = imdsv2_token(url, ttl) if ttl else None
    headers_cb = (lambda _url: {"X-aws-ec2-metadata-token": token}) if token else None
    return {
        "meta-data": ec2.get_instance_metadata(
            version, metadata_address=url, retries=0, headers_cb=headers_cb
        ),
        "user-data": _text(
            ec2.get_instance_userdata(version, metadata_address=url, retries=0, headers_cb=headers_cb)
        ),
        "identity": ec2.get_instance_identity(
            version, metadata_address=url, retries=0, headers_cb=headers_cb
        ),
    }


def read_openstack(url):
    reader = openstack.MetadataReader(url, retries=0)
    # The reader asks the fixed address 169.254.169.254 for the EC2 part:
    # point it at the server under test instead.
    reader._read_ec2_metadata = lambda: ec2.get_instance_metadata(metadata_address=url, retries=0)
    results = reader.read_v2()
    metadata = results["metadata"]
    metadata["random_seed"] = base64.b64encode(metadata["random_seed"]).decode("ascii")
    return {
        "version": reader._find_working_version(),
        "metadata": metadata,
        "userdata": _text(results.get("userdata")),
        "vendordata": results.get("vendordata"),
        "vendordata2": results.get("vendordata2"),
        "networkdata": results.get("networkdata"),
        "ec2-metadata": results.get("ec2-metadata"),
    }


def main(argv):
    if argv[1] == "ec2":
        result = read_ec2(argv[2], argv[3], argv[4] if len(argv) > 4 else None)
    else:
        result = read_openstack(argv[2])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
