"""AWS's Query parameters: form decoding, list rules, duplicates, bad bytes."""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from novatx.extensions.ec2 import params as P
from novatx.extensions.ec2.errors import EC2Error


class DecodingTests(SynchronousTestCase):
    def test_plus_and_percent_decode(self) -> None:
        self.assertEqual(
            P.parse_pairs(b"Name=a+b%2Bc&Empty=&Bare&&X=%C3%A9"),
            [("Name", "a b+c"), ("Empty", ""), ("Bare", ""), ("X", "é")],
        )

    def test_non_utf8_is_refused(self) -> None:
        error = self.assertRaises(EC2Error, P.parse_pairs, b"Action=%FF%FE")
        self.assertEqual((error.code, error.status), ("InvalidQueryParameter", 400))

    def test_raw_non_utf8_is_refused(self) -> None:
        error = self.assertRaises(EC2Error, P.parse_pairs, b"Action=\xff")
        self.assertEqual(error.code, "InvalidQueryParameter")

    def test_body_must_be_form_encoded(self) -> None:
        error = self.assertRaises(EC2Error, P.body_pairs, "application/json", b'{"Action": "x"}')
        self.assertEqual(error.code, "InvalidQueryParameter")
        self.assertIn("application/json", error.message)

    def test_body_without_content_type_is_read(self) -> None:
        self.assertEqual(P.body_pairs(None, b"Action=A"), [("Action", "A")])

    def test_empty_body_with_any_type(self) -> None:
        self.assertEqual(P.body_pairs("application/json", b""), [])

    def test_duplicate_parameter_is_refused(self) -> None:
        error = self.assertRaises(EC2Error, P.to_dict, [("InstanceId.1", "a"), ("InstanceId.1", "b")])
        self.assertEqual(error.code, "InvalidParameterValue")
        self.assertIn("InstanceId.1", error.message)


class ListTests(SynchronousTestCase):
    def test_member_list_in_index_order(self) -> None:
        params = {"InstanceId.10": "c", "InstanceId.2": "b", "InstanceId.1": "a", "Other": "x"}
        self.assertEqual(P.member_list(params, "InstanceId"), ["a", "b", "c"])

    def test_member_list_refuses_bad_index(self) -> None:
        for key in ("InstanceId.x", "InstanceId.0", "InstanceId.01", "InstanceId.-1",
                    "InstanceId.\u00b2", "InstanceId.\u0661", "InstanceId.1_0", "InstanceId. 1"):
            error = self.assertRaises(EC2Error, P.member_list, {key: "a"}, "InstanceId")
            self.assertEqual(error.code, "InvalidParameterValue")

    def test_filters(self) -> None:
        params = {
            "Filter.2.Name": "tag:Name",
            "Filter.2.Value.1": "web",
            "Filter.1.Name": "instance-state-name",
            "Filter.1.Value.2": "stopped",
            "Filter.1.Value.1": "running",
        }
        self.assertEqual(
            P.filters(params),
            [("instance-state-name", ["running", "stopped"]), ("tag:Name", ["web"])],
        )

    def test_filter_without_values(self) -> None:
        error = self.assertRaises(EC2Error, P.filters, {"Filter.1.Name": "image-id"})
        self.assertEqual(
            (error.code, error.message),
            ("MissingParameter", "The request must contain the parameter Filter.1.Value.1"))

    def test_incomplete_structure(self) -> None:
        error = self.assertRaises(EC2Error, P.structure_list, {"Filter.1": "x"}, "Filter")
        self.assertEqual(error.code, "InvalidParameterValue")

    def test_tags(self) -> None:
        params = {"Tag.1.Key": "a", "Tag.1.Value": "1", "Tag.2.Key": "b"}
        self.assertEqual(P.tags(params), [("a", "1"), ("b", None)])


class ScalarTests(SynchronousTestCase):
    def test_integer_bounds(self) -> None:
        self.assertEqual(P.integer({"MaxResults": "5"}, "MaxResults", None, 5, 1000), 5)
        for text in ("4", "1001", "five", "1_0", " 10 ", "\u0661\u0660", "+10", "10.0"):
            error = self.assertRaises(EC2Error, P.integer, {"MaxResults": text}, "MaxResults", None, 5, 1000)
            self.assertEqual(error.code, "InvalidParameterValue")
            self.assertIn(text, error.message)

    def test_integer_sign(self) -> None:
        self.assertEqual(P.integer({"Count": "-3"}, "Count"), -3)

    def test_required(self) -> None:
        error = self.assertRaises(EC2Error, P.required, {"ImageId": ""}, "ImageId")
        self.assertEqual(error.code, "MissingParameter")

    def test_boolean(self) -> None:
        self.assertTrue(P.boolean({"X": "TRUE"}, "X"))
        self.assertFalse(P.boolean({}, "X"))
        self.assertRaises(EC2Error, P.boolean, {"X": "yes"}, "X")
