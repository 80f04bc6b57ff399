"""
EC2-Classic's security groups on the network's (L{novatx.compute.network}):
CreateSecurityGroup, DeleteSecurityGroup, DescribeSecurityGroups,
AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress; the egress
actions belong to VPC groups and are refused.

A group is C{sg-%08x} of its store id, and has a name unique in its project
(the network allows two of one name, as neutron does; EC2 refuses the second
with C{InvalidGroup.Duplicate}). Another project's groups do not exist here.
"""

from __future__ import annotations

from typing import Any, Sequence

from twisted.internet.defer import inlineCallbacks

from novatx.compute.exceptions import OverLimit
from novatx.compute.network.exceptions import (
    DefaultSecurityGroupDelete,
    InvalidRule,
    SecurityGroupInUse,
    SecurityGroupNotFound,
    SecurityGroupRuleExists,
    SecurityGroupRuleNotFound,
)
from novatx.compute.network.records import SecurityGroup
from novatx.extensions.ec2 import errors, ids, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import Getter, compile_filters, one
from novatx.extensions.ec2.group_rules import (
    Permission,
    Source,
    duplicates,
    matching_rules,
    permission_items,
    read_permissions,
)
from novatx.extensions.ec2.paging import Paging

DEFAULT = "default"


def group_id(group: SecurityGroup) -> str:
    return ids.group_id(group.internal_id)


def group_not_found(name: str) -> errors.EC2Error:
    return errors.EC2Error("InvalidGroup.NotFound",
                           "The security group '%s' does not exist" % (name,))


def named_groups(groups: Sequence[SecurityGroup], group_ids: Sequence[str],
                 names: Sequence[str]) -> list[SecurityGroup]:
    """
    The groups C{group_ids} (C{sg-}) and C{names} name among C{groups}, in
    that order; C{InvalidGroup.NotFound} naming the first that is not there.
    """
    numbers = [ids.parse_group_id(text) for text in group_ids]
    by_number = {group.internal_id: group for group in groups}
    by_name = {group.name: group for group in groups}
    found = []
    for text, number in zip(group_ids, numbers):
        if number not in by_number:
            raise group_not_found(text)
        found.append(by_number[number])
    for name in names:
        if name not in by_name:
            raise group_not_found(name)
        found.append(by_name[name])
    return found


def _one_group(params: dict[str, str]) -> tuple[list[str], list[str]]:
    """The C{GroupId} or C{GroupName} of a request about one group (the id if both)."""
    if params.get("GroupId"):
        return [params["GroupId"]], []
    if params.get("GroupName"):
        return [], [params["GroupName"]]
    raise errors.missing_parameter("GroupId")


class _GroupAction(EC2Action):
    def groups(self, context: Any) -> Any:
        """The caller's groups (its C{default} made first if it has none)."""
        return self.compute.list_security_groups(context)


class CreateSecurityGroup(_GroupAction):
    action = "CreateSecurityGroup"
    name = "Create security group"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        name = P.required(params, "GroupName")
        description = P.required(params, "GroupDescription")
        if params.get("VpcId"):
            raise errors.EC2Error("InvalidVpcID.NotFound",
                                  "The vpc ID '%s' does not exist" % (params["VpcId"],))
        for field, value in (("GroupName", name), ("GroupDescription", description)):
            if len(value) > 255 or not value.isascii() or not value.isprintable():
                raise errors.invalid_value(field, value,
                                           "It must be 1 to 255 printable ASCII characters.")
        if name.startswith("sg-"):
            raise errors.invalid_value("GroupName", name, "Group names may not begin "
                                       "with sg-.")
        if name == DEFAULT:
            raise errors.EC2Error("InvalidGroup.Reserved",
                                  "The security group 'default' is reserved")
        if P.structure_list(params, "TagSpecification"):
            raise errors.invalid_value("TagSpecification", "...",
                                       "Security groups have no tags here.")
        return self._create(request.context, name, description)

    @inlineCallbacks
    def _create(self, context: Any, name: str, description: str) -> Any:
        groups = yield self.groups(context)
        if any(group.name == name for group in groups):
            raise errors.EC2Error("InvalidGroup.Duplicate",
                                  "The security group '%s' already exists" % (name,))
        try:
            group = yield self.compute.create_security_group(context, name, description)
        except OverLimit:
            raise errors.EC2Error(
                "SecurityGroupLimitExceeded",
                "You have reached the limit on the number of security groups.") from None
        return {"return": True, "groupId": group_id(group)}


