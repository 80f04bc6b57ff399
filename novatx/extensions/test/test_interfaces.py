"""
Tests for the records of L{novatx.extensions.interfaces} that handlers compare.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from novatx.extensions.interfaces import APIVersion


class APIVersionOrderTests(SynchronousTestCase):
    """
    Microversions order by major, then minor, numerically (2.10 after 2.9),
    and refuse to be ordered against anything else.
    """

    def test_numeric_order(self) -> None:
        texts = ["2.100", "2.9", "1.0", "2.10", "2.1", "3.0", "2.104"]
        ordered = sorted(APIVersion.parse(text) for text in texts)
        self.assertEqual([str(v) for v in ordered], ["1.0", "2.1", "2.9", "2.10", "2.100", "2.104", "3.0"])

    def test_every_comparison(self) -> None:
        low, high = APIVersion(2, 9), APIVersion(2, 10)
        self.assertEqual(
            [low < high, low <= high, low > high, low >= high, low == high, low != high],
            [True, True, False, False, False, True])
        same = APIVersion(2, 9)
        self.assertEqual([low < same, low <= same, low > same, low >= same, low == same],
                         [False, True, False, True, True])
        self.assertTrue(APIVersion(1, 99) < APIVersion(2, 0))

    def test_other_types_refused(self) -> None:
        with self.assertRaises(TypeError):
            APIVersion(2, 1) < (2, 1)
        self.assertNotEqual(APIVersion(2, 1), (2, 1))

    def test_ranges(self) -> None:
        self.assertTrue(APIVersion(2, 47).matches("2.47", None))
        self.assertFalse(APIVersion(2, 46).matches("2.47", "2.90"))
        self.assertTrue(APIVersion(2, 90).matches(None, APIVersion(2, 90)))
