"""Reading and writing the small secret files the auth package keeps under the data directory."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from appsync_local.auth.errors import AuthStoreError


def auth_dir(data_dir: Path) -> Path:
    """The folder, inside the runtime's data directory, that holds keys and credentials."""
    return Path(data_dir) / "auth"


def write_secret(path: Path, content: bytes) -> None:
    """Write `content` atomically, readable only by the owner (these files hold secrets)."""
    # A rename is atomic, so a crash never leaves a half-written key behind.
    os.replace(_owner_only_file(path, content), path)


def create_secret(path: Path, content: bytes) -> bytes:
    """Write `content` to `path` unless the file exists, atomically and owner-only; returns what `path` holds.

    Two processes making the same key at once (`make run` and `make token` on a fresh data folder) both end up
    with the first one's: a key replaced under a process that already signed with it would fail its tokens.
    """
    tmp = _owner_only_file(path, content)
    try:
        os.link(tmp, path)  # fails if the file exists; never replaces it
    except FileExistsError:
        return path.read_bytes()
    finally:
        tmp.unlink()
    return content


def _owner_only_file(path: Path, content: bytes) -> Path:
    """A temporary file beside `path` holding `content`, readable only by the owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return tmp


def read_json(path: Path) -> Any:
    """Parse a JSON file, turning corruption into a clear `AuthStoreError`."""
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AuthStoreError(f"{path} is not valid JSON ({exc}); delete it to create a new one") from exc


def json_bytes(value: Any) -> bytes:
    """`value` as the indented JSON the auth files hold."""
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()


def write_json(path: Path, value: Any) -> None:
    """Write `value` as indented JSON through `write_secret`."""
    write_secret(path, json_bytes(value))


def _written_here(path: Path) -> bool:
    """Whether `path` is as `write_secret` leaves a key it made: this user's, readable by no one else.

    OpenSSL's check that an RSA key is sound (its primes among it) took 58-110 ms per key (bench/README.md,
    Start-up), and start-up loads four; a key this runtime made and kept to its owner needs no check (a malformed file still fails to
    load). Any other file is checked.
    """
    stat = path.stat()
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o077


def load_or_create_rsa_key(path: Path) -> rsa.RSAPrivateKey:
    """The RSA private key in `path` (PEM), made and written there (owner-only) the first time."""
    if path.exists():
        return _load_rsa_key(path, path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    stored = create_secret(path, pem)
    # Another process made the key meanwhile: its key is the one.
    return key if stored == pem else _load_rsa_key(path, stored)


def _load_rsa_key(path: Path, pem: bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(
            pem, password=None, unsafe_skip_rsa_key_validation=_written_here(path)
        )
    except ValueError as exc:
        raise AuthStoreError(f"{path} is not a PEM private key; delete it to create a new one") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AuthStoreError(f"{path} is not an RSA key; delete it to create a new one")
    return key


def rfc7638_thumbprint(public_jwk: dict[str, Any]) -> str:
    """An RSA key's JWK thumbprint (RFC 7638): a stable key id that changes only when the key does."""
    canonical = json.dumps(
        {k: public_jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class LocalSigningKey:
    """An issuer's RS256 key, made once under the data directory, with its key id and public JWKS."""

    def __init__(self, path: Path) -> None:
        self.private_key = load_or_create_rsa_key(path)
        public_jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        self.kid = rfc7638_thumbprint(public_jwk)
        self.jwks = {
            "keys": [
                {
                    "alg": "RS256",
                    "e": public_jwk["e"],
                    "kid": self.kid,
                    "kty": "RSA",
                    "n": public_jwk["n"],
                    "use": "sig",
                }
            ]
        }
