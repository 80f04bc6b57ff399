"""
C{MaxResults}/C{NextToken} paging for the Describe actions.

The token carries where the previous page ended and a digest of the request it
belongs to (the action, caller and parameters other than the paging ones), so a
token is refused with another query, another caller, or when it was never
issued at all. It needs no state on the server: whichever worker answers the
next page can read it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Callable, Mapping, Sequence

import attrs

from novatx.extensions.ec2.errors import EC2Error, combination
from novatx.extensions.ec2.params import integer

_PAGING_KEYS = frozenset(
    ("MaxResults", "NextToken", "Action", "Version", "AWSAccessKeyId", "Signature", "Timestamp",
     "SignatureVersion", "SignatureMethod", "Expires")
)


def invalid_token() -> EC2Error:
    return EC2Error(
        "InvalidPaginationToken", "The pagination token is not valid for this request."
    )


def _digest(action: str, caller: str, params: Mapping[str, str]) -> str:
    kept = sorted(
        (k, v) for k, v in params.items() if k not in _PAGING_KEYS and not k.startswith("X-Amz-")
    )
    text = json.dumps([action, caller, kept])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@attrs.frozen
class Paging:
    """
    One request's paging: how many items at most, and after which position.

    @ivar after: the sort key of the last item of the previous page, or None.
    @ivar digest: what the request's tokens are tied to (empty when it has no
        paging: only a request with C{MaxResults} issues tokens).
    """

    limit: int | None
    after: Any
    digest: str

    @classmethod
    def read(
        cls,
        action: str,
        caller: str,
        params: Mapping[str, str],
        minimum: int = 5,
        maximum: int = 1000,
        exclusive: Sequence[str] = (),
    ) -> "Paging":
        """
        @param exclusive: parameters that may not come with C{MaxResults}
            (DescribeInstances refuses it beside C{InstanceId.N}).
        @raise EC2Error: C{InvalidParameterValue} for C{MaxResults} out of
            bounds, C{InvalidParameterCombination}, C{InvalidPaginationToken}.
        """
        limit = integer(params, "MaxResults", None, minimum, maximum)
        if limit is not None:
            for prefix in exclusive:
                if any(key.startswith(prefix + ".") for key in params):
                    raise combination(
                        "The parameter %s cannot be used with the parameter MaxResults"
                        % (prefix,)
                    )
        token = params.get("NextToken")
        if limit is None and not token:
            return cls(None, None, "")
        digest = _digest(action, caller, params)
        after = _read_token(token, digest) if token else None
        return cls(limit, after, digest)

    def page(self, items: Sequence[Any], key: Callable[[Any], Any]) -> tuple[list[Any], str | None]:
        """
        The items of this page (C{items} sorted by C{key}) and the token of the
        next one, or None when this is the last page.
        """
        if self.after is not None:
            items = [item for item in items if key(item) > self.after]
        if self.limit is None or len(items) <= self.limit:
            return list(items), None
        page = list(items[: self.limit])
        return page, _make_token(key(page[-1]), self.digest)


def _mac(body: bytes) -> str:
    return hmac.new(b"novatx-ec2-paging", body, hashlib.sha256).hexdigest()[:16]


def _make_token(after: Any, digest: str) -> str:
    body = json.dumps([after, digest]).encode("utf-8")
    return base64.urlsafe_b64encode(body).decode("ascii") + "." + _mac(body)


def _read_token(token: str, digest: str) -> Any:
    encoded, _, mac = token.rpartition(".")
    try:
        body = base64.urlsafe_b64decode(encoded.encode("ascii"))
        if not hmac.compare_digest(_mac(body), mac):
            raise invalid_token()
        after, token_digest = json.loads(body)
    except (ValueError, TypeError, UnicodeError):
        raise invalid_token() from None
    if token_digest != digest:
        raise invalid_token()
    return after
