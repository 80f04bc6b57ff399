"""
C{os-console-output}: the C{os-getConsoleOutput} action, the last C{length}
lines of the server's boot log (all of it for C{null} or -1).
"""

from __future__ import annotations

from typing import Any

from novatx.compute.exceptions import Invalid
from novatx.extensions.compute._extension import ComputeResource, deferred
from novatx.extensions.compute.policies import servers as policies
from novatx.extensions.compute.schemas import servers as schemas
from novatx.extensions.interfaces import Action


#: More digits than any log has lines; Python refuses to read past 4300.
MAX_LENGTH_DIGITS = 18


def _lines(length: int | str | None) -> int | None:
    """How many lines C{length} (the schema let it through) asks for; None: all."""
    if isinstance(length, str) and len(length.lstrip("-")) > MAX_LENGTH_DIGITS:
        raise Invalid("Invalid input for field/attribute length. Value: %s... has more than %d digits."
                      % (length[:MAX_LENGTH_DIGITS], MAX_LENGTH_DIGITS))
    if length is None or int(length) == -1:
        return None
    return int(length)


class ConsoleOutput(ComputeResource):
    """Read a server's console log."""

    name = "ConsoleOutput"
    alias = "os-console-output"
    policy_defaults = policies.console_output_rules()

    def actions(self) -> dict[str, list[Action]]:
        return {
            "servers": [
                Action("os-getConsoleOutput", self.console_output, schema=schemas.console_output,
                       policy=policies.CONSOLE_OUTPUT, status=200),
            ]
        }

    @deferred
    async def console_output(self, request: Any, server_id: str, body: dict) -> dict:
        lines = _lines(body.get("length"))
        output = await self.compute.get_console_output(request.context, server_id, length=lines)
        return {"output": output}
