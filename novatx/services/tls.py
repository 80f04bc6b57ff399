"""TLS for the APIs of C{enabled_ssl_apis}, from the C{[ssl]} PEM files."""

from __future__ import annotations

import re

from OpenSSL.crypto import FILETYPE_PEM
from twisted.internet.interfaces import IOpenSSLServerConnectionCreator
from twisted.internet.ssl import Certificate, CertificateOptions, KeyPair

from novatx.services.errors import StartupError
from novatx.services.settings import TLSFiles

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)


def _read(option: str, path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise StartupError("[ssl] %s %s cannot be read: %s" % (option, path, e.strerror)) from None


def _certificates(option: str, path: str) -> list[Certificate]:
    pems = _PEM_CERTIFICATE.findall(_read(option, path))
    if not pems:
        raise StartupError("[ssl] %s %s holds no PEM certificate" % (option, path))
    return [Certificate.loadPEM(pem) for pem in pems]


def server_tls(files: TLSFiles) -> IOpenSSLServerConnectionCreator:
    """
    The TLS options an API serves with.

    C{cert_file} may hold a chain (leaf first). With C{ca_file}, clients must
    present a certificate signed by one of its CAs, as oslo.service's
    C{sslutils} required.

    @raise StartupError: a file is missing, unreadable or not PEM.
    """
    chain = _certificates("cert_file", files.cert_file)
    try:
        key = KeyPair.load(_read("key_file", files.key_file), format=FILETYPE_PEM)
    except StartupError:
        raise
    except Exception:
        raise StartupError("[ssl] key_file %s holds no usable PEM key" % files.key_file) from None
    authorities = _certificates("ca_file", files.ca_file) if files.ca_file else []
    verification = {}
    if authorities:
        verification = dict(
            verify=True, caCerts=[c.original for c in authorities], requireCertificate=True
        )
    try:
        options = CertificateOptions(
            privateKey=key.original,
            certificate=chain[0].original,
            extraCertChain=[c.original for c in chain[1:]],
            **verification,
        )
        # The context is made lazily; make it now, so a key that does not
        # match its certificate stops the start rather than every handshake.
        options.getContext()
    except Exception as e:
        raise StartupError(
            "[ssl] cert_file %s and key_file %s do not make a TLS identity: %s"
            % (files.cert_file, files.key_file, e)
        ) from None
    return options
