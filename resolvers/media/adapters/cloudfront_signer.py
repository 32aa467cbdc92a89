"""``PlaybackSigner`` with botocore's ``CloudFrontSigner``: a custom policy signed with RSA-SHA1, as CloudFront
requires, by the private key kept in a secret (Secrets Manager, read with Powertools Parameters and cached).

The URL gets CloudFront's ``Policy``, ``Signature`` and ``Key-Pair-Id`` parameters; the distribution trusts the
public key whose id is ``Key-Pair-Id`` and refuses the URL for any other path, after ``DateLessThan``, or (when
the policy names one) from another address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from resolvers.media.domain.errors import ConfigurationError


@lru_cache(maxsize=4)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    # Parsed once per key (a rotated secret is a new PEM, so a new entry): parsing checks the key, which is slow.
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"The signing key secret does not hold a PEM private key ({error})"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError("The signing key secret must hold an RSA private key (CloudFront's kind)")
    return key


def source_cidr(address: str) -> str:
    """The one-address range of ``address`` for the policy's ``AWS:SourceIp`` (``/32``, or ``/128`` for IPv6:
    botocore appends ``/32`` to anything without a prefix length)."""
    ip = ipaddress.ip_address(address)
    return f"{ip}/{ip.max_prefixlen}"


class CloudFrontUrlSigner:
    """Signs CDN URLs with a custom policy.

    Parameters
    ----------
    key_pair_id
        The id of the public key the distribution trusts (its key group's).
    private_key_pem
        Returns the matching private key as PEM text (cached by the caller, e.g. Powertools Parameters).
    """

    def __init__(self, key_pair_id: str, private_key_pem: Callable[[], str]) -> None:
        self._key_pair_id = key_pair_id
        self._private_key_pem = private_key_pem

    def sign(self, url: str, *, expires_at: datetime, source_ip: str | None) -> str:
        key = _private_key(self._private_key_pem())

        def rsa_signer(message: bytes) -> bytes:
            return key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # SHA-1: what CloudFront verifies

        signer = CloudFrontSigner(self._key_pair_id, rsa_signer)
        policy = signer.build_policy(
            url, expires_at, ip_address=source_cidr(source_ip) if source_ip else None
        )
        return str(signer.generate_presigned_url(url, policy=policy))
