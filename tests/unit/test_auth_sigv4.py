"""IAM (SigV4) requests: signatures made by botocore, as AWS clients make them, verify; anything else fails."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from gql.transport.appsync_auth import AppSyncIAMAuthentication

from appsync_local.auth import (
    INVALID_TOKEN,
    SIGNATURE_MISMATCH,
    IamCredentials,
    SigV4Verifier,
    UnauthorizedError,
)

REGION = "us-east-1"
HOST = "127.0.0.1:4000"
URL = f"http://{HOST}/graphql"
BODY = json.dumps({"query": 'query { getProfile(id: "1") { id name } }'}).encode()


@pytest.fixture
def principal(tmp_path: Path) -> IamCredentials:
    return IamCredentials.load_or_create(tmp_path)


@pytest.fixture
def verifier(principal: IamCredentials) -> SigV4Verifier:
    return SigV4Verifier([principal], REGION)


def signed(
    credentials: Credentials,
    url: str = URL,
    body: bytes = BODY,
    region: str = REGION,
    service: str = "appsync",
) -> dict[str, str]:
    """Sign a POST the way AWS SDKs do and return the headers a server would receive (lower-case)."""
    request = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
    SigV4Auth(credentials, service, region).add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = HOST  # added by the HTTP client, and signed by botocore from the URL
    return headers


def botocore_credentials(principal: IamCredentials) -> Credentials:
    return Credentials(principal.access_key_id, principal.secret_access_key, principal.session_token)


def rejection(verifier: SigV4Verifier, headers: dict[str, str], body: bytes = BODY, **kwargs: float) -> str:
    with pytest.raises(UnauthorizedError) as raised:
        verifier.verify("POST", URL, headers, body, ["203.0.113.7"], **kwargs)
    return raised.value.message


def test_a_request_signed_by_botocore_verifies_with_appsyncs_iam_identity(
    principal: IamCredentials, verifier: SigV4Verifier
) -> None:
    # GIVEN a POST signed with the local principal's key
    headers = signed(botocore_credentials(principal))

    # WHEN it is verified
    identity = verifier.verify("POST", URL, headers, BODY, ["203.0.113.7"])

    # THEN AppSync's IAM identity comes back
    assert identity == {
        "accountId": principal.account_id,
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": ["203.0.113.7"],
        "username": principal.user_id,
        "userArn": principal.user_arn,
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }


@pytest.mark.parametrize("data", ['{"query":"subscription { onX { id } }","variables":{}}', None])
def test_gqls_appsync_iam_authentication_headers_verify(
    principal: IamCredentials, verifier: SigV4Verifier, data: str | None
) -> None:
    # GIVEN the headers gql's AppSync transport sends for a subscription start, or for the connect handshake
    auth = AppSyncIAMAuthentication(
        host=HOST, region_name=REGION, credentials=botocore_credentials(principal)
    )
    headers = {name.lower(): value for name, value in auth.get_headers(data).items()}
    url = f"https://{HOST}/graphql" + ("" if data else "/connect")
    body = (data or "{}").encode()

    # WHEN they are verified against the URL and body they were signed for
    identity = verifier.verify("POST", url, headers, body, ["127.0.0.1"])

    # THEN the caller is the local principal
    assert identity["userArn"] == principal.user_arn


def test_a_wrong_secret_is_rejected(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN a request signed with the right key id but a wrong secret
    headers = signed(Credentials(principal.access_key_id, "x" * 40))

    # WHEN / THEN
    assert rejection(verifier, headers) == SIGNATURE_MISMATCH


def test_an_altered_body_is_rejected(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN a signed request whose body is changed afterwards
    headers = signed(botocore_credentials(principal))

    # WHEN / THEN
    assert rejection(verifier, headers, body=BODY.replace(b"getProfile", b"deleteTodo")) == SIGNATURE_MISMATCH


@pytest.mark.parametrize(("header", "value"), [("content-type", "text/plain"), ("host", "evil.example:4000")])
def test_an_altered_signed_header_is_rejected(
    principal: IamCredentials, verifier: SigV4Verifier, header: str, value: str
) -> None:
    # GIVEN a signed request with one signed header changed afterwards
    headers = signed(botocore_credentials(principal)) | {header: value}

    # WHEN / THEN
    assert rejection(verifier, headers) == SIGNATURE_MISMATCH


def test_a_missing_signed_header_is_rejected(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN a signed request that lost one of its signed headers on the way
    headers = signed(botocore_credentials(principal))
    del headers["content-type"]

    # WHEN / THEN
    assert rejection(verifier, headers) == SIGNATURE_MISMATCH


def test_unsigned_extra_headers_do_not_matter(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN a signed request to which a proxy added an unsigned header
    headers = signed(botocore_credentials(principal)) | {"x-forwarded-for": "198.51.100.1"}

    # WHEN / THEN it still verifies
    assert verifier.verify("POST", URL, headers, BODY, ["127.0.0.1"])["accountId"] == principal.account_id


def test_a_stale_signature_is_rejected_as_expired(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN a request signed now
    headers = signed(botocore_credentials(principal))

    # WHEN it arrives ten minutes later
    message = rejection(verifier, headers, now=time.time() + 600)

    # THEN AWS's message says it expired
    assert re.fullmatch(
        r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)",
        message,
    )


def test_a_signature_from_the_future_is_rejected(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN / WHEN a request signed ten minutes ahead of the server's clock
    message = rejection(verifier, signed(botocore_credentials(principal)), now=time.time() - 600)

    # THEN
    assert message.startswith("Signature not yet current:")


def test_an_unknown_access_key_is_rejected(verifier: SigV4Verifier) -> None:
    # GIVEN a request signed by a principal the server does not know
    stranger = IamCredentials.generate()
    headers = signed(Credentials(stranger.access_key_id, stranger.secret_access_key))

    # WHEN / THEN IAM's message for an unknown key
    assert rejection(verifier, headers) == INVALID_TOKEN


@pytest.mark.parametrize(
    ("region", "service", "expected"),
    [("eu-west-1", "appsync", "valid region"), (REGION, "execute-api", "correct service: 'appsync'")],
)
def test_a_request_scoped_to_another_region_or_service_is_rejected(
    principal: IamCredentials, verifier: SigV4Verifier, region: str, service: str, expected: str
) -> None:
    # GIVEN / WHEN a request signed for another region or service
    headers = signed(botocore_credentials(principal), region=region, service=service)

    # THEN the scope is named as the problem
    assert expected in rejection(verifier, headers)


def test_temporary_credentials_need_their_session_token(principal: IamCredentials) -> None:
    # GIVEN temporary credentials, which carry a session token
    temporary = replace(principal, session_token="FwoGZXIvYXdzEXAMPLETOKEN")
    verifier = SigV4Verifier([temporary], REGION)
    headers = signed(botocore_credentials(temporary))

    # WHEN / THEN the signed token verifies, and the same request without or with another token fails
    assert "x-amz-security-token" in headers
    assert verifier.verify("POST", URL, headers, BODY, ["127.0.0.1"])["userArn"] == principal.user_arn
    assert (
        rejection(verifier, {k: v for k, v in headers.items() if k != "x-amz-security-token"})
        == INVALID_TOKEN
    )
    assert rejection(verifier, headers | {"x-amz-security-token": "other"}) == INVALID_TOKEN


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (
            "AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1/appsync/aws4_request",
            "requires 'SignedHeaders'",
        ),
        ("AWS4-HMAC-SHA256 garbage", "requires 'Credential' parameter"),
        (
            "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00",
            "Credential should be of the form",
        ),
    ],
)
def test_a_malformed_authorization_header_is_explained(
    principal: IamCredentials, verifier: SigV4Verifier, authorization: str, expected: str
) -> None:
    # GIVEN a correctly dated request whose Authorization header is malformed
    headers = signed(botocore_credentials(principal)) | {"authorization": authorization}

    # WHEN / THEN the message says what is wrong
    assert expected in rejection(verifier, headers)


def test_a_request_without_x_amz_date_is_rejected(principal: IamCredentials, verifier: SigV4Verifier) -> None:
    # GIVEN a signed request stripped of its date
    headers = signed(botocore_credentials(principal))
    del headers["x-amz-date"]

    # WHEN / THEN
    assert "X-Amz-Date" in rejection(verifier, headers)


def test_the_local_principal_is_created_once_and_looks_like_aws(tmp_path: Path) -> None:
    # GIVEN / WHEN the principal is loaded twice from the same data directory
    first = IamCredentials.load_or_create(tmp_path)
    second = IamCredentials.load_or_create(tmp_path)

    # THEN it is the same principal, in AWS's formats
    assert first == second
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", first.access_key_id)
    assert len(first.secret_access_key) == 40
    assert re.fullmatch(r"\d{12}", first.account_id)
    assert first.user_arn == f"arn:aws:iam::{first.account_id}:user/local-developer"
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", first.user_id)
