"""
keystone's side of the compute conformance run, through keystone's own v3 API.

    python suite_keystone.py --keystone URL --password ADMIN_PASSWORD catalog \\
        --nova-password PW --service compute=URL --service image=URL ...
    python suite_keystone.py --keystone URL --password ADMIN_PASSWORD images COMPUTE_ROOT
    python suite_keystone.py --keystone URL --password ADMIN_PASSWORD network NETWORKING_ROOT NAME

C{catalog} registers each service (type=URL, public endpoint in RegionOne) and makes the
C{service} project and the C{nova} user (roles C{admin} and C{service}) that
keystonemiddleware authenticates as. C{images} prints the ids of the first two active
images of the daemon's image list (C{COMPUTE_ROOT/image/v2/images}), the seeded
C{cirros} first: tempest's C{image_ref} and C{image_ref_alt}. C{network} prints the id of
the network named NAME in the networking subset at NETWORKING_ROOT (tempest's
C{public_network_id}).

Only the standard library: it runs from any Python.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
import urllib.request
from typing import Any

REGION = "RegionOne"


class Keystone:
    """An admin session on keystone's v3 API."""

    def __init__(self, url: str, password: str) -> None:
        self.url = url.rstrip("/")
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        request = urllib.request.Request(
            self.url + "/v3/auth/tokens", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            self.token = response.headers["X-Subject-Token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            self.url + path, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Auth-Token": self.token},
            method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            data = response.read()
        return json.loads(data) if data else None

    def role_id(self, name: str) -> str:
        return self.call("GET", "/v3/roles?name=" + name)["roles"][0]["id"]


def catalog(keystone: Keystone, services: list[str], nova_password: str) -> None:
    for service in services:
        kind, url = service.split("=", 1)
        created = keystone.call("POST", "/v3/services", {
            "service": {"type": kind, "name": kind, "enabled": True}})["service"]
        keystone.call("POST", "/v3/endpoints", {"endpoint": {
            "service_id": created["id"], "interface": "public", "url": url,
            "region_id": REGION, "enabled": True}})
    project = keystone.call("POST", "/v3/projects", {
        "project": {"name": "service", "domain_id": "default"}})["project"]
    user = keystone.call("POST", "/v3/users", {"user": {
        "name": "nova", "password": nova_password, "domain_id": "default",
        "default_project_id": project["id"]}})["user"]
    for role in ("admin", "service"):
        keystone.call("PUT", "/v3/projects/%s/users/%s/roles/%s" % (
            project["id"], user["id"], keystone.role_id(role)))


def images(keystone: Keystone, compute_root: str) -> None:
    request = urllib.request.Request(
        compute_root.rstrip("/") + "/image/v2/images?status=active",
        headers={"X-Auth-Token": keystone.token})
    with urllib.request.urlopen(request, timeout=60) as response:
        found = json.loads(response.read())["images"]
    found.sort(key=lambda image: image["name"] != "cirros")
    if len(found) < 2:
        raise SystemExit("the image list holds %d active images; tempest needs two" % len(found))
    print(found[0]["id"], found[1]["id"])


def network(keystone: Keystone, networking_root: str, name: str) -> None:
    request = urllib.request.Request(
        networking_root.rstrip("/") + "/v2.0/networks?name=" + urllib.parse.quote(name),
        headers={"X-Auth-Token": keystone.token})
    with urllib.request.urlopen(request, timeout=60) as response:
        found = json.loads(response.read())["networks"]
    if not found:
        raise SystemExit("the networking subset has no network named %s" % name)
    print(found[0]["id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--keystone", required=True)
    parser.add_argument("--password", required=True)
    commands = parser.add_subparsers(dest="command", required=True)
    register = commands.add_parser("catalog")
    register.add_argument("--service", action="append", default=[], metavar="TYPE=URL")
    register.add_argument("--nova-password", required=True)
    listing = commands.add_parser("images")
    listing.add_argument("compute_root")
    lookup = commands.add_parser("network")
    lookup.add_argument("networking_root")
    lookup.add_argument("name")
    args = parser.parse_args()
    keystone = Keystone(args.keystone, args.password)
    if args.command == "catalog":
        catalog(keystone, args.service, args.nova_password)
    elif args.command == "images":
        images(keystone, args.compute_root)
    else:
        network(keystone, args.networking_root, args.name)


if __name__ == "__main__":
    sys.exit(main())
