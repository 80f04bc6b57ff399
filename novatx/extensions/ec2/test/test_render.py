"""EC2 XML documents, as botocore's own parser reads them; filters; paging tokens."""

from __future__ import annotations

import datetime

from botocore.parsers import EC2QueryParser
from botocore.session import get_session
from twisted.trial.unittest import SynchronousTestCase

from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.ec2.filters import compile_filters, one
from novatx.extensions.ec2.paging import Paging
from novatx.extensions.ec2.render import NAMESPACE, render_response
from novatx.resources.faults import ec2_error


def parse(operation: str, body: bytes, status: int = 200) -> dict:
    """What boto3 makes of C{body} as the answer to C{operation}."""
    model = get_session().get_service_model("ec2").operation_model(operation)
    return EC2QueryParser().parse(
        {"body": body, "headers": {}, "status_code": status}, model.output_shape
    )


class RenderTests(SynchronousTestCase):
    def test_document_shape(self) -> None:
        body = render_response("DescribeRegions", "req-1", {"regionInfo": [{"regionName": "R<1>"}]})
        self.assertIn(('<DescribeRegionsResponse xmlns="%s">' % NAMESPACE).encode(), body)
        parsed = parse("DescribeRegions", body)
        self.assertEqual(parsed["Regions"], [{"RegionName": "R<1>"}])
        self.assertEqual(parsed["ResponseMetadata"]["RequestId"], "req-1")

    def test_values(self) -> None:
        moment = datetime.datetime(2026, 11, 25, 14, 0, 1, 234567, tzinfo=datetime.timezone.utc)
        body = render_response(
            "DescribeInstances",
            "r",
            {
                "reservationSet": [
                    {
                        "reservationId": "r-00000001",
                        "instancesSet": [
                            {
                                "instanceId": "i-0000000a",
                                "amiLaunchIndex": 3,
                                "ebsOptimized": False,
                                "launchTime": moment,
                                "keyName": None,
                            }
                        ],
                    }
                ],
                "nextToken": None,
            },
        )
        self.assertNotIn(b"keyName", body)
        self.assertNotIn(b"nextToken", body)
        self.assertIn(b"2026-11-25T14:00:01.234Z", body)
        (instance,) = parse("DescribeInstances", body)["Reservations"][0]["Instances"]
        self.assertEqual(instance["InstanceId"], "i-0000000a")
        self.assertEqual(instance["AmiLaunchIndex"], 3)
        self.assertIs(instance["EbsOptimized"], False)
        self.assertEqual(instance["LaunchTime"], moment.replace(microsecond=234000))

    def test_characters_xml_cannot_carry(self) -> None:
        body = render_response(
            "DescribeRegions", "req-\x1b", {"regionInfo": [{"regionName": "a\x01b\x0bc\ud800\ttab"}]}
        )
        parsed = parse("DescribeRegions", body)
        self.assertEqual(parsed["Regions"], [{"RegionName": "a\ufffdb\ufffdc\ufffd\ttab"}])
        self.assertEqual(parsed["ResponseMetadata"]["RequestId"], "req-\ufffd")

    def test_unrenderable_value(self) -> None:
        self.assertRaises(TypeError, render_response, "X", "r", {"a": object()})

    def test_error_document_reads_as_error(self) -> None:
        parsed = parse("DescribeInstances", ec2_error("AuthFailure", "no & no", "req-2"), 401)
        self.assertEqual(parsed["Error"], {"Code": "AuthFailure", "Message": "no & no"})
        self.assertEqual(parsed["ResponseMetadata"]["RequestId"], "req-2")