class DeleteSecurityGroup(_GroupAction):
    action = "DeleteSecurityGroup"
    name = "Delete security group"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids, names = _one_group(params)
        return self._delete(request.context, ids, names)

    @inlineCallbacks
    def _delete(self, context: Any, ids: list[str], names: list[str]) -> Any:
        groups = yield self.groups(context)
        (group,) = named_groups(groups, ids, names)
        if group.name == DEFAULT:
            raise errors.EC2Error("CannotDelete",
                                  "the specified group: \"%s\" name: \"default\" cannot be "
                                  "deleted by a user" % (group_id(group),))
        users = [other for other in groups if other.id != group.id
                 and any(rule.remote_group_id == group.id for rule in other.rules)]
        if users:
            raise errors.EC2Error(
                "DependencyViolation",
                "resource %s has a dependent object: the rules of %s" % (
                    group_id(group), ", ".join(group_id(other) for other in users)))
        try:
            yield self.compute.delete_security_group(context, group.id)
        except SecurityGroupInUse:
            raise errors.EC2Error("InvalidGroup.InUse",
                                  "There are active instances using security group '%s'"
                                  % (group.name,)) from None
        except DefaultSecurityGroupDelete:
            raise errors.EC2Error("CannotDelete", str(DefaultSecurityGroupDelete())) from None
        except SecurityGroupNotFound:
            raise group_not_found((ids or names)[0]) from None
        return {"return": True}


def _permission_values(field: str, egress: bool = False) -> Getter:
    def values(item: Any) -> list[str]:
        group, groups, ids = item
        if egress:
            return []
        found = []
        for permission in permission_items(group, groups, ids):
            if field in ("protocol", "from-port", "to-port"):
                value = permission[{"protocol": "ipProtocol", "from-port": "fromPort",
                                    "to-port": "toPort"}[field]]
                if value is not None:
                    found.append(str(value))
            elif field == "cidr":
                found += [r["cidrIp"] for r in permission["ipRanges"]]
                found += [r["cidrIpv6"] for r in permission["ipv6Ranges"]]
            else:
                key = {"group-id": "groupId", "group-name": "groupName",
                       "user-id": "userId"}[field]
                found += [pair[key] for pair in permission["groups"] if pair[key]]
        return found
    return values


def _filters() -> dict[str, Getter]:
    """DescribeSecurityGroups' filters; items are (group, groups by uuid, sg- ids by uuid)."""
    getters: dict[str, Getter] = {
        "group-name": one(lambda item: item[0].name),
        "group-id": one(lambda item: group_id(item[0])),
        "description": one(lambda item: item[0].description),
        "owner-id": one(lambda item: item[0].project_id),
        "vpc-id": lambda item: (),
    }
    for field in ("protocol", "from-port", "to-port", "cidr", "group-id", "group-name",
                  "user-id"):
        getters["ip-permission." + field] = _permission_values(field)
        getters["egress.ip-permission." + field] = _permission_values(field, egress=True)
    return getters


def group_item(group: SecurityGroup, groups: dict[str, SecurityGroup],
               ids: dict[str, str]) -> dict[str, Any]:
    return {
        "ownerId": group.project_id,
        "groupId": group_id(group),
        "groupName": group.name,
        "groupDescription": group.description,
        "ipPermissions": permission_items(group, groups, ids),
        "ipPermissionsEgress": [],
        "tagSet": [],
    }


class DescribeSecurityGroups(_GroupAction):
    action = "DescribeSecurityGroups"
    name = "Describe security groups"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = P.member_list(params, "GroupId")
        names = P.member_list(params, "GroupName")
        paging = Paging.read(self.action, request.context.project_id, params, 5, 1000,
                             exclusive=("GroupId", "GroupName"))
        matches = compile_filters(P.filters(params), _filters(), tags=lambda item: {})
        return self._describe(request.context, ids, names, matches, paging)

    @inlineCallbacks
    def _describe(self, context: Any, ids: list[str], names: list[str], matches: Any,
                  paging: Paging) -> Any:
        groups = yield self.groups(context)
        by_uuid = {group.id: group for group in groups}
        sg_ids = {group.id: group_id(group) for group in groups}
        chosen = groups
        if ids or names:
            chosen = list({g.id: g for g in named_groups(groups, ids, names)}.values())
        items = [(group, by_uuid, sg_ids) for group in chosen]
        page, token = paging.page([item for item in items if matches(item)],
                                  key=lambda item: item[0].internal_id)
        return {"securityGroupInfo": [group_item(*item) for item in page],
                "nextToken": token}


