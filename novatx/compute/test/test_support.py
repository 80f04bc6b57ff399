"""
The test support itself: a test object may run more than once, as
C{trial -u} runs it, and gets a database of its own every time.
"""

from __future__ import annotations

from twisted.trial.reporter import TestResult
from twisted.trial.unittest import SynchronousTestCase, TestCase

from novatx.compute.test.support import ServiceMixin


class RepeatedRunTests(SynchronousTestCase):
    def test_a_store_test_runs_twice_on_one_object(self) -> None:
        urls = []

        class OnPostgreSQL(ServiceMixin, TestCase):
            backend = "postgresql"
            timeout = 30

            async def test_store(self) -> None:
                service = await self.start_service()
                urls.append(self.database_url())
                await self.cirros(service)

        case = OnPostgreSQL("test_store")
        for _ in range(2):
            result = TestResult()
            case.run(result)
            self.assertEqual((result.errors, result.failures, result.successes), ([], [], 1))
        self.assertEqual(len(set(urls)), 2)
