"""The served certificate's validity, read from the TLS handshake itself.

httpx does not expose the peer certificate, so two ways in: the `network_stream` extension of a
response (when the request succeeded) and a separate handshake without verification (when it
failed, to say *when* the certificate expired). The notAfter date is read straight from the DER
bytes, so it works for self-signed and untrusted certificates too.
"""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime
from typing import Any


class CertParseError(ValueError):
    pass


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `pos`."""
    if pos + 2 > len(data):
        raise CertParseError("truncated DER")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            raise CertParseError("bad DER length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    end = pos + length
    if end > len(data):
        raise CertParseError("truncated DER")
    return tag, pos, end


def _parse_time(tag: int, raw: bytes) -> datetime:
    text = raw.decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
        year = int(text[:2])
        year += 2000 if year < 50 else 1900
        rest = text[2:]
    elif tag == 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
        year = int(text[:4])
        rest = text[4:]
    else:
        raise CertParseError(f"unexpected time tag {tag:#x}")
    return datetime(
        year, int(rest[0:2]), int(rest[2:4]), int(rest[4:6]), int(rest[6:8]), int(rest[8:10]), tzinfo=UTC
    )


def validity_from_der(der: bytes) -> tuple[datetime, datetime]:
    """(notBefore, notAfter) of an X.509 certificate in DER form."""
    _, cert_start, _ = _read_tlv(der, 0)
    _, tbs_start, tbs_end = _read_tlv(der, cert_start)
    pos = tbs_start
    tag, _, end = _read_tlv(der, pos)
    if tag == 0xA0:  # [0] EXPLICIT version
        pos = end
    for _ in range(3):  # serialNumber, signature algorithm, issuer
        _, _, pos = _read_tlv(der, pos)
    tag, v_start, v_end = _read_tlv(der, pos)
    if tag != 0x30 or v_end > tbs_end:
        raise CertParseError("no validity sequence")
    t1, s1, e1 = _read_tlv(der, v_start)
    t2, s2, e2 = _read_tlv(der, e1)
    return _parse_time(t1, der[s1:e1]), _parse_time(t2, der[s2:e2])


def not_after_from_ssl_object(ssl_object: Any) -> datetime | None:
    """notAfter of the peer certificate of an `ssl.SSLObject`/`SSLSocket`, or None."""
    if ssl_object is None:
        return None
    try:
        der = ssl_object.getpeercert(binary_form=True)
    except (ValueError, AttributeError, ssl.SSLError):
        return None
    if not der:
        return None
    try:
        return validity_from_der(der)[1]
    except (CertParseError, ValueError, UnicodeDecodeError):
        return None


def not_after_from_response(response: Any) -> datetime | None:
    """notAfter of the certificate that served an httpx response (None for plain HTTP)."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    return not_after_from_ssl_object(stream.get_extra_info("ssl_object"))


async def fetch_not_after(host: str, port: int, timeout_s: float = 5.0) -> datetime | None:
    """Handshake without verification just to read the served certificate's notAfter."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        async with asyncio.timeout(timeout_s):
            _reader, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname=host)
    except (OSError, TimeoutError, ssl.SSLError):
        return None
    try:
        return not_after_from_ssl_object(writer.get_extra_info("ssl_object"))
    finally:
        writer.close()
        try:
            async with asyncio.timeout(1.0):
                await writer.wait_closed()
        except (OSError, TimeoutError, ssl.SSLError):
            pass
