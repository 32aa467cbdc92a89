"""The one adapter that reads keys out of moto: its IAM users' access keys and its STS sessions."""

from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.access_control import CreateAccessKeyFailure, create_access_key

from appsync_local.local_aws.s3_gate.errors import invalid_token
from appsync_local.local_aws.s3_gate.keys import LocalKey, SigningKey


def moto_key(access_key_id: str, session_token: str | None) -> SigningKey | None:
    """The key moto's IAM (``CreateAccessKey``) or STS (``AssumeRole``, …) issued as `access_key_id`, if any."""
    headers = {"X-Amz-Security-Token": session_token} if session_token is not None else {}
    try:
        found = create_access_key(DEFAULT_ACCOUNT_ID, "aws", access_key_id, headers)
    except CreateAccessKeyFailure as failure:
        if failure.reason == "InvalidToken":
            raise invalid_token() from None
        return None
    credentials = found.create_credentials()
    return LocalKey(credentials.access_key, credentials.secret_key, credentials.token)
