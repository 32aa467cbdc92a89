"""The key pairs local signed URLs are made with: one per bucket with `signed_urls`, kept in the data folder.

Deployed, CloudFront trusts the public half (a key group) and the private half sits in Secrets Manager. Locally
the runtime makes each pair once (`<data>/cdn/<bucket>/private_key.pem`, readable by its owner only), puts the
private key into the local Secrets Manager under the configured secret name, and its CDN trusts the public key.
The Key-Pair-Id has the form of CloudFront's public key IDs (`K` and 13 letters and digits), derived from the
public key, so a URL signed with another key names another id.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from appdef import AppConfig

from ..auth.storage import load_or_create_rsa_key

KEYS_DIR = "cdn"
KEY_FILE = "private_key.pem"


@dataclass(frozen=True)
class SigningKey:
    """One bucket's key pair."""

    bucket: str
    secret: str
    private_key: rsa.RSAPrivateKey

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @property
    def key_pair_id(self) -> str:
        der = self.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return "K" + base64.b32encode(hashlib.sha256(der).digest()).decode()[:13]

    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def signing_keys(config: AppConfig, data_dir: Path) -> dict[str, SigningKey]:
    """Each signed bucket's key pair, by bucket name: read from `data_dir`, made there the first time."""
    directory = data_dir / KEYS_DIR
    keys: dict[str, SigningKey] = {}
    for bucket in config.cdn_buckets:
        if bucket.signed_urls is not None:
            private_key = load_or_create_rsa_key(directory / bucket.name / KEY_FILE)
            keys[bucket.name] = SigningKey(bucket.name, bucket.signed_urls.secret, private_key)
    return keys


def key_pair_ids(keys: Mapping[str, SigningKey]) -> dict[str, str]:
    """Bucket name -> the Key-Pair-Id its URLs are signed with (what `${cdn_key:<bucket>}` is locally)."""
    return {bucket: key.key_pair_id for bucket, key in keys.items()}
