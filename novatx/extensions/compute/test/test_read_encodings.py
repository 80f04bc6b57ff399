"""
Tests for L{novatx.extensions.compute._read_encodings}: encodings are shared
by the requests of one read only.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from novatx.compute.records import Page
from novatx.extensions.compute._read_encodings import ReadEncodings


class ReadEncodingsTests(SynchronousTestCase):
    def test_one_read_shares_its_encodings_by_shape(self):
        encodings, page = ReadEncodings(), Page(items=())
        encodings.keep(page, "2.1", b"a")
        encodings.keep(page, "2.73", b"b")
        self.assertEqual(encodings.get(page, "2.1"), b"a")
        self.assertEqual(encodings.get(page, "2.73"), b"b")
        self.assertIsNone(encodings.get(page, "latest"))

    def test_another_read_shares_nothing_even_when_equal(self):
        encodings, first, second = ReadEncodings(), Page(items=()), Page(items=())
        self.assertEqual(first, second)
        encodings.keep(first, "2.1", b"a")
        self.assertIsNone(encodings.get(second, "2.1"))
        encodings.keep(second, "2.1", b"c")
        self.assertIsNone(encodings.get(first, "2.1"))
        self.assertEqual(encodings.get(second, "2.1"), b"c")

    def test_shapes_kept_per_read_are_bounded(self):
        encodings, page = ReadEncodings(), Page(items=())
        for n in range(ReadEncodings.MAX_SHAPES + 5):
            encodings.keep(page, n, b"%d" % n)
        kept = [n for n in range(ReadEncodings.MAX_SHAPES + 5) if encodings.get(page, n) is not None]
        self.assertEqual(kept, list(range(ReadEncodings.MAX_SHAPES)))
