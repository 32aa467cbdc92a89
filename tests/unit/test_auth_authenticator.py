"""Choosing the auth mode from a request's headers and building AppSync's identity."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from appdef import LocalUser
from appsync_local.auth import (
    API_KEY,
    AWS_IAM,
    NO_CREDENTIALS,
    NOT_AUTHORIZED,
    USER_POOLS,
    ApiKeyStore,
    Authenticator,
    IamCredentials,
    JwtVerifier,
    LocalUserPool,
    SigV4Verifier,
    UnauthorizedError,
)

URL = "http://127.0.0.1:4000/graphql"
BODY = b'{"query":"{ me { id } }"}'
ALL_MODES = (USER_POOLS, API_KEY, AWS_IAM)


class Local:
    """The three verifiers on one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.keys = ApiKeyStore.load_or_create(data_dir, expiry_days=7)
        self.pool = LocalUserPool(
            data_dir,
            "us-east-1",
            "us-east-1_LocalPool",
            "web",
            [LocalUser.named("alice", email="a@example.com", password="Passw0rd!", groups=("authors",))],
        )
        self.iam = IamCredentials.load_or_create(data_dir)
        self.jwt = JwtVerifier(self.pool.issuer, ["web"], self.pool.jwks)
        self.sigv4 = SigV4Verifier([self.iam], "us-east-1")

    def authenticator(self, modes: tuple[str, ...] = ALL_MODES) -> Authenticator:
        return Authenticator(modes, self.keys, self.jwt, self.sigv4)

    def signed_headers(self) -> dict[str, str]:
        request = AWSRequest(method="POST", url=URL, data=BODY, headers={"content-type": "application/json"})
        SigV4Auth(
            Credentials(self.iam.access_key_id, self.iam.secret_access_key), "appsync", "us-east-1"
        ).add_auth(request)
        return {name.lower(): value for name, value in request.headers.items()} | {"host": "127.0.0.1:4000"}


@pytest.fixture
def local(tmp_path: Path) -> Local:
    return Local(tmp_path)


def failure(authenticator: Authenticator, headers: dict[str, str]) -> str:
    with pytest.raises(UnauthorizedError) as raised:
        authenticator.authenticate("POST", URL, headers, BODY, "127.0.0.1")
    return raised.value.message


def test_an_api_key_request_has_no_identity(local: Local) -> None:
    # GIVEN / WHEN a request with the local API key
    auth = local.authenticator().authenticate(
        "POST", URL, {"x-api-key": local.keys.current().id}, BODY, "127.0.0.1"
    )

    # THEN
    assert (auth.mode, auth.identity, auth.groups) == (API_KEY, None, ())


@pytest.mark.parametrize("prefix", ["", "Bearer "])
def test_a_user_pool_token_gives_cognitos_identity(local: Local, prefix: str) -> None:
    # GIVEN a user token, sent bare (as AppSync clients do) or with a Bearer prefix
    token = local.pool.mint("alice")

    # WHEN
    auth = local.authenticator().authenticate(
        "POST", URL, {"authorization": prefix + token}, BODY, "10.0.0.9"
    )

    # THEN AppSync's Cognito identity is built from the verified claims
    assert auth.mode == USER_POOLS
    assert auth.groups == ("authors",)
    assert auth.identity == {
        "sub": local.pool.sub_for("alice"),
        "issuer": local.pool.issuer,
        "username": "alice",
        "claims": auth.claims,
        "sourceIp": ["10.0.0.9"],
        "defaultAuthStrategy": "ALLOW",
        "groups": ["authors"],
    }


def test_source_ip_lists_the_forwarded_addresses_then_the_connections(local: Local) -> None:
    # GIVEN requests that came through proxies, which named the addresses before them in X-Forwarded-For
    forwarded = {"x-forwarded-for": "203.0.113.7, 198.51.100.2"}
    token = local.pool.mint("alice")

    # WHEN a user-pool caller and a signed IAM caller send them
    user = local.authenticator().authenticate(
        "POST", URL, {"authorization": token, **forwarded}, BODY, "10.0.0.9"
    )
    iam = local.authenticator().authenticate(
        "POST", URL, {**local.signed_headers(), **forwarded}, BODY, "10.0.0.9"
    )

    # THEN AppSync's sourceIp lists those addresses, then the connection's
    assert user.identity is not None and iam.identity is not None
    assert (
        user.identity["sourceIp"] == iam.identity["sourceIp"] == ["203.0.113.7", "198.51.100.2", "10.0.0.9"]
    )


