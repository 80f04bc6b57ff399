"""
The networking part's failures, each under one of the internal API's kinds
(L{novatx.compute.exceptions}), so every face maps them as it maps the rest.
Messages are neutron's; nova's proxies reword where nova does.
"""

from __future__ import annotations

from novatx.compute.exceptions import Conflict, Invalid, NotFound, OverLimit


class NetworkNotFound(NotFound):
    msg_fmt = "Network %(network_id)s could not be found."


class SubnetNotFound(NotFound):
    msg_fmt = "Subnet %(subnet_id)s could not be found."


class PortNotFound(NotFound):
    msg_fmt = "Port %(port_id)s could not be found."


class SecurityGroupNotFound(NotFound):
    msg_fmt = "Security group %(id)s does not exist"


class SecurityGroupRuleNotFound(NotFound):
    msg_fmt = "Security group rule %(id)s does not exist"


class FloatingIPNotFound(NotFound):
    msg_fmt = "Floating IP %(floatingip_id)s could not be found"


class InvalidRule(Invalid):
    """A security group rule's fields do not make a rule."""

    msg_fmt = "%(reason)s"


class InvalidAddress(Invalid):
    msg_fmt = "%(reason)s"


class InvalidNetwork(Invalid):
    """A network or subnet that cannot be made as asked."""

    msg_fmt = "%(reason)s"


class SecurityGroupRuleExists(Conflict):
    msg_fmt = "Security group rule already exists. Rule id is %(rule_id)s."


class AmbiguousSecurityGroup(Conflict):
    """A name two of the caller's groups share (nova's C{NoUniqueMatch})."""

    msg_fmt = ("Multiple security groups found matching '%(name)s'. Use an ID to be more "
               "specific.")


class SecurityGroupInUse(Conflict):
    msg_fmt = "Security Group %(id)s in use."


class DefaultSecurityGroupDelete(Conflict):
    msg_fmt = "Insufficient rights for removing default security group."


class SecurityGroupAlreadyOnServer(Invalid):
    msg_fmt = ("Security group %(security_group_id)s is already associated with the "
               "instance %(instance_id)s")


class SecurityGroupNotOnServer(Invalid):
    msg_fmt = ("Security group %(security_group_id)s not associated with the "
               "instance %(instance_id)s")


class ServerHasNoPorts(Invalid):
    msg_fmt = ("Network requires port_security_enabled and subnet associated in order to "
               "apply security groups.")


class IpAddressInUse(Conflict):
    msg_fmt = ("Unable to complete operation for network %(network_id)s. The IP address "
               "%(ip_address)s is in use.")


class NoMoreAddresses(Conflict):
    msg_fmt = "No more IP addresses available on network %(network_id)s."


class PortInUse(Conflict):
    msg_fmt = ("Unable to complete operation on port %(port_id)s for network "
               "%(network_id)s. Port already has an attached device %(device_id)s.")


class FloatingIPAssociated(Conflict):
    msg_fmt = "Port %(port_id)s's address is already associated with floating IP %(address)s."


class FloatingIPNotAssociated(Invalid):
    msg_fmt = "Floating IP %(address)s is not associated."


class NetworkOverLimit(OverLimit):
    """A networking quota: C{resource} is neutron's name of it."""

    msg_fmt = "Quota exceeded for resources: ['%(resource)s']."


class NetworkInUse(Conflict):
    msg_fmt = ("Unable to complete operation on network %(network_id)s. There are one or "
               "more ports still in use on the network.")


class SubnetInUse(Conflict):
    msg_fmt = ("Unable to complete operation on subnet %(subnet_id)s: One or more ports "
               "have an IP allocation from this subnet.")