@inlineCallbacks
def _resolved(action: _GroupAction, context: Any, params: dict[str, str]) -> Any:
    """
    The group a rule request is about, the caller's groups, and its
    permissions with their source groups found.
    """
    ids, names = _one_group(params)
    read = read_permissions(params)
    groups = yield action.groups(context)
    (group,) = named_groups(groups, ids, names)
    permissions = []
    for permission, sources in read:
        found = list(permission.sources)
        for source in sources:
            if source.get("GroupId"):
                (named,) = named_groups(groups, [source["GroupId"]], [])
            elif source.get("GroupName"):
                (named,) = named_groups(groups, [], [source["GroupName"]])
            else:
                raise errors.missing_parameter("Groups.N.GroupId")
            found.append(Source(group_id=named.id, description=source.get("Description", "")))
        permissions.append(Permission(permission.protocol, permission.low, permission.high,
                                      tuple(found)))
    return group, permissions


def _duplicate(group: SecurityGroup) -> errors.EC2Error:
    return errors.EC2Error(
        "InvalidPermission.Duplicate",
        "the specified rule already exists in security group %s" % (group_id(group),))


class AuthorizeSecurityGroupIngress(_GroupAction):
    action = "AuthorizeSecurityGroupIngress"
    name = "Authorize security group ingress"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._authorize(request.context, params)

    @inlineCallbacks
    def _authorize(self, context: Any, params: dict[str, str]) -> Any:
        group, permissions = yield _resolved(self, context, params)
        rules = [rule for permission in permissions for rule in permission.rules()]
        if any(True for _ in duplicates(rules)) or any(
                matching_rules(group, fields, remote, exact=True) for fields, remote in rules):
            raise _duplicate(group)
        made = []
        try:
            for fields, remote in rules:
                rule = yield self.compute.create_security_group_rule(
                    context, group.id, fields, remote_group_id=remote)
                made.append(rule)
        except Exception as e:
            # All of the request's rules or none: undo those already added.
            for rule in made:
                yield self.compute.delete_security_group_rule(context, rule.id)
            if isinstance(e, SecurityGroupRuleExists):
                raise _duplicate(group) from None
            if isinstance(e, InvalidRule):
                raise errors.EC2Error("InvalidParameterValue", str(e)) from None
            if isinstance(e, OverLimit):
                raise errors.EC2Error(
                    "RulesPerSecurityGroupLimitExceeded",
                    "The maximum number of rules per security group has been reached."
                ) from None
            raise
        return {"return": True}


class RevokeSecurityGroupIngress(_GroupAction):
    action = "RevokeSecurityGroupIngress"
    name = "Revoke security group ingress"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        return self._revoke(request.context, params)

    @inlineCallbacks
    def _revoke(self, context: Any, params: dict[str, str]) -> Any:
        group, permissions = yield _resolved(self, context, params)
        doomed = {}
        for permission in permissions:
            for fields, remote in permission.rules():
                for rule in matching_rules(group, fields, remote):
                    doomed[rule.id] = rule
        # As AWS: a rule the group does not have is no error; nothing is revoked for it.
        for rule_id in doomed:
            try:
                yield self.compute.delete_security_group_rule(context, rule_id)
            except SecurityGroupRuleNotFound:
                pass  # revoked meanwhile by another request: what was asked is done
        return {"return": True}


class _Egress(EC2Action):
    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        raise errors.EC2Error(
            "InvalidParameterValue",
            "%s applies to VPC security groups only; EC2-Classic groups have no egress "
            "rules." % (self.action,))


class AuthorizeSecurityGroupEgress(_Egress):
    action = "AuthorizeSecurityGroupEgress"
    name = "Authorize security group egress"


class RevokeSecurityGroupEgress(_Egress):
    action = "RevokeSecurityGroupEgress"
    name = "Revoke security group egress"
