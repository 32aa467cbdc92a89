"""AWS_LAMBDA: the authorizer function decides, its answers are cached per token, and its denials are AppSync's.

The authorizer is a real function unit (tests/fixtures/authorizer_app) run in-process as the runtime runs
every function; its token says what it answers.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from appdef import FunctionConfig
from appsync_local.auth import (
    API_KEY,
    AWS_IAM,
    AWS_LAMBDA,
    NOT_AUTHORIZED,
    USER_POOLS,
    ApiRef,
    Authenticator,
    AuthRules,
    LambdaAuthorizer,
    RequestAuth,
    UnauthorizedError,
)
from appsync_local.lambda_runtime import LocalFunction
from tests.fixtures.authorizer_app import handler as authorizer_app
from tests.unit.test_auth_authenticator import BODY, URL, Local

API = ApiRef(api_id="localapi0000000000000000aa", account_id="000000000000", region="us-east-1")
HEADERS = {"authorization": "allow", "x-client": "tests"}


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def function() -> LocalFunction:
    config = FunctionConfig.named(
        "authorizer", handler="tests.fixtures.authorizer_app.handler.lambda_handler"
    )
    return LocalFunction(config, "us-east-1")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def authorizer(
    function: LocalFunction,
    clock: Clock,
    *,
    ttl: int = 300,
    expression: str | None = None,
    timeout: float = 10.0,
) -> LambdaAuthorizer:
    return LambdaAuthorizer(
        function, API, ttl_seconds=ttl, validation_expression=expression, timeout_seconds=timeout, clock=clock
    )


def refused(authorizer: LambdaAuthorizer, token: str) -> str:
    with pytest.raises(UnauthorizedError) as raised:
        authorizer.authorize(token, {"authorization": token}, BODY)
    return raised.value.message


def test_an_allowed_token_is_a_lambda_caller_whose_identity_is_the_resolver_context(
    function: LocalFunction, clock: Clock
) -> None:
    # WHEN the authorizer allows the token
    auth = authorizer(function, clock).authorize("allow", HEADERS, BODY)

    # THEN the caller is AWS_LAMBDA with AppSync's Lambda identity
    assert auth.mode == AWS_LAMBDA
    assert auth.identity == {"resolverContext": {"who": "allow"}}
    assert auth.denied_fields == frozenset()


def test_the_function_gets_appsyncs_authorizer_event(function: LocalFunction, clock: Clock) -> None:
    # GIVEN a request with an operation name and variables
    body = json.dumps(
        {"query": "query Q($n: Int) { a(n: $n) }", "variables": {"n": 1}, "operationName": "Q"}
    ).encode()

    # WHEN it is authorized
    auth = authorizer(function, clock).authorize("echo", {"authorization": "echo", "x-client": "t"}, body)

    # THEN the function saw the token, the request and its headers, in its own environment
    assert isinstance(auth.identity, dict)
    context = auth.identity["resolverContext"]
    event = json.loads(context["event"])
    request_id = event["requestContext"].pop("requestId")
    assert uuid.UUID(request_id)
    assert event == {
        "authorizationToken": "echo",
        "requestContext": {
            "apiId": API.api_id,
            "accountId": API.account_id,
            "queryString": "query Q($n: Int) { a(n: $n) }",
            "operationName": "Q",
            "variables": {"n": 1},
        },
        "requestHeaders": {"authorization": "echo", "x-client": "t"},
    }
    assert context["function"] == "authorizer"


def test_a_denied_token_is_appsyncs_401(function: LocalFunction, clock: Clock) -> None:
    # WHEN / THEN
    assert (
        refused(authorizer(function, clock), "deny")
        == NOT_AUTHORIZED
        == "You are not authorized to make this call."
    )


def test_denied_fields_in_short_form_and_this_apis_arns(function: LocalFunction, clock: Clock) -> None:
    # WHEN the answer denies Query.secret, this API's Post.body (ARN) and another API's Post.title (ARN)
    auth = authorizer(function, clock).authorize("fields", HEADERS, BODY)

    # THEN this API's two are denied, the other API's ARN is not this API's concern
    assert auth.denied_fields == frozenset({"Query.secret", "Post.body"})


def test_an_answer_is_reused_for_the_same_token_until_the_ttl_ends(
    function: LocalFunction, clock: Clock
) -> None:
    # GIVEN an API caching answers for 300 s, and one request authorized
    lambda_auth = authorizer(function, clock, ttl=300)
    lambda_auth.authorize("allow", HEADERS, BODY)

    # WHEN the same token comes back within the TTL
    clock.now += 299
    lambda_auth.authorize("allow", HEADERS, BODY)
    # THEN the function was not called again; after the TTL it is
    assert function.invocations == 1
    clock.now += 1
    lambda_auth.authorize("allow", HEADERS, BODY)
    assert function.invocations == 2


def test_a_denial_is_cached_like_any_answer(function: LocalFunction, clock: Clock) -> None:
    # GIVEN / WHEN a token denied twice within the TTL
    lambda_auth = authorizer(function, clock)
    refused(lambda_auth, "deny")
    refused(lambda_auth, "deny")

    # THEN the function answered once
    assert function.invocations == 1


def test_ttl_override_replaces_the_apis_ttl(function: LocalFunction, clock: Clock) -> None:
    # GIVEN answers overriding the API's 300 s: 5 s, and 0 (never cached)
    lambda_auth = authorizer(function, clock, ttl=300)
    for _ in range(3):
        lambda_auth.authorize("ttl-0", HEADERS, BODY)
    assert function.invocations == 3
    lambda_auth.authorize("ttl-5", HEADERS, BODY)
    clock.now += 4
    lambda_auth.authorize("ttl-5", HEADERS, BODY)
    assert function.invocations == 4
    # WHEN 5 s have passed
    clock.now += 1
    lambda_auth.authorize("ttl-5", HEADERS, BODY)
    # THEN the function is asked again
    assert function.invocations == 5


def test_an_api_ttl_of_zero_never_caches(function: LocalFunction, clock: Clock) -> None:
    lambda_auth = authorizer(function, clock, ttl=0)
    lambda_auth.authorize("allow", HEADERS, BODY)
    lambda_auth.authorize("allow", HEADERS, BODY)
    assert function.invocations == 2


def test_a_token_the_validation_expression_refuses_never_reaches_the_function(
    function: LocalFunction, clock: Clock
) -> None:
    # GIVEN an expression for tokens like `tok-1234`
    lambda_auth = authorizer(function, clock, expression=r"tok-\d{4}")

    # WHEN tokens that do not match it entirely, or are longer than AppSync's 2,048 characters, arrive
    for token in ("allow", "tok-12345", "xtok-1234"):
        assert refused(lambda_auth, token) == NOT_AUTHORIZED
    assert refused(authorizer(function, clock), "a" * 2049) == NOT_AUTHORIZED

    # THEN the function was never called; a matching token is asked about
    assert function.invocations == 0
    assert refused(lambda_auth, "tok-1234") == NOT_AUTHORIZED  # the fixture allows only `allow`
    assert function.invocations == 1


@pytest.mark.parametrize("token", ["raise", "malformed", "nested"])
def test_an_authorizer_that_fails_or_answers_nonsense_is_a_401_never_cached(
    function: LocalFunction, clock: Clock, token: str
) -> None:
    # GIVEN a function that raises, answers isAuthorized "yes", or nests its resolverContext
    lambda_auth = authorizer(function, clock)

    # WHEN / THEN the caller gets AppSync's 401, and the next request asks again
    assert refused(lambda_auth, token) == NOT_AUTHORIZED
    assert refused(lambda_auth, token) == NOT_AUTHORIZED
    assert function.invocations == 2


def test_an_authorizer_that_does_not_answer_in_time_is_a_401(function: LocalFunction, clock: Clock) -> None:
    # GIVEN an authorizer given 0.2 s, whose function waits for the test
    lambda_auth = authorizer(function, clock, timeout=0.2)
    authorizer_app.RELEASE.clear()
    try:
        # WHEN / THEN the request is refused without waiting for the function
        assert refused(lambda_auth, "block") == NOT_AUTHORIZED
    finally:
        authorizer_app.RELEASE.set()


def local_with_lambda(
    tmp_path: Path, function: LocalFunction, modes: tuple[str, ...]
) -> tuple[Local, Authenticator]:
    local = Local(tmp_path)
    lambda_auth = LambdaAuthorizer(function, API, ttl_seconds=0)
    return local, Authenticator(modes, local.keys, local.jwt, local.sigv4, lambda_authorizer=lambda_auth)


def test_jwts_and_signatures_stay_with_their_modes_when_lambda_is_also_enabled(
    tmp_path: Path, function: LocalFunction
) -> None:
    # GIVEN an API with user pools, API key, IAM and a Lambda authorizer
    local, authenticator = local_with_lambda(tmp_path, function, (USER_POOLS, API_KEY, AWS_IAM, AWS_LAMBDA))
    token = local.pool.mint("alice")

    # WHEN a user token (bare or Bearer), a SigV4 signature and an opaque token arrive
    def mode(headers: dict[str, str]) -> str:
        return authenticator.authenticate("POST", URL, headers, BODY, "127.0.0.1").mode

    # THEN each goes to its own mode; only the opaque token reaches the authorizer
    assert mode({"authorization": token}) == USER_POOLS
    assert mode({"authorization": f"Bearer {token}"}) == USER_POOLS
    assert mode(local.signed_headers()) == AWS_IAM
    assert function.invocations == 0
    assert mode({"Authorization": "allow"}) == AWS_LAMBDA
    assert function.invocations == 1
    # AND a forged JWT (another signature) is the user pool's to refuse, not the authorizer's
    header, claims, _ = token.split(".")
    with pytest.raises(UnauthorizedError):
        mode({"authorization": f"{header}.{claims}.Zm9yZ2Vk"})
    assert function.invocations == 1


def test_a_jwt_with_a_prefix_goes_to_the_authorizer_beside_user_pools(
    tmp_path: Path, function: LocalFunction
) -> None:
    # GIVEN an API with user pools and a Lambda authorizer
    local, authenticator = local_with_lambda(tmp_path, function, (USER_POOLS, AWS_LAMBDA))

    # WHEN a JWT meant for the authorizer arrives with a prefix (AppSync's advice), or a value of three
    # dotted parts that are not JSON
    for value in (f"partner{local.pool.mint('alice')}", "not.a.jwt"):
        # THEN the authorizer decides (the fixture allows only `allow`)
        with pytest.raises(UnauthorizedError, match=NOT_AUTHORIZED):
            authenticator.authenticate("POST", URL, {"authorization": value}, BODY, "127.0.0.1")
    assert function.invocations == 2


def test_without_a_jwt_mode_every_authorization_value_is_the_authorizers(
    tmp_path: Path, function: LocalFunction
) -> None:
    # GIVEN an API with the API key and a Lambda authorizer only
    _, authenticator = local_with_lambda(tmp_path, function, (API_KEY, AWS_LAMBDA))

    # WHEN a JWT-shaped value arrives / THEN the authorizer decides (the fixture allows only `allow`)
    with pytest.raises(UnauthorizedError, match=NOT_AUTHORIZED):
        authenticator.authenticate("POST", URL, {"authorization": "a.b.c"}, BODY, "127.0.0.1")
    assert function.invocations == 1


async def test_authenticate_async_runs_the_authorizer_off_the_event_loop(
    tmp_path: Path, function: LocalFunction
) -> None:
    _, authenticator = local_with_lambda(tmp_path, function, (API_KEY, AWS_LAMBDA))
    auth = await authenticator.authenticate_async("POST", URL, {"Authorization": "allow"}, BODY, "127.0.0.1")
    assert auth.identity == {"resolverContext": {"who": "allow"}}


def test_aws_lambda_directives_and_denied_fields() -> None:
    # GIVEN a schema where secret and Post are open to Lambda callers, and the default mode is the user pool
    rules = AuthRules.from_sdl(
        "type Query { secret: String @aws_lambda open: String @aws_lambda @aws_api_key mine: String }"
        " type Post @aws_lambda { title: String body: String }",
        USER_POOLS,
        (AWS_LAMBDA, API_KEY),
    )
    partner = RequestAuth(mode=AWS_LAMBDA, identity={"resolverContext": {}})
    narrowed = RequestAuth(
        mode=AWS_LAMBDA,
        identity={"resolverContext": {}},
        denied_fields=frozenset({"Query.secret", "Post.body"}),
    )

    # THEN @aws_lambda opens fields to Lambda callers, the default mode's fields stay closed to them,
    assert rules.allows("Query", "secret", partner)
    assert rules.allows("Query", "open", partner)
    assert rules.allows("Post", "body", partner)
    assert not rules.allows("Query", "mine", partner)
    # AND the answer's deniedFields close fields the directives open
    assert not rules.allows("Query", "secret", narrowed)
    assert not rules.allows("Post", "body", narrowed)
    assert rules.allows("Post", "title", narrowed)
    assert rules.allows("Query", "open", narrowed)
