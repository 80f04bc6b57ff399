"""
Key pair material: generating ssh and x509 keys, and their fingerprints as nova
computes them (ssh: MD5 of the decoded key, colon hex; x509: SHA-1 of the DER
certificate, colon hex).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from novatx.compute.exceptions import InvalidKeypair

KEY_TYPES = ("ssh", "x509")


def _colons(digest: str) -> str:
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def ssh_fingerprint(public_key: str) -> str:
    """nova's fingerprint of an OpenSSH public key; L{InvalidKeypair} if it does not parse."""
    try:
        serialization.load_ssh_public_key(public_key.strip().encode("utf-8"))
        body = public_key.strip().split()[1]
        decoded = base64.b64decode(body, validate=True)
    except (ValueError, IndexError, binascii.Error, UnicodeError, UnsupportedAlgorithm) as e:
        raise InvalidKeypair(reason="failed to generate fingerprint") from e
    return _colons(hashlib.md5(decoded, usedforsecurity=False).hexdigest())


def x509_fingerprint(certificate: str) -> str:
    """nova's fingerprint of a PEM certificate; L{InvalidKeypair} if it does not parse."""
    try:
        cert = x509.load_pem_x509_certificate(certificate.encode("utf-8"))
    except ValueError as e:
        raise InvalidKeypair(reason="failed to generate X509 fingerprint") from e
    der = cert.public_bytes(serialization.Encoding.DER)
    return _colons(hashlib.sha1(der, usedforsecurity=False).hexdigest())


def private_key_fingerprint(private_key: str) -> str:
    """
    The SHA-1 of a PEM private key's PKCS#8 DER form, colon hex: how EC2
    fingerprints a key pair it generated (it never sees an imported one's).
    """
    key = serialization.load_pem_private_key(private_key.encode("ascii"), password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return _colons(hashlib.sha1(der, usedforsecurity=False).hexdigest())


def fingerprint(public_key: str, key_type: str) -> str:
    if key_type == "x509":
        return x509_fingerprint(public_key)
    return ssh_fingerprint(public_key)


def generate(key_type: str, user_id: str, now: float) -> tuple[str, str, str]:
    """
    A new key: C{(private_key_pem, public_key, fingerprint)}; an x509
    certificate is valid from C{now} (the daemon's clock, in seconds).
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    if key_type == "x509":
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OpenStack"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "NovaDev"),
            x509.NameAttribute(NameOID.COMMON_NAME, user_id[:64] or "novatx"),
        ])
        start = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256())
        )
        public = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    else:
        public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode("ascii") + " Generated-by-Nova"
    return private, public, fingerprint(public, key_type)
