"""Signing in as with Cognito: boto3's own cognito-idp client, pointed at the local user pool's endpoint
(`${api:user_pool_endpoint}`), gets tokens the API accepts, and Cognito's error types otherwise."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.contract.clients import run, user_client
from tests.fixtures.live_server import LiveServer


@pytest.fixture
def cognito(live_server: LiveServer) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=f"{live_server.base_url}/_local/cognito/",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
    )


def _sign_in(
    cognito: Any,
    username: str,
    password: str,
    flow: str = "USER_PASSWORD_AUTH",
    client_id: str = "local-web-client",
) -> Any:
    return cognito.initiate_auth(
        AuthFlow=flow, ClientId=client_id, AuthParameters={"USERNAME": username, "PASSWORD": password}
    )


def test_a_demo_user_signs_in_and_the_api_accepts_the_id_token(live_server: LiveServer, cognito: Any) -> None:
    result = _sign_in(cognito, "carol", "Passw0rd!")["AuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    me = run(user_client(live_server.url, result["IdToken"]), "{ me { username } }")["me"]
    assert me["username"] == "carol"


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"password": "wrong"}, "NotAuthorizedException", "Incorrect username or password."),
        ({"username": "nobody"}, "NotAuthorizedException", "Incorrect username or password."),
        (
            {"client_id": "another-client"},
            "ResourceNotFoundException",
            "User pool client another-client does not exist.",
        ),
        ({"flow": "USER_SRP_AUTH"}, "InvalidParameterException", "USER_PASSWORD_AUTH only"),
    ],
)
def test_refusals_carry_cognitos_error_types(
    cognito: Any, arguments: dict[str, str], error: str, message: str
) -> None:
    values = {"username": "carol", "password": "Passw0rd!", **arguments}
    with pytest.raises(ClientError) as refused:
        _sign_in(
            cognito,
            values["username"],
            values["password"],
            **{k: v for k, v in values.items() if k in ("flow", "client_id")},
        )
    assert refused.value.response["Error"]["Code"] == error
    assert message in refused.value.response["Error"]["Message"]
