"""
Policy: defaults in code, an operator's YAML overriding them, 403 in nova's
words, and the oslo.policy tools finding novatx's rules.
"""

from __future__ import annotations

import json
import os
import sys

from oslo_policy.policy import DocumentedRuleDefault, RuleDefault
from twisted.internet.defer import inlineCallbacks
from twisted.internet.task import Clock
from twisted.internet.utils import getProcessOutputAndValue
from twisted.trial.unittest import TestCase
from zope.interface import implementer

from novatx.compute.context import RequestContext
from novatx.config import make_config
from novatx.extensions.test.test_example_plugin import ensure_installed
from novatx.extensions.interfaces import Action, IPolicyDefaultsProvider, Route
from novatx.resources.policy import Policy, PolicyNotAuthorized, credentials
from novatx.resources.request import APIRequest
from novatx.resources.test._routerkit import Resourceful, serve, user_headers
from novatx.test.helpers import noauth_headers, serve_api


@implementer(IPolicyDefaultsProvider)
class Guarded(Resourceful):
    """Routes and an action guarded by nova-style rules."""

    def __init__(self):
        def show(request, owner):
            request.authorize("things:show", {"project_id": owner})
            return {"owner": owner}

        super().__init__(
            "things",
            [
                Route("/things", ("GET",), lambda r: {"things": []}, "things.index", policy="things:index"),
                Route("/things", ("POST",), lambda r: {"made": True}, "things.create", policy="things:create"),
                Route("/things/<owner>", ("GET",), show, "things.show"),
                Route("/admin", ("GET",), lambda r: {"admin": True}, "things.admin", policy="things:admin"),
            ],
            {"things": [Action("poke", lambda r, i, b: None, policy="things:poke")]},
        )

    def policies(self):
        return [
            DocumentedRuleDefault("things:index", "rule:project_reader_or_admin", "List things",
                                  [{"method": "GET", "path": "/things"}]),
            RuleDefault("things:create", "rule:project_member_or_admin"),
            RuleDefault("things:show", "rule:project_reader_or_admin"),
            RuleDefault("things:admin", "rule:admin_api"),
            RuleDefault("things:poke", "rule:project_member_or_admin"),
        ]


def _policy_file(testcase, text):
    path = testcase.mktemp() + ".yaml"
    with open(path, "w") as f:
        f.write(text)
    conf = make_config([])
    conf.set_override("policy_file", os.path.abspath(path), group="oslo_policy")
    return conf


