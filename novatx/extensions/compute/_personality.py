"""
Personality files (to 2.56): nova no longer injects them, but it still checks
a create's or a rebuild's list against the project's injected-file quotas, so
a client sees the same 400s and 403s. The files themselves are not kept.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Sequence

from novatx.compute import exceptions
from novatx.extensions.compute import _quotas


def _decoded(contents: str) -> bytes:
    """The file's bytes; nova's 400 for contents that are not base64."""
    try:
        return base64.b64decode(contents, validate=True)
    except (binascii.Error, ValueError):
        raise exceptions.Invalid(
            "Invalid input for field/attribute contents. Value: %s. '%s' is not a 'base64'"
            % (contents, contents)
        ) from None


async def check_personality(compute: Any, context: Any, files: Sequence[dict[str, Any]]) -> None:
    """
    Refuse what nova refuses: contents that are not base64 (400), then more
    files, longer paths or larger contents than the project's quotas allow
    (403, nova's C{OnsetFile*LimitExceeded} messages).
    """
    sizes = [(str(item.get("path", "")), len(_decoded(item.get("contents", ""))))
             for item in files]
    if not sizes:
        return
    quotas = await compute.get_quotas(context, context.project_id)
    most = _quotas.limit_of(quotas, "injected_files")
    if 0 <= most < len(sizes):
        raise exceptions.OverLimit("Personality file limit exceeded")
    longest = _quotas.limit_of(quotas, "injected_file_path_bytes")
    largest = _quotas.limit_of(quotas, "injected_file_content_bytes")
    for path, size in sizes:
        if 0 <= longest < len(path):
            raise exceptions.OverLimit("Personality file path exceeds maximum %d" % longest)
        if 0 <= largest < size:
            raise exceptions.OverLimit("Personality file content exceeds maximum %d" % largest)
