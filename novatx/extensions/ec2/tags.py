"""
CreateTags, DeleteTags and DescribeTags on instances (see L{tagging}), images,
volumes and snapshots (their metadata items, see L{novatx.extensions.ec2.ebs}).

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
from novatx.extensions.ec2.ebs import all_snapshots, all_volumes, named_snapshots, named_volumes
from novatx.extensions.ec2.ids import (
    parse_image_id,
    parse_instance_id,
    parse_snapshot_id,
    parse_volume_id,
    snapshot_id,
    volume_id,
)
from novatx.extensions.ec2.lookup import first_error, named_instances, visible_instances
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.snapshot import Snapshots
from novatx.extensions.ec2.states import TERMINATED, ec2_state
from novatx.extensions.ec2.tagging import MAX_TAGS, check_tag, check_tag_count, split_tags
from novatx.extensions.ec2.views import NAME_TAG, instance_tags


#: The kinds of resource tags go on, by their ids' prefix, with the id's check.
_KINDS = {
    "i-": parse_instance_id,
    "ami-": parse_image_id,
    "vol-": parse_volume_id,
    "snap-": parse_snapshot_id,
}


def _resources(params: dict[str, str]) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """
    The C{i-} and C{ami-} ids of C{ResourceId.N}, and the C{vol-} and
    C{snap-} ones by prefix; any other kind is C{InvalidID}.
    """
    P.required(params, "ResourceId.1")
    named: dict[str, list[str]] = {prefix: [] for prefix in _KINDS}
    for resource in P.member_list(params, "ResourceId"):
        prefix = resource.partition("-")[0] + "-"
        if prefix not in _KINDS:
            raise errors.EC2Error("InvalidID", "The ID '%s' is not valid" % (resource,))
        _KINDS[prefix](resource)
        named[prefix].append(resource)
    return named.pop("i-"), named.pop("ami-"), named


@inlineCallbacks
def _storage(action: EC2Action, context: Any, named: dict[str, list[str]]) -> Any:
    """The volumes and snapshots C{named} names, all found before any is tagged."""
    volumes = yield named_volumes(action.compute, context, named["vol-"]) if named[
        "vol-"] else succeed([])
    snapshots = yield named_snapshots(action.compute, context, named["snap-"]) if named[
        "snap-"] else succeed([])
    return volumes, snapshots


def _check_storage_count(records: list[Any], keys: list[str]) -> None:
    for record in records:
        if len(set(record.metadata) | set(keys)) > MAX_TAGS:
            raise errors.EC2Error("TagLimitExceeded", "A resource has at most %d tags." % (
                MAX_TAGS,))


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
        ids, image_ids, named = _resources(params)
        tags = P.tags(params)
        if not tags:
            raise errors.missing_parameter("Tag.1.Key")
        for key, value in tags:
            check_tag(key, value)
        return self._create(request.context, ids, image_ids, named,
                            [(k, v or "") for k, v in tags])

    @inlineCallbacks
    def _create(self, context: Any, ids: list[str], image_ids: list[str],
                named: dict[str, list[str]], tags: list[tuple[str, str]]) -> Any:
        instances = yield named_instances(self, context, ids, "tagged") if ids else succeed([])
        for instance in instances:
            check_tag_count(instance, [key for key, _ in tags])
        volumes, snapshots = yield _storage(self, context, named)
        _check_storage_count(volumes + snapshots, [key for key, _ in tags])
        for volume in volumes:
            yield self.compute.volumes.set_volume_metadata(context, volume.id, dict(tags))
        for snapshot in snapshots:
            yield self.compute.volumes.set_snapshot_metadata(context, snapshot.id, dict(tags))
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
    """
    Remove tags. A terminated instance, still visible but gone from the
    store's live records, is skipped (left as it was), not refused, so a
    clean-up after a termination succeeds, as it does with ec2-api.
    """

    action = "DeleteTags"
    name = "Delete tags"

    def __call__(self, request: Any, params: dict[str, str]) -> Any:
        ids, image_ids, named = _resources(params)
        return self._delete(request.context, ids, image_ids, named, P.tags(params))

    @inlineCallbacks
    def _delete(self, context: Any, ids: list[str], image_ids: list[str],
                named: dict[str, list[str]], tags: list[tuple[str, str | None]]) -> Any:
        instances = yield named_instances(self, context, ids) if ids else succeed([])
        instances = [i for i in instances if ec2_state(i) != TERMINATED]
        volumes, snapshots = yield _storage(self, context, named)
        for record, forget in [(v, self.compute.volumes.delete_volume_metadata)
                               for v in volumes] + [
                (s, self.compute.volumes.delete_snapshot_metadata) for s in snapshots]:
            for key in _doomed(record.metadata, tags):
                yield forget(context, record.id, key)
        if image_ids:
            uuids = yield _image_uuids(self, context, image_ids)
            yield self.compute.delete_image_tags(context, uuids, tags)
        for instance in instances:
            for key in _doomed(instance_tags(instance), tags):
                if key == NAME_TAG:
                    yield self.compute.update_server(context, instance.uuid, name=instance.ec2_id)
                else:
                    yield self.compute.delete_metadata_item(context, instance.uuid, key)
        return {"return": True}


def _doomed(current: dict[str, str], tags: list[tuple[str, str | None]]) -> list[str]:
    """The keys of C{current} that DeleteTags' C{tags} (all of them when none) remove."""
    return [
        key
        for key, value in (tags or [(key, None) for key in current])
        if key in current and (value is None or current[key] == value)
    ]


_FILTERS = {
    "key": one(lambda t: t[1]),
    "value": one(lambda t: t[2]),
    "resource-id": one(lambda t: t[0]),
    "resource-type": one(lambda t: t[3]),
}

#: The order of resource types in DescribeTags (and its paging).
_TYPE_ORDER = {"image": 0, "instance": 1, "snapshot": 2, "volume": 3}


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
        volumes = yield all_volumes(self.compute, context)
        snapshots = yield all_snapshots(self.compute, context)
        rows = [
            ("ami-%08x" % (number,), key, value, "image", number)
            for number, tags in sorted(image_tags.items())
            for key, value in sorted(tags.items())
        ] + [
            (instance.ec2_id, key, value, "instance", instance.id)
            for instance in instances
            for key, value in sorted(instance_tags(instance).items())
        ] + [
            (snapshot_id(snapshot), key, value, "snapshot", snapshot.internal_id)
            for snapshot in snapshots
            for key, value in sorted(snapshot.metadata.items())
        ] + [
            (volume_id(volume), key, value, "volume", volume.internal_id)
            for volume in volumes
            for key, value in sorted(volume.metadata.items())
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
