"""
The user's test in docs/behaviours.md runs as written, against a compute API
with behaviours enabled and the controlled clock, as the doc configures it,
so the documented example stays true.
"""

from __future__ import annotations

import os
import re

from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

import novatx
from novatx.extensions.compute.test._servers_kit import fast_config
from novatx.test.helpers import serve_api

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(novatx.__file__))),
                   "docs", "behaviours.md")


def _example() -> str:
    """The Python block of the doc's section on the user's test."""
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## A user's test", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


class DocumentedExampleTests(TestCase):
    timeout = 120

    async def test_the_documented_user_test_passes(self):
        conf = fast_config()
        conf.set_override("enabled", True, "behaviours")
        conf.set_override("clock", "controlled", "behaviours")
        served = await serve_api(self, "osapi_compute", conf)
        namespace: dict = {}
        exec(compile(_example(), DOC, "exec"), namespace)
        await deferToThread(namespace["test_the_orchestrator_retries_a_failed_build"],
                            served.url + "/v2.1")
        self.assertEqual([], await served.compute.api.behaviours.list())
