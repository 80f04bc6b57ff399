"""
The EC2 Query API's built-in actions, each an extension.

The front (C{ec2-front}) owns the one route and dispatches on C{Action} to the
L{novatx.extensions.interfaces.IEC2Action} extensions, whose alias is the
action's name; a plugin adds an action by declaring another one under the
C{novatx.api.ec2.extensions} entry points.
"""

#: Aliases without which the EC2 API refuses to start: the front, and the
#: actions boto3's instance and key pair lifecycle cannot do without.
CORE_ALIASES: tuple[str, ...] = (
    "ec2-front",
    "DescribeInstances",
    "RunInstances",
    "TerminateInstances",
)
