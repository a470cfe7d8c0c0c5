"""Reading a served certificate without trusting it (cryptography, no private stdlib API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cockpit.cluster.tlscert import decode_der


def self_signed(not_before: datetime, not_after: datetime) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "spark-history.254carbon.com"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Let's Encrypt (staging)"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("spark-history.254carbon.com"), x509.DNSName("*.254carbon.com")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_an_expired_untrusted_certificate_is_still_read() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    cert = decode_der(self_signed(start, start + timedelta(days=90)))
    assert cert is not None
    assert (cert.subject, cert.issuer) == ("spark-history.254carbon.com", "Let's Encrypt (staging)")
    assert (cert.not_before, cert.not_after) == (start, datetime(2025, 4, 1, tzinfo=UTC))
    assert cert.dns_names == ("spark-history.254carbon.com", "*.254carbon.com")


def test_bytes_that_are_no_certificate_give_none() -> None:
    assert decode_der(b"\x30\x03\x02\x01\x00") is None
    assert decode_der(b"not a certificate") is None
