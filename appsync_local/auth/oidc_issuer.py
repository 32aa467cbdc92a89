"""The runtime's own OIDC issuer: a second token issuer, distinct from the user pool, standing in for
`[auth.oidc] issuer` the way the local user pool stands in for `[auth.cognito]`.

Its RS256 key is kept under the data folder; its discovery document and JWKS are served on the runtime's
own address (`/_local/oidc/.well-known/openid-configuration`, `/_local/oidc/jwks.json`).
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from appdef import LocalUser
from appsync_local.auth.storage import LocalSigningKey, auth_dir

OIDC_PATH = "/_local/oidc"
# The audience of minted tokens when `client_id` is unset (AppSync then accepts any client).
DEFAULT_AUDIENCE = "local-oidc-client"


def _matches_itself(pattern: str) -> bool:
    """Whether a client id "regex" accepts its own text (a plain client id does; `web|ios` does not)."""
    return re.fullmatch(pattern, pattern) is not None


class LocalOidcIssuer:
    """Signs OIDC ID tokens for `issuer` with a key only this runtime holds.

    Parameters
    ----------
    data_dir
        The runtime's data directory; the key is made there once (one per issuer) and reused after restarts.
    issuer
        The tokens' ``iss``: `[auth.oidc] issuer`.
    client_id
        `[auth.oidc] client_id`: the tokens' ``aud`` when it names one client; a regex needs an explicit
        audience per token.
    users
        The configured local users (their e-mail addresses go into the tokens); other names are allowed.
    """

    def __init__(
        self, data_dir: Path, issuer: str, client_id: str | None, users: Sequence[LocalUser] = ()
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._users = {user.username: user for user in users}
        digest = hashlib.sha256(issuer.encode()).hexdigest()[:16]
        signing = LocalSigningKey(auth_dir(data_dir) / f"oidc_issuer_{digest}.pem")
        self._key = signing.private_key
        self.kid = signing.kid
        self._jwks = signing.jwks

    @property
    def default_audience(self) -> str | None:
        """The ``aud`` of minted tokens: the configured client id when it is one name, else None."""
        if self.client_id is None:
            return DEFAULT_AUDIENCE
        return self.client_id if _matches_itself(self.client_id) else None

    def jwks(self) -> dict[str, Any]:
        """The public key set, as served at ``jwks_uri``."""
        return self._jwks

    def discovery(self, base_url: str) -> dict[str, Any]:
        """The discovery document (OpenID Connect Discovery 1.0), its URLs on `base_url`."""
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{base_url.rstrip('/')}{OIDC_PATH}/jwks.json",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "email", "name"],
        }

    def sub_for(self, username: str) -> str:
        """A user's ``sub`` at this issuer: stable across restarts, and never the user pool's sub for the name."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}#{username}"))

    def mint(
        self,
        username: str,
        *,
        audience: str | None = None,
        ttl_seconds: int = 3600,
        now: float | None = None,
        auth_time: float | None = None,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """An ID token for `username`; `now` and `auth_time` (epoch seconds) default to the present."""
        if not username:
            raise ValueError("username must not be empty")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        audience = audience or self.default_audience
        if audience is None:
            raise ValueError(
                f"auth.oidc.client_id {self.client_id!r} is a pattern: name the token's audience"
            )
        issued = int(time.time() if now is None else now)
        user = self._users.get(username)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.sub_for(username),
            "aud": audience,
            "iat": issued,
            "exp": issued + ttl_seconds,
            "auth_time": int(issued if auth_time is None else auth_time),
            "jti": str(uuid.uuid4()),
            "preferred_username": username,
            "email": user.email if user else f"{username}@example.com",
            **(extra_claims or {}),
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})


def oidc_routes(issuer: LocalOidcIssuer) -> list[BaseRoute]:
    """The issuer's discovery document and JWKS, on the runtime's own address."""

    async def discovery(request: Request) -> Response:
        return JSONResponse(issuer.discovery(str(request.base_url)))

    async def jwks(request: Request) -> Response:
        return JSONResponse(issuer.jwks())

    return [
        Route(f"{OIDC_PATH}/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route(f"{OIDC_PATH}/jwks.json", jwks, methods=["GET"]),
    ]
