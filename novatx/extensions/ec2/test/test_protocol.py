"""
The EC2 protocol over real HTTP: signatures that fail, and the bad input the
issue lists, each answered with EC2's XML error, AWS's code and status, and
nothing changed in the store. Requests are signed by botocore.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import treq
from twisted.trial.unittest import TestCase

from novatx.compute.context import get_admin_context
from novatx.compute.interfaces import ServerQuery
from novatx.extensions.ec2.render import NAMESPACE
from novatx.extensions.ec2.test.served import client_for, serve_ec2
from novatx.extensions.ec2.test.signing import sign

VERSION = "2016-11-15"


def q(action: str, params: dict[str, str] | None = None) -> dict[str, str]:
    """The parameters of C{action} at this API's version, with C{params}."""
    return {"Action": action, "Version": VERSION, **(params or {})}


def _text(root: ET.Element, path: str) -> str | None:
    found = root.find(path)
    return None if found is None else found.text


class ProtocolTests(TestCase):
    async def setUp(self) -> None:
        self.served = await serve_ec2(self)
        self.alice = await client_for(self.served, "alice", "p1")

    async def send(self, prepared: Any) -> tuple[int, ET.Element, Any]:
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        path_and_query = prepared.url.split("/", 3)[3]
        response = await self.served.client.request(
            prepared.method,
            self.served.url + "/" + path_and_query,
            headers={k: [v] for k, v in prepared.headers.items() if k.lower() != "content-length"},
            data=body or None,
        )
        content = await treq.content(response)
        self.assertEqual(
            response.headers.getRawHeaders(b"content-type"), [b"text/xml;charset=UTF-8"]
        )
        return response.code, ET.fromstring(content), response

    async def call(self, params: dict[str, str], **kwargs: Any) -> tuple[int, ET.Element, Any]:
        kwargs.setdefault("url", self.served.url + "/")
        return await self.send(sign(self.alice.access, self.alice.secret, params, **kwargs))

    async def assertError(
        self, params: dict[str, str], code: str, status: int = 400, **kwargs: Any
    ) -> str:
        got_status, root, _ = await self.call(params, **kwargs)
        self.assertEqual((_text(root, "Errors/Error/Code"), got_status), (code, status))
        self.assertTrue(_text(root, "RequestID"))
        return _text(root, "Errors/Error/Message") or ""

    async def instance_count(self) -> int:
        page = await self.served.compute.api.list_servers(
            get_admin_context(), ServerQuery(all_tenants=True)
        )
        return len(page.items)

    # -- success shapes ---------------------------------------------------------

    async def test_get_and_post_and_query_signature(self) -> None:
        forms = (("POST", "header"), ("GET", "header"), ("GET", "query"), ("POST", "v2"), ("GET", "v2"))
        for method, form in forms:
            status, root, response = await self.call(
                q("DescribeRegions"), method=method, form=form
            )
            self.assertEqual(status, 200, (method, form))
            self.assertEqual(root.tag, "{%s}DescribeRegionsResponse" % NAMESPACE)
            self.assertEqual(
                _text(root, "{%s}requestId" % NAMESPACE),
                response.headers.getRawHeaders(b"x-openstack-request-id")[0].decode(),
            )

    async def test_older_version_accepted(self) -> None:
        status, _, _ = await self.call({"Action": "DescribeRegions", "Version": "2014-10-01"})
        self.assertEqual(status, 200)

    async def test_query_string_of_12000_bytes(self) -> None:
        params = q("DescribeInstances")
        index = 1
        while len("&".join("%s=%s" % kv for kv in params.items())) < 12000:
            params["Filter.1.Value.%d" % index] = "i-%08x" % index
            index += 1
        params["Filter.1.Name"] = "instance-id"
        prepared = sign(
            self.alice.access, self.alice.secret, params, url=self.served.url + "/", method="GET"
        )
        self.assertGreaterEqual(len(prepared.url), 12000)
        status, root, _ = await self.send(prepared)
        self.assertEqual(status, 200)
        self.assertEqual(root.findall("{%s}reservationSet/{%s}item" % (NAMESPACE, NAMESPACE)), [])

    # -- authentication ---------------------------------------------------------

    async def test_wrong_secret(self) -> None:
        url = self.served.url + "/"
        prepared = sign(self.alice.access, "not-the-secret", q("DescribeRegions"), url=url)
        status, root, _ = await self.send(prepared)
        self.assertEqual((status, _text(root, "Errors/Error/Code")), (401, "AuthFailure"))

    async def test_unknown_key(self) -> None:
        prepared = sign("AKIDUNKNOWN", "x", q("DescribeRegions"), url=self.served.url + "/")
        status, root, _ = await self.send(prepared)
        self.assertEqual((status, _text(root, "Errors/Error/Code")), (401, "AuthFailure"))

    async def test_expired_timestamp(self) -> None:
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=400)
        for form in ("header", "v2"):
            await self.assertError(q("DescribeRegions"), "RequestExpired", form=form, at=past)

    async def test_signed_for_another_region(self) -> None:
        await self.assertError(q("DescribeRegions"), "AuthFailure", 401, region="us-east-1")

    async def test_signed_for_another_host(self) -> None:
        port = self.served.url.rsplit(":", 1)[1]
        for url in ("http://other.example:%s/" % port, "http://127.0.0.1:1/"):
            await self.assertError(q("DescribeRegions"), "AuthFailure", 401, url=url)

    async def test_unsigned(self) -> None:
        url = self.served.url + "/?Action=DescribeRegions&Version=" + VERSION
        response = await self.served.client.get(url)
        root = ET.fromstring(await treq.content(response))
        code = _text(root, "Errors/Error/Code")
        self.assertEqual((response.code, code), (403, "MissingAuthenticationToken"))

    async def test_authorization_cut_in_half(self) -> None:
        url = self.served.url + "/"
        prepared = sign(self.alice.access, self.alice.secret, q("DescribeRegions"), url=url)
        prepared.headers["Authorization"] = prepared.headers["Authorization"][:60]
        status, root, _ = await self.send(prepared)
        self.assertEqual((status, _text(root, "Errors/Error/Code")), (401, "AuthFailure"))

    # -- bad input ------------------------------------------------------------------

    async def test_no_action(self) -> None:
        await self.assertError({"Version": VERSION}, "MissingAction")

    async def test_methods_other_than_get_and_post_are_refused(self) -> None:
        for method in ("PUT", "DELETE", "PATCH"):
            response = await self.served.client.request(
                method, self.served.url + "/?" + urlencode(q("DescribeRegions")))
            root = ET.fromstring(await treq.content(response))
            self.assertEqual(
                (response.code, _text(root, "Errors/Error/Code")), (405, "InvalidRequest"), method)

    async def test_unknown_action(self) -> None:
        message = await self.assertError(q("LaunchRockets"), "InvalidAction")
        self.assertIn("LaunchRockets", message)

    async def test_no_version(self) -> None:
        message = await self.assertError({"Action": "DescribeRegions"}, "MissingParameter")
        self.assertIn("Version", message)

    async def test_unknown_version(self) -> None:
        for version in ("2099-01-01", "latest"):
            await self.assertError(
                {"Action": "DescribeRegions", "Version": version}, "InvalidParameterValue"
            )

    async def test_missing_parameters(self) -> None:
        for action, missing in (
            ("RunInstances", "ImageId"),
            ("TerminateInstances", "InstanceId.1"),
            ("CreateKeyPair", "KeyName"),
            ("ImportKeyPair", "KeyName"),
            ("GetConsoleOutput", "InstanceId"),
            ("CreateTags", "ResourceId.1"),
        ):
            message = await self.assertError({"Action": action, "Version": VERSION}, "MissingParameter")
            self.assertIn(missing, message)
        message = await self.assertError(
            q("RunInstances", {"ImageId": "ami-00000001", "MinCount": "1"}), "MissingParameter"
        )
        self.assertIn("MaxCount", message)

    async def test_malformed_ids(self) -> None:
        await self.assertError(
            q("DescribeInstances", {"InstanceId.1": "i-xyz"}), "InvalidInstanceID.Malformed"
        )
        await self.assertError(q("StopInstances", {"InstanceId.1": "i-"}), "InvalidInstanceID.Malformed")
        await self.assertError(q("DescribeImages", {"ImageId.1": "ami-"}), "InvalidAMIID.Malformed")
        await self.assertError(
            q("RunInstances", {"ImageId": "ami-", "MinCount": "1", "MaxCount": "1"}),
            "InvalidAMIID.Malformed",
        )

    async def test_control_characters_in_an_error_message(self) -> None:
        message = await self.assertError(
            q("DescribeInstances", {"InstanceId.1": "i-\x01"}), "InvalidInstanceID.Malformed"
        )
        self.assertIn("i-\ufffd", message)
        await self.assertError(q("CreateKeyPair", {"KeyName": "k\x02"}), "InvalidParameterValue")

    async def test_ids_not_found(self) -> None:
        message = await self.assertError(
            q("DescribeInstances", {"InstanceId.1": "i-0000abcd"}), "InvalidInstanceID.NotFound"
        )
        self.assertIn("i-0000abcd", message)
        await self.assertError(
            q("DescribeImages", {"ImageId.1": "ami-0000abcd"}), "InvalidAMIID.NotFound"
        )

    async def test_run_refusals_leave_nothing(self) -> None:
        base = q("RunInstances", {"ImageId": "ami-00000001", "MinCount": "1", "MaxCount": "1"})
        for changes, code in (
            ({"InstanceType": "m9.colossal"}, "InvalidParameterValue"),
            ({"MinCount": "3", "MaxCount": "2"}, "InvalidParameterValue"),
            ({"MinCount": "0"}, "InvalidParameterValue"),
            ({"UserData": "not base64!"}, "InvalidParameterValue"),
            ({"ImageId": "ami-0000abcd"}, "InvalidAMIID.NotFound"),
            ({"KeyName": "nokey"}, "InvalidKeyPair.NotFound"),
            ({"Placement.AvailabilityZone": "nowhere"}, "InvalidParameterValue"),
            (
                {"TagSpecification.1.ResourceType": "volume", "TagSpecification.1.Tag.1.Key": "a"},
                "InvalidParameterValue",
            ),
            (
                {"TagSpecification.1.ResourceType": "instance", "TagSpecification.1.Tag.1.Key": "aws:x"},
                "InvalidParameterValue",
            ),
        ):
            await self.assertError(dict(base, **changes), code)
        self.assertEqual(await self.instance_count(), 0)

    async def test_dry_run_not_a_boolean(self) -> None:
        await self.assertError(q("DescribeRegions", {"DryRun": "maybe"}), "InvalidParameterValue")

    async def test_max_results_bounds(self) -> None:
        for value in ("4", "1001", "many"):
            await self.assertError(
                q("DescribeInstances", {"MaxResults": value}), "InvalidParameterValue"
            )

    async def test_numbers_only_in_ascii_digits(self) -> None:
        for params in ({"InstanceId.\u00b2": "i-00000001"}, {"MaxResults": "1_0"}, {"MaxResults": " 10"}):
            await self.assertError(q("DescribeInstances", params), "InvalidParameterValue")

    async def test_max_results_with_ids(self) -> None:
        await self.assertError(
            q("DescribeInstances", {"MaxResults": "5", "InstanceId.1": "i-00000001"}),
            "InvalidParameterCombination",
        )

    async def test_next_token_never_issued(self) -> None:
        await self.assertError(
            q("DescribeInstances", {"NextToken": "bm90LWEtdG9rZW4"}), "InvalidPaginationToken"
        )

    async def test_unknown_filter(self) -> None:
        message = await self.assertError(
            q("DescribeInstances", {"Filter.1.Name": "flavour", "Filter.1.Value.1": "x"}),
            "InvalidParameterValue",
        )
        self.assertIn("flavour", message)

    async def test_duplicate_parameters(self) -> None:
        body = (
            b"Action=DescribeInstances&Version=2016-11-15"
            b"&InstanceId.1=i-00000001&InstanceId.1=i-00000002"
        )
        message = await self.assertError({}, "InvalidParameterValue", body=body)
        self.assertIn("InstanceId.1", message)

    async def test_body_not_form_encoded(self) -> None:
        await self.assertError(
            {}, "InvalidQueryParameter", body=b'{"Action": "x"}', content_type="application/json"
        )

    async def test_non_utf8_bytes(self) -> None:
        for body in (b"Action=Describe\xffRegions&Version=1", b"Action=Describe%FFRegions&Version=1"):
            await self.assertError({}, "InvalidQueryParameter", body=body)

    async def test_server_keeps_serving_after_bad_input(self) -> None:
        await self.assertError({}, "InvalidQueryParameter", body=b"\xff\xfe\x00")
        status, _, _ = await self.call(q("DescribeRegions"))
        self.assertEqual(status, 200)
