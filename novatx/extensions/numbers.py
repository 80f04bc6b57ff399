"""
Whole numbers read from request text: ASCII digits and nothing else.

Python's C{int()} is generous: it takes C{" 12 "}, C{"1_000"}, C{"+5"}, the
digits of every script (C{"\\u0663"}, Arabic-Indic three, is 3) and refuses
digits that C{str.isdigit()} accepts (C{"\\u00b2"}, superscript two). A client
that sends any of those meant something no API documents, so every API reads
its limits, markers, counts, TTLs and signature fields through L{parse_digits},
which accepts exactly what a reader of the API reference would type, and
refuses the rest with one exception its caller turns into the API's own 4xx.
"""

from __future__ import annotations

import re

_UNSIGNED = re.compile(r"[0-9]+\Z")
_SIGNED = re.compile(r"-?[0-9]+\Z")

#: More digits than any count or size an API takes; Python also refuses to
#: convert more than 4300 digits, so a longer text is refused before C{int()}.
MAX_DIGITS = 18


class NotDigits(ValueError):
    """The text is not a whole number written in ASCII digits."""


def parse_digits(text: str, signed: bool = False, max_digits: int = MAX_DIGITS) -> int:
    """
    C{text} as an integer when it is ASCII digits only (after one C{-} when
    C{signed}), with at most C{max_digits} of them.

    @raise NotDigits: anything else, including spaces, signs, underscores,
        other scripts' digits and an empty text.
    """
    pattern = _SIGNED if signed else _UNSIGNED
    if not pattern.match(text) or len(text.lstrip("-")) > max_digits:
        raise NotDigits(text)
    return int(text)


def is_digits(text: str) -> bool:
    """Whether C{text} is one or more ASCII digits and nothing else."""
    return _UNSIGNED.match(text) is not None