class DefaultsTests(TestCase):
    @inlineCallbacks
    def _code(self, served, method, path, roles="member", project="p1", body=None):
        headers = user_headers(project=project, roles=roles, **{"Content-Type": "application/json"})
        response = yield served.client.request(method, served.url + path, headers=headers, data=body)
        content = yield response.json() if response.code != 202 else response.content()
        return response.code, content

    @inlineCallbacks
    def test_members_pass_member_rules_and_not_admin_ones(self):
        served = serve(self, [Guarded()])
        self.assertEqual((yield self._code(served, "GET", "/v2.1/things"))[0], 200)
        self.assertEqual((yield self._code(served, "POST", "/v2.1/things"))[0], 200)
        code, body = yield self._code(served, "GET", "/v2.1/admin")
        self.assertEqual(code, 403)
        self.assertEqual(
            body, {"forbidden": {"code": 403, "message": "Policy doesn't allow things:admin to be performed."}}
        )
        self.assertEqual((yield self._code(served, "GET", "/v2.1/admin", roles="admin"))[0], 200)

    @inlineCallbacks
    def test_handler_checks_a_target_it_loaded(self):
        served = serve(self, [Guarded()])
        self.assertEqual((yield self._code(served, "GET", "/v2.1/things/p1"))[0], 200)
        code, body = yield self._code(served, "GET", "/v2.1/things/p2")
        self.assertEqual(code, 403)
        self.assertEqual(body["forbidden"]["message"], "Policy doesn't allow things:show to be performed.")
        self.assertEqual((yield self._code(served, "GET", "/v2.1/things/p2", roles="admin"))[0], 200)

    def test_roles_imply_as_keystone_does(self):
        self.assertEqual(credentials(RequestContext("u", "p", roles=("member",)))["roles"], ["member", "reader"])
        self.assertEqual(credentials(RequestContext("u", "p", roles=("Member",)))["roles"], ["Member", "reader"])
        self.assertEqual(
            credentials(RequestContext("u", "p", is_admin=True))["roles"], ["admin", "member", "reader"]
        )

    def test_check_raises_not_authorized(self):
        policy = Policy(make_config([]), Guarded().policies())
        reader = RequestContext("u", "p", roles=("reader",))
        policy.check("things:index", reader)
        error = self.assertRaises(PolicyNotAuthorized, policy.check, "things:create", reader)
        self.assertEqual(str(error), "Policy doesn't allow things:create to be performed.")

    def test_allows_answers_what_check_decides(self):
        policy = Policy(make_config([]), Guarded().policies())
        reader = RequestContext("u", "p", roles=("reader",))
        admin = RequestContext("a", "p", is_admin=True)
        for _ in range(2):
            self.assertEqual((True, False, True), (
                policy.allows("things:index", reader), policy.allows("things:create", reader),
                policy.allows("things:create", admin)))

    def test_a_request_allows_with_or_without_an_answering_policy(self):
        policy = Policy(make_config([]), Guarded().policies())
        reader = RequestContext("u", "p", roles=("reader",))
        answering = APIRequest(reader, None, None, {}, "GET", "/", None, None, "http://h/v2.1",
                               policy=policy.check, permits=policy.allows)
        raising = APIRequest(reader, None, None, {}, "GET", "/", None, None, "http://h/v2.1",
                             policy=policy.check)
        for request in (answering, raising):
            self.assertEqual((True, False), (request.allows("things:index"),
                                             request.allows("things:create")))


    def test_a_decision_on_the_callers_own_is_not_taken_for_another_target(self):
        policy = Policy(make_config([]), [])
        member = RequestContext("u", "p1", roles=("member",))
        for _ in range(2):
            policy.check("project_member_api", member)
            policy.check("project_member_api", member, {"project_id": "p1", "user_id": "u"})
            self.assertRaises(
                PolicyNotAuthorized, policy.check, "project_member_api", member, {"project_id": "p2"}
            )


class PolicyFileTests(TestCase):
    @inlineCallbacks
    def test_operator_file_denies_a_rule(self):
        conf = _policy_file(self, '"things:create": "!"\n"things:poke": "role:admin"\n')
        served = serve(self, [Guarded()], conf=conf)
        response = yield served.client.post(served.url + "/v2.1/things", headers=user_headers(roles="admin"))
        body = yield response.json()
        self.assertEqual(response.code, 403)
        self.assertEqual(body["forbidden"]["message"], "Policy doesn't allow things:create to be performed.")
        response = yield served.client.post(
            served.url + "/v2.1/things/t1/action", data=b'{"poke": null}', headers=user_headers()
        )
        self.assertEqual(response.code, 403)
        yield response.content()
        response = yield served.client.post(
            served.url + "/v2.1/things/t1/action", data=b'{"poke": null}', headers=user_headers(roles="admin")
        )
        self.assertEqual(response.code, 202)
        yield response.content()
        response = yield served.client.get(served.url + "/v2.1/things", headers=user_headers())
        self.assertEqual(response.code, 200)
        yield response.content()

    @inlineCallbacks
    def test_operator_file_opens_an_admin_rule(self):
        conf = _policy_file(self, '"things:admin": "role:member"\n')
        served = serve(self, [Guarded()], conf=conf)
        response = yield served.client.get(served.url + "/v2.1/admin", headers=user_headers())
        self.assertEqual(response.code, 200)
        yield response.content()


class PolicyFileThroughThePipelineTests(TestCase):
    """An operator's file over nova's and a plugin's rules, in the packaged noauth2 pipeline."""

    @inlineCallbacks
    def test_denied_rules_are_403_and_change_nothing(self):
        yield ensure_installed(self)
        conf = _policy_file(self, '"os_compute_api:servers:create": "!"\n"example:colours:index": "role:admin"\n')
        served = yield serve_api(self, "osapi_compute", conf)
        images = yield served.compute.api.list_images(RequestContext("alice", "p1"))
        body = json.dumps({"server": {"name": "no", "flavorRef": "1",
                                      "imageRef": images.items[0].id, "networks": "none"}})
        for user in ("alice", "admin"):
            response = yield served.client.post(
                served.url + "/v2.1/servers", data=body.encode(), headers=noauth_headers(user, "p1", "2.37")
            )
            self.assertEqual((user, response.code), (user, 403))
            self.assertEqual(
                (yield response.json()),
                {"forbidden": {"code": 403,
                               "message": "Policy doesn't allow os_compute_api:servers:create to be performed."}},
            )
        response = yield served.client.get(served.url + "/v2.1/servers", headers=noauth_headers("alice", "p1"))
        self.assertEqual((response.code, (yield response.json())), (200, {"servers": []}))
        response = yield served.client.get(served.url + "/v2.1/example-colours", headers=noauth_headers("alice", "p1"))
        self.assertEqual(response.code, 403)
        yield response.content()
        response = yield served.client.get(served.url + "/v2.1/example-colours", headers=noauth_headers("admin", "p1"))
        self.assertEqual(response.code, 200)
        yield response.content()


