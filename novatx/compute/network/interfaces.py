"""
The networking part of the internal API, as a contract: what the compute
API's actions and proxies, EC2's groups and addresses, the metadata API and
the Networking API subset all call.

Every method returns a L{Deferred} and takes the caller's L{RequestContext}
first: a caller sees its project's groups, ports and floating IPs (admins
see all), and the shared and external networks. Another project's thing is
not found, never forbidden. C{filters} map a field name to the values it may
have (neutron's query semantics: any of them).
"""

from __future__ import annotations

from zope.interface import Interface


class INetworkAPI(Interface):
    def list_networks(context, filters=None):
        """L{Network}s: C{id}, C{name}, C{shared}, C{external}, C{project_id} filter."""

    def get_network(context, network_id):
        """A L{Network}, or L{NetworkNotFound}."""

    def list_subnets(context, filters=None):
        """L{Subnet}s of visible networks: C{id}, C{name}, C{network_id}, C{cidr} filter."""

    def get_subnet(context, subnet_id):
        """A L{Subnet}, or L{SubnetNotFound}."""

    def create_network(context, name="", shared=False):
        """The caller's project's network, no subnet yet (C{networks} quota)."""

    def delete_network(context, network_id):
        """Delete a network of the caller's and its subnets; with ports, L{NetworkInUse}."""

    def create_subnet(context, network_id, cidr, ip_version=4, name=""):
        """A subnet of a network of the caller's; an overlap or a bad C{cidr} is L{Invalid}."""

    def delete_subnet(context, subnet_id):
        """Delete a subnet of the caller's; one addressing a port is L{SubnetInUse}."""

    def list_ports(context, filters=None):
        """L{Port}s: C{id}, C{name}, C{network_id}, C{device_id}, C{device_owner}, ..."""

    def get_port(context, port_id):
        """A L{Port}, or L{PortNotFound}."""

    def create_port(context, network_id, name="", fixed_ip=None, security_groups=None):
        """
        An unbound port with a fresh MAC and an address (C{fixed_ip}, or the
        first free one), in C{security_groups} (ids; the caller's C{default}
        when None). Counts against the C{ports} quota.
        """

    def update_port(context, port_id, name=None, security_groups=None):
        """Rename a port, or put it in exactly C{security_groups} (ids of the caller's)."""

    def delete_port(context, port_id):
        """Delete a port no server and no floating IP owns (else a Conflict)."""

    def list_security_groups(context, filters=None, all_projects=False):
        """L{SecurityGroup}s with their rules; the caller's C{default} is made first."""

    def get_security_group(context, group_id):
        """A L{SecurityGroup}, or L{SecurityGroupNotFound}."""

    def find_security_group(context, name_or_id):
        """A group of the caller's project by id or unique name (nova's requests)."""

    def create_security_group(context, name, description=""):
        """A group with neutron's two egress rules; C{security_groups} quota."""

    def update_security_group(context, group_id, name=None, description=None):
        """Rename or describe a group (the C{default} group keeps its name)."""

    def delete_security_group(context, group_id):
        """Delete a group no port is in; a C{default} group only for admins (else Conflict)."""

    def list_security_group_rules(context, filters=None):
        """L{SecurityGroupRule}s: C{id}, C{security_group_id}, C{direction}, ... filter."""

    def get_security_group_rule(context, rule_id):
        """A L{SecurityGroupRule}, or L{SecurityGroupRuleNotFound}."""

    def create_security_group_rule(context, group_id, fields, remote_group_id=None):
        """
        Add a rule (C{fields}: direction, ethertype, protocol, port_range_min,
        port_range_max, remote_ip_prefix, description), checked as neutron
        checks it; an equal rule is L{SecurityGroupRuleExists}.
        """

    def delete_security_group_rule(context, rule_id):
        """Delete a rule."""

    def list_floating_ips(context, filters=None):
        """L{FloatingIP}s: C{id}, C{floating_ip_address}, C{port_id}, ... filter."""

    def get_floating_ip(context, floating_ip_id):
        """A L{FloatingIP}, or L{FloatingIPNotFound}."""

    def get_floating_ip_by_address(context, address):
        """The caller's L{FloatingIP} of C{address}, or L{FloatingIPNotFound}."""

    def create_floating_ip(context, network=None, address=None, port_id=None,
                           fixed_address=None, description=""):
        """
        Allocate an address of an external network (id or name; the public
        network when None), optionally forwarding to a port at once. An empty
        pool is L{NoMoreAddresses}; C{floating_ips} quota.
        """

    def update_floating_ip(context, floating_ip_id, port_id, fixed_address=None,
                           description=None):
        """Forward to C{port_id} (moved from where it forwarded), or to nothing (None)."""

    def delete_floating_ip(context, floating_ip_id):
        """Release the address to its pool."""

    def list_server_ports(context, server_uuid):
        """The server's L{Port}s (C{os-interface})."""

    def attach_server_port(context, server_uuid, network_id=None, port_id=None,
                           fixed_ip=None):
        """
        Give a server (active, paused or stopped, no task running) another
        L{Port}: the caller's unbound C{port_id}, or a new one on
        C{network_id} (the shared network when neither is named).
        """

    def detach_server_port(context, server_uuid, port_id):
        """Take a port from a server: one its boot made is deleted, a user's unbound."""

    def server_security_groups(context, server_uuid):
        """The L{SecurityGroup}s of the server's ports."""

    def add_server_security_group(context, server_uuid, name_or_id):
        """Put every port of the server in a group of the caller's."""

    def remove_server_security_group(context, server_uuid, name_or_id):
        """Take the server's ports out of a group."""

    def add_server_floating_ip(context, server_uuid, address, fixed_address=None):
        """Forward the caller's floating C{address} to the server (nova's action)."""

    def remove_server_floating_ip(context, server_uuid, address):
        """Stop forwarding C{address} to the server."""
