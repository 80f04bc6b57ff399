"""
An EC2 action: C{DescribeInstanceColours} tells the colour of named instances.

The EC2 Query API has no routes: each action is one extension whose alias is
its C{Action} parameter. It reads the request's parameters (AWS's flat
C{InstanceId.1}, C{InstanceId.2} form), asks the internal API as the signer,
and returns plain values that the EC2 front renders as XML under
C{<DescribeInstanceColoursResponse>} after the C{requestId}: a dict is a run of
child elements, a list a run of C{<item>}s.
"""

from __future__ import annotations

from typing import Any

from zope.interface import implementer

from novatx.compute.exceptions import InstanceNotFound
from novatx.extensions.ec2.errors import EC2Error
from novatx.extensions.interfaces import IAPIRequest, IEC2Action
from novatx_example.palette import DEFAULT_COLOUR, PALETTE
from novatx_example.server_colour import FIELD


def instance_ids(params: dict[str, str]) -> list[str]:
    """The C{InstanceId.N} parameters, in N's order; at least one."""
    numbered = []
    for key, value in params.items():
        prefix, _, number = key.partition(".")
        if prefix == "InstanceId" and number.isdigit():
            numbered.append((int(number), value))
    if not numbered:
        raise EC2Error("MissingParameter",
                       "The request must contain the parameter InstanceId.1")
    return [value for _, value in sorted(numbered)]


def ec2_number(instance_id: str) -> int:
    """The integer behind C{i-0000000a}; an EC2 error for anything else."""
    prefix, _, digits = instance_id.partition("-")
    try:
        if prefix != "i":
            raise ValueError(instance_id)
        return int(digits, 16)
    except ValueError:
        raise EC2Error("InvalidInstanceID.Malformed",
                       "Invalid id: \"%s\" (expecting \"i-...\")" % (instance_id,)) from None


@implementer(IEC2Action)
class DescribeInstanceColours:
    """C{Action=DescribeInstanceColours&InstanceId.1=i-...}: each one's colour."""

    action = "DescribeInstanceColours"
    alias = action
    name = "Describe instance colours"
    version = 1
    api = "ec2"

    def __init__(self) -> None:
        self.compute: Any = None

    def setup(self, context: Any) -> None:
        self.compute = context.compute

    async def __call__(self, request: IAPIRequest, params: dict[str, str]) -> dict[str, Any]:
        """Every named instance is found before anything is answered."""
        numbers = [(instance_id, ec2_number(instance_id)) for instance_id in instance_ids(params)]
        items = []
        for instance_id, number in numbers:
            try:
                instance = await self.compute.get_server_by_ec2_id(request.context, number)
            except InstanceNotFound:
                raise EC2Error("InvalidInstanceID.NotFound",
                               "The instance ID '%s' does not exist" % (instance_id,)) from None
            colour = instance.extra.get(FIELD.name) or DEFAULT_COLOUR
            items.append({"instanceId": instance.ec2_id, "colour": colour, "rgb": PALETTE[colour]})
        return {"instanceColourSet": items}
