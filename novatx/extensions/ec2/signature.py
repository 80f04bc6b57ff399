"""
Reading and checking the signatures EC2 clients put on their requests.

Three forms are understood, as botocore and the aws CLI produce them:

  - Signature Version 4 in the C{Authorization} header
    (C{AWS4-HMAC-SHA256 Credential=AKID/20261125/RegionOne/ec2/aws4_request,
    SignedHeaders=..., Signature=...}) with C{X-Amz-Date};
  - Signature Version 4 in the query string (C{X-Amz-Algorithm}, C{X-Amz-Credential},
    C{X-Amz-Date}, C{X-Amz-Expires}, C{X-Amz-SignedHeaders}, C{X-Amz-Signature});
  - Signature Version 2 (C{AWSAccessKeyId}, C{SignatureVersion=2},
    C{SignatureMethod}, C{Timestamp} or C{Expires}, C{Signature}).

L{read_claim} turns a request into a L{Claim}: who says they signed it, when,
for which scope, and a way to compute the signature a given secret would have
produced. It knows no credentials and no clock: L{novatx.extensions.ec2.auth}
looks the key up, checks the clock window and compares in constant time. Every
malformation is the same L{auth_failure}, so nothing tells a prober which part
was wrong.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping, Sequence
from urllib.parse import quote, unquote_to_bytes

import attrs

from novatx.extensions.ec2.errors import EC2Error, auth_failure
from novatx.extensions.numbers import NotDigits, is_digits, parse_digits

V4_ALGORITHM = "AWS4-HMAC-SHA256"
V4_QUERY_KEYS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)
V2_KEYS = ("AWSAccessKeyId", "SignatureVersion", "SignatureMethod", "Signature")
_V2_DIGESTS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
#: The longest validity a presigned (query-string) request may ask for: 7 days.
MAX_QUERY_EXPIRES = 7 * 24 * 3600


@attrs.frozen
class SignedRequest:
    """
    What a signature covers, taken from the HTTP request as received.

    @ivar host: the C{Host} header exactly as sent (with its port).
    @ivar path: the raw (still percent-encoded) path.
    @ivar query: the raw query string, without C{?}.
    @ivar headers: lowercase header names to all their values.
    @ivar params: every parameter (query string and form body), decoded, in order.
    """

    method: str
    host: str
    path: bytes
    query: bytes
    headers: Mapping[str, Sequence[str]]
    body: bytes
    params: Sequence[tuple[str, str]]

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None


@attrs.frozen
class Claim:
    """
    A request's claim to be signed by C{access}.

    @ivar version: 2 or 4.
    @ivar timestamp: when the client says it signed (POSIX seconds).
    @ivar lifetime: seconds the signature stays valid after C{timestamp} when the
        request says so itself (C{X-Amz-Expires}); C{None} to use the server's window.
    @ivar expires: SigV2's absolute C{Expires} instead of a C{Timestamp}, or C{None}.
    @ivar region: the region of a SigV4 scope (C{None} for SigV2).
    @ivar service: the service of a SigV4 scope (C{None} for SigV2).
    """

    access: str
    version: int
    signature: str
    timestamp: float | None
    compute: Callable[[str], str]
    lifetime: int | None = None
    expires: float | None = None
    region: str | None = None
    service: str | None = None

    def verify(self, secret: str) -> bool:
        """Whether C{secret} produces the claimed signature (constant-time)."""
        expected = self.compute(secret).encode("ascii")
        return hmac.compare_digest(expected, self.signature.encode("ascii", "replace"))


def read_claim(request: SignedRequest) -> Claim | None:
    """
    The signature claim of C{request}, or C{None} if it carries none at all.

    @raise EC2Error: C{AuthFailure} for a signature that is there but malformed.
    """
    authorization = request.header("authorization")
    if authorization is not None:
        return _header_v4(request, authorization)
    names = {key for key, _ in request.params}
    if "X-Amz-Signature" in names or "X-Amz-Credential" in names:
        return _query_v4(request)
    if "Signature" in names or "AWSAccessKeyId" in names:
        return _v2(request)
    return None


# -- Signature Version 4 -------------------------------------------------------


def canonical_query(raw_query: bytes, skip: bytes | None = None) -> str:
    """
    SigV4's canonical query string: each name and value decoded, then encoded
    with only the unreserved characters left bare, sorted by name then value.
    """
    pairs = []
    for chunk in raw_query.split(b"&"):
        if not chunk:
            continue
        key, _, value = chunk.partition(b"=")
        name = unquote_to_bytes(key.replace(b"+", b" "))
        if name == skip:
            continue
        text = unquote_to_bytes(value.replace(b"+", b" "))
        pairs.append((quote(name, safe="-_.~"), quote(text, safe="-_.~")))
    pairs.sort()
    return "&".join("%s=%s" % pair for pair in pairs)


def _canonical_path(raw_path: bytes) -> str:
    return quote(unquote_to_bytes(raw_path) or b"/", safe="/~")


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


#: Derived SigV4 keys by secret, day, region and service (one per key and day).
_signing_keys: dict[tuple[str, str, str, str], bytes] = {}
_SIGNING_KEYS_LIMIT = 1000


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key for one day, region and service (remembered)."""
    cache_key = (secret, date, region, service)
    key = _signing_keys.get(cache_key)
    if key is None:
        key = _hmac(("AWS4" + secret).encode("utf-8"), date)
        key = _hmac(key, region)
        key = _hmac(key, service)
        key = _hmac(key, "aws4_request")
        if len(_signing_keys) >= _SIGNING_KEYS_LIMIT:
            _signing_keys.clear()
        _signing_keys[cache_key] = key
    return key


