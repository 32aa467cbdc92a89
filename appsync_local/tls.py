"""A local certificate authority and a server certificate for 127.0.0.1 / localhost, kept under the data folder.

Amplify JS always connects to the realtime endpoint with ``wss://``, so the local server can serve HTTPS/WSS
too. The CA is generated once and reused across restarts (trust it once: add ``ca.pem`` to the client's
trust store, e.g. ``NODE_EXTRA_CA_CERTS``); the server certificate is re-issued when it nears expiry or
no longer covers the host names asked for.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TLS_DIR = "tls"
CA_VALID_DAYS = 3650
# Apple platforms reject server certificates valid for more than 825 days.
SERVER_VALID_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)
DEFAULT_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")


class TlsError(ValueError):
    """The stored TLS files cannot be read or written."""


@dataclass(frozen=True)
class LocalTls:
    """Paths of the local CA certificate and of the server's certificate and key (PEM).

    Parameters
    ----------
    ca_cert
        The CA certificate clients must trust.
    cert_file, key_file
        What the server presents (uvicorn's ``ssl_certfile`` / ``ssl_keyfile``).
    """

    ca_cert: Path
    cert_file: Path
    key_file: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _san(hosts: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _new_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "appsync_local development CA")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _new_server_cert(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, hosts: tuple[str, ...]
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=SERVER_VALID_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_san(hosts), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _load(cert_path: Path, key_path: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None:
    if not (cert_path.exists() and key_path.exists()):
        return None
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise TlsError(
            f"{cert_path} or {key_path} is not a readable PEM file ({exc}); delete them to regenerate"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TlsError(f"{key_path} is not an EC private key; delete it to regenerate")
    return key, cert


def _covers(cert: x509.Certificate, hosts: tuple[str, ...]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    present |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    wanted = set()
    for host in hosts:
        try:
            wanted.add(str(ipaddress.ip_address(host)))
        except ValueError:
            wanted.add(host)
    return wanted <= present


def _signed_by(cert: x509.Certificate, ca_cert: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def ensure_local_tls(data_dir: Path, hosts: tuple[str, ...] = DEFAULT_HOSTS) -> LocalTls:
    """Create (or reuse) ``<data_dir>/tls/ca.pem`` and a server certificate for `hosts` signed by it."""
    if not hosts:
        raise TlsError("a server certificate needs at least one host name")
    folder = data_dir / TLS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = LocalTls(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    ca_key_path = folder / "ca-key.pem"
    now = _now()

    ca = _load(paths.ca_cert, ca_key_path)
    if ca is None or ca[1].not_valid_after_utc - RENEW_BEFORE < now:
        ca = _new_ca()
        _write_private(ca_key_path, _key_pem(ca[0]))
        paths.ca_cert.write_bytes(_cert_pem(ca[1]))
    ca_key, ca_cert = ca

    server = _load(paths.cert_file, paths.key_file)
    if (
        server is None
        or server[1].not_valid_after_utc - RENEW_BEFORE < now
        or not _covers(server[1], hosts)
        or not _signed_by(server[1], ca_cert)
    ):
        key, cert = _new_server_cert(ca_key, ca_cert, hosts)
        _write_private(paths.key_file, _key_pem(key))
        paths.cert_file.write_bytes(_cert_pem(cert))
    return paths
