"""The certificate a TLS server actually serves, even when it is not trusted.

One place for what the ACME probe (`tlsprobe`, blocking, from a worker) and the platform's URL
checks (`platform.http_checks`, asyncio) both need: the served certificate's issuer and validity,
read from the handshake's DER bytes with the `cryptography` package, so expired, self-signed and
unknown-CA certificates are reported too (the stdlib only decodes certificates it verified).

- `decode_der(der)` -> `ServedCert | None`;
- `cert_from_ssl_object(obj)` / `cert_from_response(httpx response)`: the peer certificate of a
  connection that is already open;
- `served_certificate(host, port, ...)` (blocking): verify first, and when that fails read the
  certificate unverified, returning the verification error beside it;
- `fetch_served_certificate(host, port, ...)` (async): an unverified handshake just to read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID


@dataclass(frozen=True, slots=True)
class ServedCert:
    """What a served certificate says: names, issuer, validity (aware UTC datetimes)."""

    subject: str  # its common name ("" when it has none)
    issuer: str  # the issuer's organisation, else its common name
    not_before: datetime
    not_after: datetime
    dns_names: tuple[str, ...] = ()


def _name(name: x509.Name, *oids: x509.ObjectIdentifier) -> str:
    for oid in oids:
        for attribute in name.get_attributes_for_oid(oid):
            value = attribute.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return ""


def decode_der(der: bytes) -> ServedCert | None:
    """Decode an X.509 certificate in DER form without verifying it; None when it is not one."""
    try:
        cert = x509.load_der_x509_certificate(der)
        subject = _name(cert.subject, NameOID.COMMON_NAME)
        issuer = _name(cert.issuer, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME)
        not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    except ValueError:
        return None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
    except (x509.ExtensionNotFound, ValueError):
        dns_names = ()
    return ServedCert(subject, issuer, not_before, not_after, dns_names)


def cert_from_ssl_object(ssl_object: Any) -> ServedCert | None:
    """The peer certificate of an `ssl.SSLObject`/`SSLSocket`, or None."""
    if ssl_object is None:
        return None
    try:
        der = ssl_object.getpeercert(binary_form=True)
    except (ValueError, AttributeError, ssl.SSLError):
        return None
    return decode_der(der) if der else None


def cert_from_response(response: Any) -> ServedCert | None:
    """The certificate that served an httpx response (None for plain HTTP)."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    return cert_from_ssl_object(stream.get_extra_info("ssl_object"))


def unverified_context() -> ssl.SSLContext:
    """A client context that completes any handshake: only for reading what is served."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _handshake(host: str, port: int, address: str | None, timeout: float, ctx: ssl.SSLContext) -> bytes:
    with (
        socket.create_connection((address or host, port), timeout=timeout) as sock,
        ctx.wrap_socket(sock, server_hostname=host) as tls,
    ):
        return tls.getpeercert(binary_form=True) or b""


def served_certificate(
    host: str, port: int = 443, address: str | None = None, timeout: float = 5.0, cafile: str | None = None
) -> tuple[ServedCert | None, str]:
    """(the certificate `host` serves, why it is not trusted or ""); blocking.

    `address` connects elsewhere than `host` (split DNS, tests); `cafile` adds trusted CAs.
    Raises OSError / ssl.SSLError when no TLS handshake completes at all.
    """
    try:
        der = _handshake(host, port, address, timeout, ssl.create_default_context(cafile=cafile))
        return decode_der(der), ""
    except ssl.SSLCertVerificationError as exc:
        error = exc.verify_message or str(exc)
    return decode_der(_handshake(host, port, address, timeout, unverified_context())), error


async def fetch_served_certificate(
    host: str, port: int = 443, timeout_s: float = 5.0, address: str | None = None
) -> ServedCert | None:
    """Handshake without verification just to read the served certificate; None when none."""
    try:
        async with asyncio.timeout(timeout_s):
            _reader, writer = await asyncio.open_connection(
                address or host, port, ssl=unverified_context(), server_hostname=host
            )
    except (OSError, TimeoutError, ssl.SSLError):
        return None
    try:
        return cert_from_ssl_object(writer.get_extra_info("ssl_object"))
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()
