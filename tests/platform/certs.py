"""Self-signed certificates for the test HTTPS servers, made with the openssl CLI.

(`cryptography` is not in the project's venv; `openssl ca` lets us pick any validity window,
including one that ended in the past.)
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

CONF = """\
[ca]
default_ca = CA_default
[CA_default]
dir = {dir}
database = {dir}/index.txt
serial = {dir}/serial
new_certs_dir = {dir}
default_md = sha256
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = {cn}
[ext]
subjectAltName = IP:127.0.0.1,DNS:localhost
basicConstraints = CA:TRUE
"""


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def make_cert(folder: Path, name: str, not_before: datetime, not_after: datetime) -> tuple[Path, Path]:
    """A self-signed cert for 127.0.0.1/localhost valid between the two dates: (cert, key)."""
    if shutil.which("openssl") is None:
        raise RuntimeError("openssl CLI is needed to make test certificates")
    work = folder / name
    work.mkdir(parents=True, exist_ok=True)
    (work / "index.txt").write_text("")
    (work / "serial").write_text("01\n")
    conf = work / "ca.cnf"
    conf.write_text(CONF.format(dir=work, cn=f"cockpit-test-{name}"))
    key, csr, cert = work / "key.pem", work / "req.csr", work / "cert.pem"
    run = {"check": True, "capture_output": True, "cwd": work}
    subprocess.run(
        ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(csr), "-config", str(conf)],
        **run,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "ca", "-batch", "-config", str(conf), "-selfsign", "-keyfile", str(key), "-in", str(csr),
         "-out", str(cert), "-startdate", _stamp(not_before), "-enddate", _stamp(not_after),
         "-extfile", str(conf), "-extensions", "ext", "-notext"],
        **run,
    )  # fmt: skip
    return cert, key


def cert_set(folder: Path) -> dict[str, tuple[Path, Path, datetime]]:
    """valid (a year), expiring (in 2 days), expired (ended 3 days ago): name -> (cert, key, notAfter)."""
    now = datetime.now(UTC).replace(microsecond=0)
    windows = {
        "valid": (now - timedelta(days=1), now + timedelta(days=365)),
        "expiring": (now - timedelta(days=80), now + timedelta(days=2)),
        "expired": (now - timedelta(days=90), now - timedelta(days=3)),
    }
    out = {}
    for name, (start, end) in windows.items():
        cert, key = make_cert(folder, name, start, end)
        out[name] = (cert, key, end)
    return out
