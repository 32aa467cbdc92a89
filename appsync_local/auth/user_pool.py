"""The runtime's own Cognito-compatible token issuer: RS256 tokens with Cognito's claims, verifiable via JWKS."""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jwt

from appdef import LocalUser
from appsync_local.auth.errors import UnauthorizedError
from appsync_local.auth.storage import LocalSigningKey, auth_dir

TOKEN_USES = ("id", "access")
ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"
INCORRECT_CREDENTIALS = "Incorrect username or password."


class LocalUserPool:
    """A user pool that signs tokens exactly as Cognito does, with a key kept under the data directory.

    Parameters
    ----------
    data_dir
        The runtime's data directory; the RSA signing keys (one for id tokens, one for access tokens, as
        Cognito has) are created there once and reused after restarts.
    region, user_pool_id
        Together they form the issuer, in Cognito's form.
    client_id
        The app client id: the id token's ``aud`` and the access token's ``client_id``.
    users
        The configured users (name, email, password, groups); `mint` also accepts other names.
    """

    def __init__(
        self, data_dir: Path, region: str, user_pool_id: str, client_id: str, users: Sequence[LocalUser]
    ) -> None:
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.client_id = client_id
        self._users = {user.username: user for user in users}
        # Cognito signs access tokens with another key than id tokens: their `kid`s differ.
        signing = LocalSigningKey(auth_dir(data_dir) / f"user_pool_{user_pool_id}.pem")
        access = LocalSigningKey(auth_dir(data_dir) / f"user_pool_{user_pool_id}.access.pem")
        self._keys = {"id": (signing.private_key, signing.kid), "access": (access.private_key, access.kid)}
        self.kid = signing.kid  # the id tokens'
        self.access_kid = access.kid
        self._jwks = {"keys": [*signing.jwks["keys"], *access.jwks["keys"]]}

    def jwks(self) -> dict[str, Any]:
        """The public keys, as Cognito serves them at ``<issuer>/.well-known/jwks.json``."""
        return self._jwks

    def sub_for(self, username: str) -> str:
        """A user's ``sub``: a UUID derived from the issuer and name, so data keyed by it survives restarts."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}"))

    def mint(
        self,
        username: str,
        groups: Sequence[str] | None = None,
        token_use: str = "id",
        ttl_seconds: int = 3600,
        now: float | None = None,
    ) -> str:
        """Sign an id or access token for `username` with the claims Cognito puts in it.

        `groups` defaults to the configured user's groups; names that are not configured are allowed.
        """
        session = self._session(username, groups, ttl_seconds, now)
        return self._sign(self._claims(session, token_use))

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """Check a configured user's password and return tokens as Cognito's InitiateAuth does."""
        user = self._users.get(username)
        # Compare even for unknown users so timing does not reveal which names exist.
        expected = user.password if user else "\0unknown user\0"
        if not hmac.compare_digest(expected.encode(), password.encode()) or user is None:
            raise UnauthorizedError(INCORRECT_CREDENTIALS)
        session = self._session(username, None, 3600, None)
        return {
            "IdToken": self._sign(self._claims(session, "id")),
            "AccessToken": self._sign(self._claims(session, "access")),
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
        }

    def _session(
        self, username: str, groups: Sequence[str] | None, ttl_seconds: int, now: float | None
    ) -> dict[str, Any]:
        """The claims shared by the id and access token of one sign-in."""
        if not username:
            raise ValueError("username must not be empty")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        user = self._users.get(username)
        issued = int(time.time() if now is None else now)
        chosen = list(groups) if groups is not None else list(user.groups) if user else []
        return {
            "username": username,
            "email": user.email if user else f"{username}@example.com",
            "groups": chosen,
            "iat": issued,
            "exp": issued + ttl_seconds,
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
        }

    def _claims(self, session: dict[str, Any], token_use: str) -> dict[str, Any]:
        if token_use not in TOKEN_USES:
            raise ValueError(f"token_use must be 'id' or 'access', not {token_use!r}")
        claims: dict[str, Any] = {"sub": self.sub_for(session["username"])}
        if session["groups"]:
            claims["cognito:groups"] = session["groups"]
        if token_use == "id":
            claims |= {
                "email_verified": True,
                "iss": self.issuer,
                "cognito:username": session["username"],
                "origin_jti": session["origin_jti"],
                "aud": self.client_id,
                "event_id": session["event_id"],
                "token_use": "id",
                "auth_time": session["iat"],
                "exp": session["exp"],
                "iat": session["iat"],
                "jti": str(uuid.uuid4()),
                "email": session["email"],
            }
        else:
            claims |= {
                "iss": self.issuer,
                "client_id": self.client_id,
                "origin_jti": session["origin_jti"],
                "event_id": session["event_id"],
                "token_use": "access",
                "scope": ACCESS_TOKEN_SCOPE,
                "auth_time": session["iat"],
                "exp": session["exp"],
                "iat": session["iat"],
                "jti": str(uuid.uuid4()),
                "username": session["username"],
            }
        return claims

    def _sign(self, claims: dict[str, Any]) -> str:
        key, kid = self._keys[claims["token_use"]]
        # Cognito's header carries only kid and alg (no typ).
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": None})
