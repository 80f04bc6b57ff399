"""
The simulated network servers stand on: networks and subnets, ports with
their fixed addresses and MACs, security groups and rules, floating IPs.

One implementation for every face: the compute API's actions and proxies,
EC2, the metadata API and the Networking API subset call L{INetworkAPI}
(implemented by L{novatx.compute.api.network.NetworkAPI}, a part of the
internal compute API), get the records of L{novatx.compute.network.records}
and the failures of L{novatx.compute.network.exceptions}.
"""
