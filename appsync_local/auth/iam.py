"""The local IAM principal whose access key signs SigV4 requests to the local API."""

from __future__ import annotations

import secrets
import string
from dataclasses import asdict, dataclass
from pathlib import Path

from appsync_local.auth.errors import AuthStoreError
from appsync_local.auth.storage import auth_dir, create_secret, json_bytes, read_json

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_USER_NAME = "local-developer"


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass(frozen=True)
class IamCredentials:
    """An IAM user's long-term access key, in AWS's shapes.

    Parameters
    ----------
    access_key_id
        ``AKIA`` and 16 uppercase letters or digits.
    secret_access_key
        40 characters, like AWS's.
    account_id
        The 12-digit account.
    user_arn
        ``arn:aws:iam::<account>:user/<name>``.
    user_id
        The IAM unique id (``AIDA…``): AppSync's ``identity.username`` for IAM callers.
    session_token
        Set only for temporary credentials; requests must then carry it as ``x-amz-security-token``.
    allowed_fields
        The root fields (`Type.field`) the principal's policy allows it to call (`appsync:GraphQL` on
        ``types/<Type>/fields/<field>``); None for a principal allowed every field (the local IAM user).
    """

    access_key_id: str
    secret_access_key: str
    account_id: str
    user_arn: str
    user_id: str
    session_token: str | None = None
    allowed_fields: frozenset[str] | None = None

    FILE_NAME = "iam_credentials.json"

    @classmethod
    def generate(cls, account_id: str = LOCAL_ACCOUNT_ID, user_name: str = LOCAL_USER_NAME) -> IamCredentials:
        """A fresh random principal."""
        return cls(
            access_key_id="AKIA" + _random(_UPPER_ALNUM, 16),
            secret_access_key=_random(_SECRET_ALPHABET, 40),
            account_id=account_id,
            user_arn=f"arn:aws:iam::{account_id}:user/{user_name}",
            user_id="AIDA" + _random(_UPPER_ALNUM, 17),
        )

    @classmethod
    def for_function_role(
        cls, function: str, api_calls: frozenset[str] = frozenset(), account_id: str = LOCAL_ACCOUNT_ID
    ) -> IamCredentials:
        """Temporary credentials of a function's execution role, as Lambda gives a function (`ASIA…` and a
        session token); its AppSync identity is the assumed role's session, and it may call `api_calls` only."""
        return cls(
            access_key_id="ASIA" + _random(_UPPER_ALNUM, 16),
            secret_access_key=_random(_SECRET_ALPHABET, 40),
            account_id=account_id,
            user_arn=f"arn:aws:sts::{account_id}:assumed-role/{function}-role/{function}",
            user_id="AROA" + _random(_UPPER_ALNUM, 17) + f":{function}",
            session_token=_random(_SECRET_ALPHABET, 64),
            allowed_fields=api_calls,
        )

    @classmethod
    def load_or_create(cls, data_dir: Path) -> IamCredentials:
        """The principal stored under `data_dir`, created there on first use (when two processes create it at
        once, both use the first one's: `create_secret`)."""
        path = auth_dir(data_dir) / cls.FILE_NAME
        if not path.exists():
            credentials = cls.generate()
            content = json_bytes(asdict(credentials))
            if create_secret(path, content) == content:
                return credentials
        raw = read_json(path)
        try:
            return cls(
                access_key_id=raw["access_key_id"],
                secret_access_key=raw["secret_access_key"],
                account_id=raw["account_id"],
                user_arn=raw["user_arn"],
                user_id=raw["user_id"],
                session_token=raw.get("session_token"),
            )
        except (KeyError, TypeError) as exc:
            raise AuthStoreError(
                f"{path} does not hold IAM credentials; delete it to create new ones"
            ) from exc
