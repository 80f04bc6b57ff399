"""
Helpers for users' own test suites against a novatx with behaviours enabled.

L{Behaviours} speaks to the control API (C{/behaviours} on the compute API)
with the standard library only, so a test suite needs nothing else installed
beside novatx::

    with Behaviours("http://127.0.0.1:8774/v2.1", token) as behaviours:
        behaviours.add("create_error", project_id=project,
                       params={"message": "No valid host was found."})
        ...  # the next create of the project ends in ERROR

Leaving the C{with} block removes every behaviour of the projects it added
to, so a test leaves none behind for the next one. With the controlled clock
(C{[behaviours] clock = controlled}), L{Behaviours.advance} moves the
daemon's time and returns once what fell due is done.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

__all__ = ["BehaviourError", "Behaviours"]


class BehaviourError(Exception):
    """The control API refused a request; C{status} and its message say why."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__("%d: %s" % (status, message))


class Behaviours:
    """
    A client of the behaviours control API.

    @param url: the compute API's versioned root (C{http://host:8774/v2.1}).
    @param token: the C{X-Auth-Token} of a caller the policy lets manage
        behaviours (an admin by default).
    @param timeout: seconds to wait for each answer.
    """

    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/") + "/behaviours"
        self.token = token
        self.timeout = timeout
        self._projects: set[str | None] = set()

    def _call(self, method: str, query: dict[str, str] | None = None,
              body: Any = None, suffix: str = "") -> Any:
        url = self.url + suffix
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "X-Auth-Token": self.token, "Accept": "application/json",
            "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                content = response.read()
        except urllib.error.HTTPError as e:
            raise BehaviourError(e.code, _message(e.read())) from None
        return json.loads(content) if content else None

    def add(self, effect: str, project_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """
        Make a behaviour (see docs/behaviours.md for the fields: C{params},
        C{count}, C{times}, C{path}, C{server_name}...); returns it as the
        control API shows it. C{project_id} defaults to the token's project.
        """
        behaviour = dict(fields, effect=effect)
        if project_id is not None:
            behaviour["project_id"] = project_id
        made = self._call("POST", body={"behaviour": behaviour})["behaviour"]
        self._projects.add(made["project_id"])
        return made

    def list(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """The behaviours (of one project, or all) with C{fired} and C{remaining}."""
        query = {"project_id": project_id} if project_id is not None else None
        return self._call("GET", query=query)["behaviours"]

    def remove(self, behaviour_id: str) -> None:
        """Remove one behaviour."""
        self._call("DELETE", suffix="/" + urllib.parse.quote(behaviour_id, safe=""))

    def clear(self, project_id: str | None = None) -> None:
        """Remove every behaviour of a project (default: the token's)."""
        query = {"project_id": project_id} if project_id is not None else None
        self._call("DELETE", query=query)

    def clock(self) -> dict[str, Any]:
        """The daemon's clock: C{mode}, C{now} (ISO 8601) and C{seconds}."""
        return self._call("GET", suffix="/clock")["clock"]

    def advance(self, seconds: float) -> dict[str, Any]:
        """
        Move the controlled clock C{seconds} forward; returns the clock once
        the transitions that fell due are done.
        """
        return self._call("POST", body={"advance": seconds}, suffix="/clock")["clock"]

    def set_clock(self, when: str) -> dict[str, Any]:
        """Move the controlled clock to C{when} (ISO 8601, never backwards); as L{advance}."""
        return self._call("POST", body={"set": when}, suffix="/clock")["clock"]

    def __enter__(self) -> "Behaviours":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for project_id in sorted(self._projects, key=str):
            self.clear(project_id)
        self._projects.clear()


def _message(content: bytes) -> str:
    """The message of a nova fault body, or the body itself."""
    try:
        document = json.loads(content)
        [fault] = document.values()
        return str(fault["message"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return content.decode("utf-8", "replace").strip()
