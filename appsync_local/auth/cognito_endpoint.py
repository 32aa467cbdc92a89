"""Cognito's own sign-in call, locally: `InitiateAuth` with `USER_PASSWORD_AUTH`, on Cognito's JSON protocol.

A page or client that signs in with Cognito (`POST` to `https://cognito-idp.<region>.amazonaws.com/` with
`X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth`) does the same against `<server>/_local/cognito/`
(`${api:user_pool_endpoint}`): the same request, the same `AuthenticationResult`, the same error types.
Cognito's SRP flow needs Cognito's password verifiers; the local pool answers USER_PASSWORD_AUTH only, and
says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..local_references import COGNITO_PATH
from .errors import UnauthorizedError
from .user_pool import LocalUserPool

INITIATE_AUTH = "AWSCognitoIdentityProviderService.InitiateAuth"
_CONTENT_TYPE = "application/x-amz-json-1.1"


def _failure(error_type: str, message: str, status: int = 400) -> Response:
    return JSONResponse(
        {"__type": error_type, "message": message}, status_code=status, media_type=_CONTENT_TYPE
    )


def cognito_routes(user_pool: LocalUserPool, client_ids: Sequence[str]) -> list[BaseRoute]:
    """`POST /_local/cognito/`: InitiateAuth for the app's clients."""

    async def initiate_auth(request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        if target != INITIATE_AUTH:
            return _failure("UnknownOperationException", f"The local user pool answers {INITIATE_AUTH} only.")
        try:
            payload: Any = json.loads(await request.body())
            flow, client_id = payload["AuthFlow"], payload["ClientId"]
            parameters = payload.get("AuthParameters") or {}
        except (ValueError, KeyError, TypeError, RecursionError):
            return _failure("InvalidParameterException", "Send a JSON object with AuthFlow and ClientId.")
        if client_id not in client_ids:
            return _failure("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
        if flow != "USER_PASSWORD_AUTH":
            return _failure(
                "InvalidParameterException",
                f"The local user pool signs in with USER_PASSWORD_AUTH only (not {flow}).",
            )
        if not isinstance(parameters, dict) or "USERNAME" not in parameters or "PASSWORD" not in parameters:
            return _failure("InvalidParameterException", "Missing required parameter USERNAME or PASSWORD.")
        try:
            result = user_pool.sign_in(str(parameters["USERNAME"]), str(parameters["PASSWORD"]))
        except UnauthorizedError as exc:
            return _failure("NotAuthorizedException", exc.message)
        return JSONResponse(
            {"AuthenticationResult": result, "ChallengeParameters": {}}, media_type=_CONTENT_TYPE
        )

    return [
        Route(COGNITO_PATH, initiate_auth, methods=["POST"]),
        Route(COGNITO_PATH.rstrip("/"), initiate_auth, methods=["POST"]),
    ]
