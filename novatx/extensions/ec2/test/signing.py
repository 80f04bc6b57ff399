"""
Requests signed by botocore itself, for the tests: the signatures under test
are the ones real clients send, not ones this package computes.
"""

from __future__ import annotations

import datetime
from typing import Mapping
from urllib.parse import urlsplit

from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from novatx.extensions.ec2.params import body_pairs, parse_pairs
from novatx.extensions.ec2.signature import SignedRequest

FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


def sign(
    access: str,
    secret: str,
    params: Mapping[str, str],
    url: str = "http://127.0.0.1:8773/",
    method: str = "POST",
    form: str = "header",
    region: str = "RegionOne",
    service: str = "ec2",
    at: datetime.datetime | None = None,
    expires: int = 300,
    body: bytes | None = None,
    content_type: str = FORM_TYPE,
    headers: Mapping[str, str] | None = None,
):
    """
    A botocore-prepared request carrying C{params}, signed with SigV4 in the
    C{header} or C{query} form, or with SigV2 (C{form="v2"}).

    @param at: when to sign (UTC); now by default.
    @param body: a raw body to send (and sign) instead of C{params}.
    @param headers: more headers to sign (a C{Date} makes botocore sign it
        instead of adding C{X-Amz-Date}).
    """
    credentials = Credentials(access, secret)
    if body is not None:
        request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": content_type})
    elif method == "POST":
        request = AWSRequest(
            method=method, url=url, data=dict(params), headers={"Content-Type": FORM_TYPE}
        )
    else:
        request = AWSRequest(method=method, url=url, params=dict(params))
    for name, value in (headers or {}).items():
        request.headers[name] = value
    if form == "header":
        signer = botocore_auth.SigV4Auth(credentials, service, region)
    elif form == "query":
        signer = botocore_auth.SigV4QueryAuth(credentials, service, region, expires=expires)
    else:
        signer = botocore_auth.SigV2Auth(credentials)
    if at is None:
        signer.add_auth(request)
    elif form == "v2":
        _add_v2_auth_at(signer, request, access, at)
    else:
        original = botocore_auth.get_current_datetime
        botocore_auth.get_current_datetime = lambda: at.replace(tzinfo=None)
        try:
            signer.add_auth(request)
        finally:
            botocore_auth.get_current_datetime = original
    return request.prepare()


def _add_v2_auth_at(signer, request, access: str, at: datetime.datetime) -> None:
    """botocore's SigV2 computation, with a timestamp of our choosing."""
    params = request.data if request.data else request.params
    params["AWSAccessKeyId"] = access
    params["SignatureVersion"] = "2"
    params["SignatureMethod"] = "HmacSHA256"
    params["Timestamp"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    params["Signature"] = signer.calc_signature(request, params)[1]


def sign_v2_expires(
    access: str,
    secret: str,
    until: datetime.datetime,
    params: Mapping[str, str] = {"Action": "DescribeRegions", "Version": "2016-11-15"},
    url: str = "http://127.0.0.1:8773/",
):
    """A SigV2 GET (botocore's signature) with C{Expires} at C{until}, not C{Timestamp}."""
    request = AWSRequest(method="GET", url=url, params=dict(params))
    request.params.update(
        AWSAccessKeyId=access,
        SignatureVersion="2",
        SignatureMethod="HmacSHA256",
        Expires=until.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    signer = botocore_auth.SigV2Auth(Credentials(access, secret))
    request.params["Signature"] = signer.calc_signature(request, request.params)[1]
    return request.prepare()


def as_signed_request(prepared) -> SignedRequest:
    """The L{SignedRequest} a server would read from C{prepared}."""
    parts = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {name.lower(): [value] for name, value in prepared.headers.items()}
    headers.setdefault("host", [parts.netloc])
    query = parts.query.encode("ascii")
    pairs = parse_pairs(query)
    if prepared.method == "POST":
        pairs += body_pairs(headers.get("content-type", [None])[0], body)
    return SignedRequest(
        method=prepared.method,
        host=headers["host"][0],
        path=(parts.path or "/").encode("ascii"),
        query=query,
        headers=headers,
        body=body,
        params=pairs,
    )
