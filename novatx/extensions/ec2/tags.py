"""CreateTags, DeleteTags and DescribeTags on instances (see L{tagging})."""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import inlineCallbacks

from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.lookup import named_instances, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.snapshot import Snapshots
from novatx.extensions.ec2.tagging import check_tag, check_tag_count, split_tags
from novatx.extensions.ec2.views import NAME_TAG, instance_tags


def _resources(params: dict[str, str]) -> list[str]:
    P.required(params, "ResourceId.1")
    ids = P.member_list(params, "ResourceId")
    for resource in ids:
        if not resource.startswith("i-"):
            raise errors.EC2Error("InvalidID", "The ID '%s' is not valid" % (resource,))
    return ids


class CreateTags(EC2Action):
    action = "CreateTags"
    name = "Create tags"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = _resources(params)
        tags = P.tags(params)
        if not tags:
            raise errors.missing_parameter("Tag.1.Key")
        for key, value in tags:
            check_tag(key, value)
        return self._create(request.context, ids, [(k, v or "") for k, v in tags])

    @inlineCallbacks
    def _create(self, context: Any, ids: list[str], tags: list[tuple[str, str]]) -> Any:
        instances = yield named_instances(self, context, ids, "tagged")
        for instance in instances:
            check_tag_count(instance, [key for key, _ in tags])
        named = NAME_TAG in dict(tags)
        name, metadata = split_tags(tags)
        for instance in instances:
            if metadata:
                yield self.compute.set_metadata(context, instance.uuid, metadata)
            if named:
                yield self.compute.update_server(context, instance.uuid, name=name or instance.ec2_id)
        return {"return": True}


class DeleteTags(EC2Action):
    action = "DeleteTags"
    name = "Delete tags"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids = _resources(params)
        return self._delete(request.context, ids, P.tags(params))

    @inlineCallbacks
    def _delete(self, context: Any, ids: list[str], tags: list[tuple[str, str | None]]) -> Any:
        instances = yield named_instances(self, context, ids, "untagged")
        for instance in instances:
            current = instance_tags(instance)
            doomed = [
                key
                for key, value in (tags or [(key, None) for key in current])
                if key in current and (value is None or current[key] == value)
            ]
            for key in doomed:
                if key == NAME_TAG:
                    yield self.compute.update_server(context, instance.uuid, name=instance.ec2_id)
                else:
                    yield self.compute.delete_metadata_item(context, instance.uuid, key)
        return {"return": True}


_FILTERS = {
    "key": one(lambda t: t[1]),
    "value": one(lambda t: t[2]),
    "resource-id": one(lambda t: t[0]),
    "resource-type": one(lambda t: "instance"),
}


class DescribeTags(EC2Action):
    action = "DescribeTags"
    name = "Describe tags"

    def setup(self, context: Any) -> None:
        super().setup(context)
        self.snapshots = Snapshots(
            lambda ctx: visible_instances(self, ctx),
            self.clock,
            self.config.ec2.describe_cache_seconds,
        )
        self.compute.add_observer(self.snapshots.changed)

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        matches = compile_filters(P.filters(params), _FILTERS)
        paging = Paging.read(self.action, request.context.project_id, params)
        return self._describe(request.context, matches, paging)

    @inlineCallbacks
    def _describe(self, context: Any, matches: Any, paging: Paging) -> Any:
        instances = yield self.snapshots.instances(context)
        rows = [
            (instance.ec2_id, key, value, instance.id)
            for instance in instances
            for key, value in sorted(instance_tags(instance).items())
        ]
        rows = [row for row in rows if matches(row)]
        page, token = paging.page(rows, key=lambda row: [row[3], row[1]])
        return {
            "tagSet": [
                {"resourceId": rid, "resourceType": "instance", "key": key, "value": value}
                for rid, key, value, _ in page
            ],
            "nextToken": token,
        }
