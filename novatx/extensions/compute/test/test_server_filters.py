"""
A listing's query from its parameters: a listing without any gets the query
the general path would give it.
"""

from __future__ import annotations

from twisted.trial.unittest import TestCase

from novatx.compute.context import RequestContext
from novatx.compute.interfaces import ServerQuery
from novatx.extensions.compute.server_filters import build_query
from novatx.extensions.interfaces import APIVersion

MEMBER = RequestContext(user_id="u", project_id="p", roles=("member",))
ADMIN = RequestContext(user_id="a", project_id="p", is_admin=True, roles=("admin",))


class BuildQueryTests(TestCase):
    def test_no_parameters_is_the_general_path_s_query_at_the_limit(self):
        for context in (MEMBER, ADMIN):
            for version in (APIVersion(2, 1), APIVersion(2, 100)):
                unfiltered = build_query({}, version, context, 1000)
                self.assertEqual((ServerQuery(limit=1000), 1000), unfiltered)
                self.assertEqual(build_query({"limit": ["1000"]}, version, context, 1000),
                                 unfiltered)
        self.assertEqual((ServerQuery(limit=50), 50), build_query({}, APIVersion(2, 1), MEMBER, 50))