class FilterTests(SynchronousTestCase):
    getters = {"name": one(lambda item: item["name"])}

    def tags(self, item: dict) -> dict:
        return item["tags"]

    def test_wildcards(self) -> None:
        matches = compile_filters([("name", ["we?-*"])], self.getters, self.tags)
        self.assertTrue(matches({"name": "web-1", "tags": {}}))
        self.assertFalse(matches({"name": "db-1", "tags": {}}))
        self.assertFalse(matches({"name": "wexx-1", "tags": {}}))

    def test_regex_characters_are_literal(self) -> None:
        matches = compile_filters([("name", ["a.c"])], self.getters)
        self.assertTrue(matches({"name": "a.c"}))
        self.assertFalse(matches({"name": "abc"}))

    def test_backslash_takes_the_next_character_literally(self) -> None:
        matches = compile_filters([("name", ["\\*web\\?\\\\*"])], self.getters)
        self.assertTrue(matches({"name": "*web?\\-1"}))
        self.assertFalse(matches({"name": "xweb?\\-1"}))
        self.assertFalse(matches({"name": "*webx\\-1"}))

    def test_stars_match_any_run(self) -> None:
        for value, name, expected in (
            ("*", "", True),
            ("a*b*c", "abc", True),
            ("a*b*c", "aXbYbZc", True),
            ("a*b*c", "acb", False),
            ("*ab", "aab", True),
            ("ab*ab", "ab", False),
            ("?*?", "a", False),
            ("**a**", "xay", True),
        ):
            matches = compile_filters([("name", [value])], self.getters)
            self.assertEqual(matches({"name": name}), expected, (value, name))

    def test_many_wildcards_do_not_backtrack(self) -> None:
        # A regular expression would try every split of the name among the
        # stars (more steps than atoms in the universe); this answers at once.
        for value in ("*" * 40 + "b", "*a" * 40 + "b", "?*" * 40 + "b"):
            matches = compile_filters([("name", [value])], self.getters)
            self.assertFalse(matches({"name": "a" * 256}))

    def test_all_filters_any_value(self) -> None:
        matches = compile_filters(
            [("name", ["x", "y"]), ("tag:env", ["prod"])], self.getters, self.tags
        )
        self.assertTrue(matches({"name": "y", "tags": {"env": "prod"}}))
        self.assertFalse(matches({"name": "y", "tags": {"env": "dev"}}))
        self.assertFalse(matches({"name": "y", "tags": {}}))

    def test_tag_key(self) -> None:
        matches = compile_filters([("tag-key", ["env"])], self.getters, self.tags)
        self.assertTrue(matches({"name": "a", "tags": {"env": ""}}))
        self.assertFalse(matches({"name": "a", "tags": {}}))

    def test_unknown_filter(self) -> None:
        error = self.assertRaises(EC2Error, compile_filters, [("colour", ["red"])], self.getters)
        self.assertEqual((error.code, error.message), ("InvalidParameterValue", "The filter 'colour' is invalid"))

    def test_tag_filters_only_where_items_have_tags(self) -> None:
        self.assertRaises(EC2Error, compile_filters, [("tag:a", ["b"])], self.getters)


class PagingTests(SynchronousTestCase):
    def test_pages_follow_each_other(self) -> None:
        params = {"MaxResults": "5", "Filter.1.Name": "x", "Filter.1.Value.1": "y"}
        items = list(range(12))
        seen = []
        token = None
        while True:
            paging = Paging.read("DescribeX", "p1", dict(params, **({"NextToken": token} if token else {})))
            page, token = paging.page(items, key=lambda i: i)
            seen.extend(page)
            if token is None:
                break
        self.assertEqual(seen, items)

    def test_token_never_issued(self) -> None:
        for token in ("abc", "eyJ4Ijox.0000", "", "...."):
            if not token:
                continue
            error = self.assertRaises(EC2Error, Paging.read, "DescribeX", "p1", {"NextToken": token})
            self.assertEqual(error.code, "InvalidPaginationToken")

    def test_token_of_another_query(self) -> None:
        _, token = Paging.read("DescribeX", "p1", {"MaxResults": "5"}).page(list(range(9)), key=lambda i: i)
        for action, caller, params in (
            ("DescribeY", "p1", {"MaxResults": "5"}),
            ("DescribeX", "p2", {"MaxResults": "5"}),
            ("DescribeX", "p1", {"MaxResults": "5", "Filter.1.Name": "a", "Filter.1.Value.1": "b"}),
        ):
            error = self.assertRaises(EC2Error, Paging.read, action, caller, dict(params, NextToken=token))
            self.assertEqual(error.code, "InvalidPaginationToken")

    def test_max_results_bounds(self) -> None:
        for value in ("4", "1001"):
            error = self.assertRaises(EC2Error, Paging.read, "DescribeX", "p1", {"MaxResults": value})
            self.assertEqual(error.code, "InvalidParameterValue")

    def test_max_results_with_ids(self) -> None:
        error = self.assertRaises(
            EC2Error, Paging.read, "DescribeX", "p1", {"MaxResults": "5", "InstanceId.1": "i-00000001"},
            exclusive=("InstanceId",),
        )
        self.assertEqual(error.code, "InvalidParameterCombination")
