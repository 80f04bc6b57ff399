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
from novatx.extensions.numbers import MAX_DIGITS, NotDigits, parse_digits


def _lines(length: int | str | None) -> int | None:
    """How many lines C{length} (the schema let it through) asks for; None: all."""
    if isinstance(length, str):
        try:
            length = parse_digits(length, signed=True)
        except NotDigits:
            raise Invalid("Invalid input for field/attribute length. Value: %s. "
                          "It must be an integer of at most %d ASCII digits."
                          % (length[:MAX_DIGITS], MAX_DIGITS)) from None
    if length is None or length == -1:
        return None
    return length


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
