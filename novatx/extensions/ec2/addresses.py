"""
EC2-Classic's Elastic IP addresses on the network's floating IPs
(L{novatx.compute.network}): AllocateAddress, ReleaseAddress,
AssociateAddress, DisassociateAddress and DescribeAddresses.

An address is named by itself (C{PublicIp}), of domain C{standard}; the
VPC's allocation ids and C{vpc} domain do not exist in this EC2-Classic API.
An associated address forwards to the instance's first port, so it is the
instance's C{ipAddress} here and a floating address of the server in the
compute API.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Sequence

from twisted.internet.defer import inlineCallbacks

from novatx.compute.network.exceptions import (
    FloatingIPNotAssociated,
    FloatingIPNotFound,
    NetworkOverLimit,
    NoMoreAddresses,
)
from novatx.compute.network.records import FloatingIP
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import Getter, compile_filters, one
from novatx.extensions.ec2.lookup import named_instances, visible_instances

DOMAIN = "standard"


def _public_ip(text: str, name: str = "PublicIp") -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise errors.invalid_value(name, text, "It is not an IP address.") from None


def address_not_found(address: str) -> errors.EC2Error:
    return errors.EC2Error("InvalidAddress.NotFound", "Address '%s' not found." % (address,))


def _no_allocation_ids(params: dict[str, str]) -> None:
    ids = [params["AllocationId"]] if params.get("AllocationId") else []
    ids += P.member_list(params, "AllocationId")
    if ids:
        raise errors.EC2Error(
            "InvalidAllocationID.NotFound",
            "The allocation ID '%s' does not exist: addresses are EC2-Classic's here, "
            "named by their PublicIp." % (ids[0],))


@inlineCallbacks
def _instance_ids(action: EC2Action, context: Any) -> Any:
    instances = yield visible_instances(action, context)
    return {instance.uuid: instance.ec2_id for instance in instances}


class _AddressAction(EC2Action):
    @inlineCallbacks
    def address(self, context: Any, address: str) -> Any:
        """The caller's floating IP of C{address}; C{InvalidAddress.NotFound}."""
        try:
            found = yield self.compute.get_floating_ip_by_address(context, address)
        except FloatingIPNotFound:
            raise address_not_found(address) from None
        return found

    def disassociate(self, context: Any, fip: FloatingIP) -> Any:
        """Stop forwarding C{fip} to its instance (the instance's caches are told)."""
        if fip.device_id is not None:
            return self.compute.remove_server_floating_ip(
                context, fip.device_id, fip.floating_ip_address)
        return self.compute.update_floating_ip(context, fip.id, None)


class AllocateAddress(_AddressAction):
    action = "AllocateAddress"
    name = "Allocate address"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        domain = params.get("Domain", DOMAIN)
        if domain != DOMAIN:
            raise errors.invalid_value("Domain", domain,
                                       "The one domain is standard (EC2-Classic).")
        address = params.get("Address")
        if address is not None:
            address = _public_ip(address, "Address")
        return self._allocate(request.context, address)

    @inlineCallbacks
    def _allocate(self, context: Any, address: str | None) -> Any:
        try:
            fip = yield self.compute.create_floating_ip(context, address=address)
        except NetworkOverLimit:
            raise errors.EC2Error("AddressLimitExceeded",
                                  "The maximum number of addresses has been reached.") from None
        except NoMoreAddresses:
            raise errors.EC2Error("InsufficientAddressCapacity",
                                  "There are no more addresses to allocate.") from None
        return {"publicIp": fip.floating_ip_address, "domain": DOMAIN}


class ReleaseAddress(_AddressAction):
    action = "ReleaseAddress"
    name = "Release address"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        _no_allocation_ids(params)
        return self._release(request.context, _public_ip(P.required(params, "PublicIp")))

    @inlineCallbacks
    def _release(self, context: Any, address: str) -> Any:
        fip = yield self.address(context, address)
        if fip.port_id is not None:
            # As on EC2-Classic, releasing an associated address disassociates it first.
            yield self.disassociate(context, fip)
        try:
            yield self.compute.delete_floating_ip(context, fip.id)
        except FloatingIPNotFound:
            raise address_not_found(address) from None
        return {"return": True}


class AssociateAddress(_AddressAction):
    action = "AssociateAddress"
    name = "Associate address"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        _no_allocation_ids(params)
        if params.get("NetworkInterfaceId"):
            raise errors.EC2Error(
                "InvalidNetworkInterfaceID.NotFound",
                "The networkInterface ID '%s' does not exist" % (params["NetworkInterfaceId"],))
        return self._associate(request.context, _public_ip(P.required(params, "PublicIp")),
                               P.required(params, "InstanceId"), params.get("PrivateIpAddress"))

    @inlineCallbacks
    def _associate(self, context: Any, address: str, instance_text: str,
                   private: str | None) -> Any:
        (instance,) = yield named_instances(self, context, [instance_text], "associated")
        yield self.address(context, address)
        yield self.compute.add_server_floating_ip(context, instance.uuid, address, private)
        return {"return": True}


class DisassociateAddress(_AddressAction):
    action = "DisassociateAddress"
    name = "Disassociate address"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        if params.get("AssociationId"):
            raise errors.EC2Error(
                "InvalidAssociationID.NotFound",
                "The association ID '%s' does not exist: addresses are EC2-Classic's here, "
                "named by their PublicIp." % (params["AssociationId"],))
        return self._disassociate(request.context,
                                  _public_ip(P.required(params, "PublicIp")))

    @inlineCallbacks
    def _disassociate(self, context: Any, address: str) -> Any:
        fip = yield self.address(context, address)
        if fip.port_id is not None:
            try:
                yield self.disassociate(context, fip)
            except FloatingIPNotAssociated:
                pass  # disassociated meanwhile: what was asked is done
        return {"return": True}


def _filters(instance_ids: dict[str, str]) -> dict[str, Getter]:
    """DescribeAddresses' filters; C{instance_ids} is filled once the instances are read."""
    return {
        "domain": one(lambda fip: DOMAIN),
        "public-ip": one(lambda fip: fip.floating_ip_address),
        "instance-id": one(lambda fip: instance_ids.get(fip.device_id or "")),
        "private-ip-address": one(lambda fip: fip.fixed_ip_address),
    }


def address_item(fip: FloatingIP, instance_ids: dict[str, str]) -> dict[str, Any]:
    return {
        "publicIp": fip.floating_ip_address,
        "domain": DOMAIN,
        "instanceId": instance_ids.get(fip.device_id or ""),
        "privateIpAddress": fip.fixed_ip_address,
    }


class DescribeAddresses(_AddressAction):
    action = "DescribeAddresses"
    name = "Describe addresses"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        _no_allocation_ids(params)
        named = [_public_ip(text) for text in P.member_list(params, "PublicIp")]
        instance_ids: dict[str, str] = {}
        matches = compile_filters(P.filters(params), _filters(instance_ids))
        return self._describe(request.context, named, matches, instance_ids)

    @inlineCallbacks
    def _describe(self, context: Any, named: Sequence[str], matches: Any,
                  instance_ids: dict[str, str]) -> Any:
        fips = yield self.compute.list_floating_ips(context)
        instance_ids.update((yield _instance_ids(self, context)))
        if named:
            by_address = {fip.floating_ip_address: fip for fip in fips}
            for address in named:
                if address not in by_address:
                    raise address_not_found(address)
            fips = list({address: by_address[address] for address in named}.values())
        return {"addressesSet": [address_item(fip, instance_ids)
                                 for fip in fips if matches(fip)]}
