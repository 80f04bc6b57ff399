"""
What the endpoint offers: regions, availability zones, instance types (the
flavors) and account attributes.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import inlineCallbacks

from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.paging import Paging


class DescribeRegions(EC2Action):
    action = "DescribeRegions"
    name = "Describe regions"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        region = self.config.ec2.region_name
        for name in P.member_list(params, "RegionName"):
            if name != region:
                raise errors.invalid_value("RegionName", name, "Invalid region.")
        item = {
            "regionName": region,
            "regionEndpoint": request.url().rstrip("/"),
            "optInStatus": "opt-in-not-required",
        }
        matches = compile_filters(
            P.filters(params),
            {
                "region-name": one(lambda r: r["regionName"]),
                "endpoint": one(lambda r: r["regionEndpoint"]),
                "opt-in-status": one(lambda r: r["optInStatus"]),
            },
        )
        return {"regionInfo": [item] if matches(item) else []}


class DescribeAvailabilityZones(EC2Action):
    action = "DescribeAvailabilityZones"
    name = "Describe availability zones"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        names = P.member_list(params, "ZoneName")
        matches = compile_filters(
            P.filters(params),
            {
                "zone-name": one(lambda z: z["zoneName"]),
                "state": one(lambda z: z["zoneState"]),
                "region-name": one(lambda z: z["regionName"]),
            },
        )
        return self._describe(request.context, names, matches)

    @inlineCallbacks
    def _describe(self, context: Any, names: list[str], matches: Any) -> Any:
        zones = yield self.compute.list_availability_zones(context)
        region = self.config.ec2.region_name
        items = [
            {
                "zoneName": name,
                "zoneState": "available" if available else "unavailable",
                "regionName": region,
                "zoneId": name,
                "zoneType": "availability-zone",
                "messageSet": [],
            }
            for name, available in zones
        ]
        if names:
            known = {item["zoneName"] for item in items}
            for name in names:
                if name not in known:
                    raise errors.invalid_value("ZoneName", name, "Invalid availability zone.")
            items = [item for item in items if item["zoneName"] in names]
        return {"availabilityZoneInfo": [item for item in items if matches(item)]}


def _instance_type_item(flavor: Any) -> dict[str, Any]:
    return {
        "instanceType": flavor.name,
        "currentGeneration": True,
        "bareMetal": False,
        "hypervisor": "xen",
        "supportedRootDeviceTypes": ["instance-store"],
        "supportedVirtualizationTypes": ["hvm"],
        "processorInfo": {"supportedArchitectures": ["x86_64"]},
        "vCpuInfo": {"defaultVCpus": flavor.vcpus, "defaultCores": flavor.vcpus, "defaultThreadsPerCore": 1},
        "memoryInfo": {"sizeInMiB": flavor.memory_mb},
        "instanceStorageSupported": flavor.root_gb > 0,
        "instanceStorageInfo": {"totalSizeInGB": flavor.root_gb + flavor.ephemeral_gb},
    }


class DescribeInstanceTypes(EC2Action):
    action = "DescribeInstanceTypes"
    name = "Describe instance types"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        names = P.member_list(params, "InstanceType")
        matches = compile_filters(
            P.filters(params),
            {
                "instance-type": one(lambda f: f.name),
                "vcpu-info.default-vcpus": one(lambda f: f.vcpus),
                "memory-info.size-in-mib": one(lambda f: f.memory_mb),
            },
        )
        paging = Paging.read(self.action, request.context.project_id, params, maximum=100)
        return self._describe(request.context, names, matches, paging)

    @inlineCallbacks
    def _describe(self, context: Any, names: list[str], matches: Any, paging: Paging) -> Any:
        page = yield self.compute.list_flavors(context)
        flavors = [f for f in page.items if not f.disabled]
        if names:
            known = {f.name for f in flavors}
            for name in names:
                if name not in known:
                    raise errors.EC2Error(
                        "InvalidInstanceType",
                        "The following supplied instance types do not exist: [%s]" % (name,),
                    )
            flavors = [f for f in flavors if f.name in names]
        flavors = sorted((f for f in flavors if matches(f)), key=lambda f: f.name)
        selected, token = paging.page(flavors, key=lambda f: f.name)
        return {"instanceTypeSet": [_instance_type_item(f) for f in selected], "nextToken": token}


class DescribeAccountAttributes(EC2Action):
    action = "DescribeAccountAttributes"
    name = "Describe account attributes"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._describe(request.context, P.member_list(params, "AttributeName"))

    @inlineCallbacks
    def _describe(self, context: Any, names: list[str]) -> Any:
        quotas = yield self.compute.get_quotas(context, context.project_id)
        attributes = {
            "supported-platforms": ["EC2"],
            "default-vpc": ["none"],
            "max-instances": [str(quotas.limits.get("instances", -1))],
            "vpc-max-security-groups-per-interface": ["0"],
            "max-elastic-ips": ["0"],
            "vpc-max-elastic-ips": ["0"],
        }
        for name in names:
            if name not in attributes:
                raise errors.invalid_value("AttributeName", name)
        chosen = names or list(attributes)
        return {
            "accountAttributeSet": [
                {
                    "attributeName": name,
                    "attributeValueSet": [{"attributeValue": v} for v in attributes[name]],
                }
                for name in chosen
            ]
        }