class RefreshTests(TestCase):
    def test_a_changed_file_applies_after_the_refresh_interval(self):
        conf = _policy_file(self, '"things:index": "@"\n')
        clock = Clock()
        policy = Policy(conf, Guarded().policies(), clock)
        caller = RequestContext("u", "p", roles=("member",))
        policy.check("things:index", caller)
        with open(conf.oslo_policy.policy_file, "w") as f:
            f.write('"things:index": "!"\n')
        later = os.stat(conf.oslo_policy.policy_file).st_mtime + 10
        os.utime(conf.oslo_policy.policy_file, (later, later))
        policy.check("things:index", caller)
        clock.advance(Policy.REFRESH_SECONDS)
        self.assertRaises(PolicyNotAuthorized, policy.check, "things:index", caller)


class ToolsTests(TestCase):
    @inlineCallbacks
    def run_tool(self, name):
        """oslo.policy's C{name} over the C{novatx} namespace: its output (it must succeed)."""
        tool = os.path.join(os.path.dirname(sys.executable), name)
        cwd = self.mktemp()
        os.makedirs(cwd)
        out, err, code = yield getProcessOutputAndValue(
            tool, ["--namespace", "novatx"], env=dict(os.environ), path=cwd
        )
        self.assertEqual(code, 0, err)
        return out

    @inlineCallbacks
    def test_sample_generator_lists_the_base_rules(self):
        out = yield self.run_tool("oslopolicy-sample-generator")
        self.assertIn(b'#"project_member_or_admin": "rule:project_member_api or rule:context_is_admin"', out)
        self.assertIn(b'#"context_is_admin": "role:admin"', out)

    @inlineCallbacks
    def test_sample_generator_lists_every_installed_extensions_rules(self):
        yield ensure_installed(self)
        out = yield self.run_tool("oslopolicy-sample-generator")
        for line in (
            b'#"os_compute_api:servers:create": "rule:project_member_or_admin"',
            b'#"os_compute_api:servers:index:get_all_tenants": "rule:admin_api"',
            b'#"example:colours:index": "rule:project_reader_or_admin"',
            b'#"example:servers:describe_colour": "rule:project_reader_or_admin"',
        ):
            self.assertIn(line, out.splitlines())

    @inlineCallbacks
    def test_policy_generator_finds_the_enforcer(self):
        out = yield self.run_tool("oslopolicy-policy-generator")
        self.assertIn(b'"admin_api": "is_admin:True"', out)


#: Run in a fresh interpreter: build the policy of every installed extension,
#: decide a rule, then parse an operator's http check; print what was imported.
_PLUGIN_PROBE = """
import sys
from oslo_policy import _parser
from novatx.compute.context import RequestContext
from novatx.config import make_config
from novatx.resources.policy import BASE_RULES, Policy, list_rules
policy = Policy(make_config([]), list_rules()[len(BASE_RULES):])
policy.check("os_compute_api:servers:index", RequestContext(user_id="u", project_id="p", roles=("member",)))
print("after defaults:", "requests" in sys.modules)
check = _parser.parse_rule("http://127.0.0.1:9/decide")
print("http check:", type(check).__name__, "requests" in sys.modules)
"""


class RuleCheckPluginTests(TestCase):
    """oslo.policy's check plugins are imported when a rule names one, not before."""

    @inlineCallbacks
    def test_http_check_imported_when_used(self):
        out, err, code = yield getProcessOutputAndValue(
            sys.executable, ["-c", _PLUGIN_PROBE], env=dict(os.environ)
        )
        self.assertEqual(code, 0, err)
        self.assertEqual(out.decode().splitlines(),
                         ["after defaults: False", "http check: HttpCheck True"])
