"""
CreateTags, DeleteTags and DescribeTags on instances (see L{tagging}) and images.

An image's tags belong to the project that set them, as AWS keeps a tag on a
public or shared image for the account that set it: two projects tagging one
public image see only their own. Every resource named is found before any is
tagged, so a request naming a missing one changes nothing.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import gatherResults, inlineCallbacks, succeed

from novatx.compute.exceptions import ImageNotFound, OverLimit
from novatx.extensions.ec2 import errors, params as P
from novatx.extensions.ec2.base import EC2Action
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.ids import parse_image_id, parse_instance_id
from novatx.extensions.ec2.lookup import first_error, named_instances, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.snapshot import Snapshots
from novatx.extensions.ec2.tagging import MAX_TAGS, check_tag, check_tag_count, split_tags
from novatx.extensions.ec2.views import NAME_TAG, instance_tags


def _resources(params: dict[str, str]) -> tuple[list[str], list[str]]:
    """The C{i-} and C{ami-} ids of C{ResourceId.N}; any other kind is C{InvalidID}."""
    P.required(params, "ResourceId.1")
    instances, images = [], []
    for resource in P.member_list(params, "ResourceId"):
        if resource.startswith("i-"):
            parse_instance_id(resource)
            instances.append(resource)
        elif resource.startswith("ami-"):
            parse_image_id(resource)
            images.append(resource)
        else:
            raise errors.EC2Error("InvalidID", "The ID '%s' is not valid" % (resource,))
    return instances, images


def _image_uuids(action: EC2Action, context: Any, ids: list[str]) -> Any:
    """Fire with the UUIDs of the images C{ids} name; C{InvalidAMIID.NotFound} for one not seen."""
    def one_image(text: str) -> Any:
        d = action.compute.get_image_by_ec2_id(context, parse_image_id(text))

        def missing(failure: Any) -> Any:
            failure.trap(ImageNotFound)
            raise errors.image_not_found(text)
        return d.addCallbacks(lambda image: image.id, missing)

    return gatherResults([one_image(text) for text in ids], consumeErrors=True).addErrback(
        first_error)


def _tag_limit(failure: Any) -> Any:
    failure.trap(OverLimit)
    raise errors.EC2Error("TagLimitExceeded", "An image has at most %d tags." % (MAX_TAGS,))


class CreateTags(EC2Action):
    action = "CreateTags"
    name = "Create tags"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids, image_ids = _resources(params)
        tags = P.tags(params)
        if not tags:
            raise errors.missing_parameter("Tag.1.Key")
        for key, value in tags:
            check_tag(key, value)
        return self._create(request.context, ids, image_ids, [(k, v or "") for k, v in tags])

    @inlineCallbacks
    def _create(self, context: Any, ids: list[str], image_ids: list[str],
                tags: list[tuple[str, str]]) -> Any:
        instances = yield named_instances(self, context, ids, "tagged") if ids else succeed([])
        for instance in instances:
            check_tag_count(instance, [key for key, _ in tags])
        if image_ids:
            uuids = yield _image_uuids(self, context, image_ids)
            yield self.compute.set_image_tags(context, uuids, dict(tags)).addErrback(_tag_limit)
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
        ids, image_ids = _resources(params)
        return self._delete(request.context, ids, image_ids, P.tags(params))

    @inlineCallbacks
    def _delete(self, context: Any, ids: list[str], image_ids: list[str],
                tags: list[tuple[str, str | None]]) -> Any:
        instances = yield named_instances(self, context, ids, "untagged") if ids else succeed([])
        if image_ids:
            uuids = yield _image_uuids(self, context, image_ids)
            yield self.compute.delete_image_tags(context, uuids, tags)
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
    "resource-type": one(lambda t: t[3]),
}

#: The order of resource types in DescribeTags (and its paging).
_TYPE_ORDER = {"image": 0, "instance": 1}


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
        image_tags = yield self.compute.list_image_tags(context)
        rows = [
            ("ami-%08x" % (number,), key, value, "image", number)
            for number, tags in sorted(image_tags.items())
            for key, value in sorted(tags.items())
        ] + [
            (instance.ec2_id, key, value, "instance", instance.id)
            for instance in instances
            for key, value in sorted(instance_tags(instance).items())
        ]
        rows = [row for row in rows if matches(row)]
        page, token = paging.page(rows, key=lambda row: [_TYPE_ORDER[row[3]], row[4], row[1]])
        return {
            "tagSet": [
                {"resourceId": rid, "resourceType": kind, "key": key, "value": value}
                for rid, key, value, kind, _ in page
            ],
            "nextToken": token,
        }
