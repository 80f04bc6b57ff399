"""
EC2's XML: a response element named after the action, in the API's namespace,
with the C{requestId} first and the action's children after it.

Actions return plain values and this module spells them: a dict is a sequence
of child elements (in its order; C{None} values are left out), a list or tuple
is a run of C{<item>} elements (AWS's C{...Set} shape), a bool is C{true}/C{false},
a datetime is ISO 8601 in UTC with milliseconds. Strings are escaped, except an
L{XML} fragment rendered before; nothing else is accepted, so a record never
leaks into a response by accident. Characters XML 1.0 cannot carry at all (most
control characters), which the compute API's metadata may hold, become U+FFFD:
one such value must not make a project's every Describe unreadable.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from xml.sax.saxutils import escape

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
_PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>\n'


#: What XML 1.0 has no way to write, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """C{text} with the characters XML cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def has_non_xml(text: str) -> bool:
    """Whether C{text} holds a character XML cannot carry."""
    return _NOT_XML.search(text) is not None


def timestamp(moment: datetime.datetime) -> str:
    """AWS's timestamp form, e.g. C{2026-11-25T14:52:21.000Z}."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


class XML(str):
    """Text that is already XML (a fragment rendered before), written as it is."""


def _value(value: Any, out: list[str]) -> None:
    if type(value) is XML:
        out.append(value)
    elif isinstance(value, str):
        out.append(escape(xml_safe(value)))
    elif isinstance(value, dict):
        for name, child in value.items():
            if child is None:
                continue
            out.append("<%s>" % (name,))
            _value(child, out)
            out.append("</%s>" % (name,))
    elif isinstance(value, (list, tuple)):
        for item in value:
            out.append("<item>")
            _value(item, out)
            out.append("</item>")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, datetime.datetime):
        out.append(timestamp(value))
    else:
        raise TypeError("cannot render %r as EC2 XML" % (value,))


def render_fragment(value: Any) -> XML:
    """C{value} rendered once, to be placed in responses as it is."""
    out: list[str] = []
    _value(value, out)
    return XML("".join(out))


def render_response(action: str, request_id: str, children: dict[str, Any]) -> bytes:
    """The whole document of a successful C{action}."""
    out = [
        _PROLOGUE,
        '<%sResponse xmlns="%s"><requestId>%s</requestId>'
        % (action, NAMESPACE, escape(xml_safe(request_id))),
    ]
    _value(children, out)
    out.append("</%sResponse>" % (action,))
    return "".join(out).encode("utf-8")
