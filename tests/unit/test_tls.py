"""The local CA and server certificate: generated once, reused, accepted by a TLS client that trusts the CA."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509

from appsync_local.tls import TlsError, ensure_local_tls


def _handshake(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext, server_name: str) -> str:
    """Complete one TLS handshake over a socket pair; return the negotiated version."""
    left, right = socket.socketpair()
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            with server_ctx.wrap_socket(right, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError) as exc:
            errors.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with client_ctx.wrap_socket(left, server_hostname=server_name) as tls:
            version = tls.version() or ""
            tls.sendall(b"x")
    finally:
        thread.join(timeout=5)
    assert not errors, errors
    return version


def test_certificates_are_created_under_the_data_folder(tmp_path: Path) -> None:
    # WHEN TLS is set up for a fresh data folder
    tls = ensure_local_tls(tmp_path)
    # THEN the CA and the server's certificate and key live under <data>/tls/, the key private to its owner
    assert tls.ca_cert == tmp_path / "tls" / "ca.pem"
    assert tls.cert_file.exists() and tls.key_file.exists()
    assert tls.key_file.stat().st_mode & 0o077 == 0
    cert = x509.load_pem_x509_certificate(tls.cert_file.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}


def test_a_restart_reuses_the_same_ca_and_certificate(tmp_path: Path) -> None:
    # GIVEN certificates made by an earlier start
    first = ensure_local_tls(tmp_path)
    ca, cert = first.ca_cert.read_bytes(), first.cert_file.read_bytes()
    # WHEN the server starts again
    second = ensure_local_tls(tmp_path)
    # THEN nothing was regenerated, so a client that trusted the CA still does
    assert second.ca_cert.read_bytes() == ca
    assert second.cert_file.read_bytes() == cert


def test_asking_for_another_host_reissues_the_server_certificate_only(tmp_path: Path) -> None:
    first = ensure_local_tls(tmp_path)
    ca = first.ca_cert.read_bytes()
    second = ensure_local_tls(tmp_path, hosts=("localhost", "127.0.0.1", "dev.example.test"))
    assert second.ca_cert.read_bytes() == ca
    cert = x509.load_pem_x509_certificate(second.cert_file.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "dev.example.test" in names.get_values_for_type(x509.DNSName)


@pytest.mark.parametrize("server_name", ["localhost", "127.0.0.1"])
def test_a_client_trusting_the_ca_completes_a_verified_handshake(tmp_path: Path, server_name: str) -> None:
    # GIVEN the server's certificate and a client that trusts only the local CA, with hostname checks on
    tls = ensure_local_tls(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tls.cert_file, tls.key_file)
    client_ctx = ssl.create_default_context(cafile=str(tls.ca_cert))
    # WHEN they shake hands THEN verification succeeds
    assert _handshake(server_ctx, client_ctx, server_name).startswith("TLS")


def test_a_client_without_the_ca_refuses_the_certificate(tmp_path: Path) -> None:
    tls = ensure_local_tls(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tls.cert_file, tls.key_file)
    other_ca = ensure_local_tls(tmp_path / "other").ca_cert
    client_ctx = ssl.create_default_context(cafile=str(other_ca))
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(server_ctx, client_ctx, "localhost")


def test_a_corrupt_file_is_reported_clearly(tmp_path: Path) -> None:
    tls = ensure_local_tls(tmp_path)
    tls.cert_file.write_text("not a certificate")
    with pytest.raises(TlsError, match="delete them to regenerate"):
        ensure_local_tls(tmp_path)