def _parse_amz_date(text: str | None) -> float:
    """C{20261125T145221Z} as POSIX seconds."""
    if not text or len(text) != 16 or text[8] != "T" or text[15] != "Z":
        raise auth_failure()
    if not is_digits(text[:8] + text[9:15]):
        raise auth_failure()
    try:
        moment = datetime.datetime(
            int(text[0:4]), int(text[4:6]), int(text[6:8]),
            int(text[9:11]), int(text[11:13]), int(text[13:15]),
            tzinfo=datetime.timezone.utc,
        )
    except ValueError:
        raise auth_failure() from None
    return moment.timestamp()


def _scope(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise auth_failure()
    return parts[0], parts[1], parts[2], parts[3]


def _v4_claim(
    request: SignedRequest,
    credential: str,
    signed_headers: str,
    signature: str,
    amz_date: str,
    canonical_query_string: str,
    lifetime: int | None,
) -> Claim:
    access, date, region, service = _scope(credential)
    timestamp = _parse_amz_date(amz_date)
    if amz_date[:8] != date:
        raise auth_failure()
    names = signed_headers.split(";")
    if "host" not in names or any(name != name.lower() or not name for name in names):
        raise auth_failure()
    header_lines = []
    for name in names:
        values = request.headers.get(name)
        if values is None:
            raise auth_failure()
        header_lines.append("%s:%s\n" % (name, ",".join(" ".join(v.split()) for v in values)))
    body_hash = hashlib.sha256(request.body).hexdigest()
    payload_hash = request.header("x-amz-content-sha256")
    if payload_hash is None:
        payload_hash = body_hash
    elif payload_hash != body_hash and (payload_hash != "UNSIGNED-PAYLOAD" or request.body):
        # A declared hash must be the body's: the parameters are in the body,
        # and an unsigned body would let anyone change them.
        raise auth_failure()
    canonical = "\n".join(
        (
            request.method,
            _canonical_path(request.path),
            canonical_query_string,
            "".join(header_lines),
            signed_headers,
            payload_hash,
        )
    )
    string_to_sign = "\n".join(
        (
            V4_ALGORITHM,
            amz_date,
            "/".join((date, region, service, "aws4_request")),
            hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        )
    )

    def compute(secret: str) -> str:
        key = signing_key(secret, date, region, service)
        return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    return Claim(
        access=access,
        version=4,
        signature=signature,
        timestamp=timestamp,
        compute=compute,
        lifetime=lifetime,
        region=region,
        service=service,
    )


def _header_v4(request: SignedRequest, authorization: str) -> Claim:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != V4_ALGORITHM:
        raise auth_failure()
    fields = {}
    for part in rest.split(","):
        name, eq, value = part.strip().partition("=")
        if not eq:
            raise auth_failure()
        fields[name] = value
    try:
        credential = fields["Credential"]
        signed_headers = fields["SignedHeaders"]
        signature = fields["Signature"]
    except KeyError:
        raise auth_failure() from None
    amz_date = request.header("x-amz-date")
    if amz_date is None:
        amz_date = _date_header_as_amz(request.header("date"))
    query = canonical_query(request.query)
    return _v4_claim(request, credential, signed_headers, signature, amz_date, query, None)


def _date_header_as_amz(text: str | None) -> str:
    # parsedate reads its numbers with int(), which takes any script's digits.
    if not text or not text.isascii():
        raise auth_failure()
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise auth_failure() from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _query_v4(request: SignedRequest) -> Claim:
    values: dict[str, str] = {}
    for key, value in request.params:
        if key in V4_QUERY_KEYS:
            if key in values:
                raise auth_failure()
            values[key] = value
    if any(key not in values for key in V4_QUERY_KEYS):
        raise auth_failure()
    if values["X-Amz-Algorithm"] != V4_ALGORITHM:
        raise auth_failure()
    try:
        lifetime = parse_digits(values["X-Amz-Expires"], max_digits=7)
    except NotDigits:
        raise auth_failure() from None
    if not 0 < lifetime <= MAX_QUERY_EXPIRES:
        raise auth_failure()
    query = canonical_query(request.query, skip=b"X-Amz-Signature")
    return _v4_claim(
        request,
        values["X-Amz-Credential"],
        values["X-Amz-SignedHeaders"],
        values["X-Amz-Signature"],
        values["X-Amz-Date"],
        query,
        lifetime,
    )


# -- Signature Version 2 -------------------------------------------------------


def _parse_iso8601(text: str) -> float:
    if not text.isascii():
        raise auth_failure()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise auth_failure() from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _v2(request: SignedRequest) -> Claim:
    params = dict(request.params)
    if len(params) != len(request.params) or any(key not in params for key in V2_KEYS):
        raise auth_failure()
    if params["SignatureVersion"] != "2":
        raise auth_failure()
    digest = _V2_DIGESTS.get(params["SignatureMethod"])
    if digest is None:
        raise auth_failure()
    timestamp = params.get("Timestamp")
    expires = params.get("Expires")
    if (timestamp is None) == (expires is None):
        raise auth_failure()
    pairs = sorted(
        (quote(key, safe="-_.~"), quote(value, safe="-_.~"))
        for key, value in params.items()
        if key != "Signature"
    )
    string_to_sign = "%s\n%s\n%s\n%s" % (
        request.method,
        request.host.lower(),
        request.path.decode("ascii", "replace") or "/",
        "&".join("%s=%s" % pair for pair in pairs),
    )

    def compute(secret: str) -> str:
        mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digest)
        return base64.b64encode(mac.digest()).decode("ascii")

    return Claim(
        access=params["AWSAccessKeyId"],
        version=2,
        signature=params["Signature"],
        timestamp=_parse_iso8601(timestamp) if timestamp is not None else None,
        expires=_parse_iso8601(expires) if expires is not None else None,
        compute=compute,
    )


def missing_token() -> EC2Error:
    """A request with no signature at all."""
    return EC2Error("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
