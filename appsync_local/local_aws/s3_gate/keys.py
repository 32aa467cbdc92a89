"""The access keys the local S3 knows, and the secret behind each."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass

from appsync_local.access_key import AccessKey
from appsync_local.local_aws.s3_gate.errors import invalid_access_key, invalid_token

# What signs a request: any access key (a function's role, the local IAM user, an STS session).
SigningKey = AccessKey


@dataclass(frozen=True)
class LocalKey:
    """A `SigningKey` held as plain values."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


# Finds a key another local service issued (moto's IAM users and STS sessions): the key, or None when
# unknown; raises S3Error when it is known but the session token does not match.
KeyLookup = Callable[[str, "str | None"], "SigningKey | None"]


class KeyRing:
    """Which secret signs for which access key.

    An access key is known when it was given here (the local dummy key, the local IAM user, each function's
    role) or when `lookup` finds it (keys moto's IAM and STS handed out). Temporary keys are known only with
    their own session token, as on AWS.

    Parameters
    ----------
    keys
        The keys known from the start.
    lookup
        Where to look for keys not given here.
    """

    def __init__(self, keys: tuple[SigningKey, ...] = (), lookup: KeyLookup | None = None) -> None:
        self._keys: dict[str, SigningKey] = {}
        self._lookup = lookup
        self._lock = threading.Lock()
        self.trust(*keys)

    def trust(self, *keys: SigningKey) -> None:
        """Accept requests signed with `keys` from now on."""
        with self._lock:
            self._keys.update({key.access_key_id: key for key in keys})

    def find(self, access_key_id: str, session_token: str | None) -> SigningKey:
        """The key `access_key_id` names; S3's InvalidAccessKeyId or InvalidToken when it cannot sign."""
        with self._lock:
            key = self._keys.get(access_key_id)
        if key is None and self._lookup is not None:
            key = self._lookup(access_key_id, session_token)
        if key is None:
            raise invalid_access_key(access_key_id)
        expected = key.session_token
        if expected is None:
            if session_token is not None:
                raise invalid_token()  # a long-term key with someone's session token
            return key
        if session_token is None:
            raise invalid_access_key(access_key_id)  # a temporary key is unknown without its token
        if not hmac.compare_digest(expected.encode(), session_token.encode()):
            raise invalid_token()
        return key