def test_an_access_token_names_the_user_and_no_groups_are_null(local: Local) -> None:
    # GIVEN an access token for a user without groups
    token = local.pool.mint("zoe", groups=[], token_use="access")

    # WHEN
    auth = local.authenticator().authenticate("POST", URL, {"authorization": token}, BODY, "127.0.0.1")

    # THEN
    assert auth.identity is not None
    assert (auth.identity["username"], auth.identity["groups"], auth.groups) == ("zoe", None, ())


def test_a_sigv4_request_is_iam(local: Local) -> None:
    # GIVEN / WHEN a SigV4-signed request
    auth = local.authenticator().authenticate("POST", URL, local.signed_headers(), BODY, "127.0.0.1")

    # THEN
    assert auth.mode == AWS_IAM
    assert auth.identity is not None and auth.identity["userArn"] == local.iam.user_arn


def test_no_credentials_get_appsyncs_message(local: Local) -> None:
    # GIVEN / WHEN / THEN
    assert failure(local.authenticator(), {"content-type": "application/json"}) == NO_CREDENTIALS


@pytest.mark.parametrize(
    ("modes", "header"),
    [((USER_POOLS,), "x-api-key"), ((API_KEY,), "authorization"), ((USER_POOLS, API_KEY), "sigv4")],
)
def test_credentials_for_modes_the_api_does_not_enable_do_not_count(
    local: Local, modes: tuple[str, ...], header: str
) -> None:
    # GIVEN valid credentials of a mode the API lacks
    headers = {
        "x-api-key": {"x-api-key": local.keys.current().id},
        "authorization": {"authorization": local.pool.mint("alice")},
        "sigv4": local.signed_headers(),
    }[header]

    # WHEN / THEN they are not accepted
    assert failure(local.authenticator(modes), headers) == NO_CREDENTIALS


def test_an_invalid_token_is_final_even_with_an_api_key(local: Local) -> None:
    # GIVEN a forged token next to a valid API key
    headers = {"authorization": local.pool.mint("alice")[:-4] + "AAAA", "x-api-key": local.keys.current().id}

    # WHEN / THEN the token's verdict stands
    assert failure(local.authenticator(), headers) == NOT_AUTHORIZED


def test_an_enabled_mode_needs_its_verifier(local: Local) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValueError, match="AWS_IAM"):
        Authenticator(ALL_MODES, local.keys, local.jwt, None)


def test_a_realtime_header_object_with_capitalized_keys_is_understood(local: Local) -> None:
    # GIVEN the `header` object a realtime client sends in the query string, keys as clients write them
    header = {"host": "127.0.0.1:4000", "Authorization": local.pool.mint("alice")}

    # WHEN / THEN
    assert local.authenticator().authenticate("POST", URL, header, b"{}", "127.0.0.1").mode == USER_POOLS


def test_a_function_roles_requests_carry_the_fields_its_policy_allows(tmp_path: Path) -> None:
    # GIVEN a function role allowed one mutation, beside the local IAM user (allowed every IAM field)
    local = Local(tmp_path)
    role = IamCredentials.for_function_role("ingest-report", frozenset({"Mutation.publishIngestionResult"}))
    authenticator = Authenticator(
        ALL_MODES, local.keys, local.jwt, SigV4Verifier([local.iam, role], "us-east-1")
    )
    request = AWSRequest(method="POST", url=URL, data=BODY, headers={"content-type": "application/json"})
    SigV4Auth(
        Credentials(role.access_key_id, role.secret_access_key, role.session_token), "appsync", "us-east-1"
    ).add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()} | {"host": "127.0.0.1:4000"}
    # WHEN each signs a request
    as_role = authenticator.authenticate("POST", URL, headers, BODY, "127.0.0.1")
    as_user = authenticator.authenticate("POST", URL, local.signed_headers(), BODY, "127.0.0.1")
    # THEN the role's policy goes with its request, and the user's is not narrowed
    assert as_role.allowed_fields == frozenset({"Mutation.publishIngestionResult"})
    assert as_user.allowed_fields is None
