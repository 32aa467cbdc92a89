"""Assembles the local AppSync runtime from the app's description: schema, bindings, functions, auth."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appdef import AppConfig, ConfigError
from appdef.bindings import BindingRegistry
from appdef.references import Reference, substitute

from . import strawberry_adapter
from .api_cache import ApiCache, CacheStore
from .auth import (
    AUTHORIZER_TIMEOUT_SECONDS,
    ApiKeyStore,
    ApiRef,
    Authenticator,
    AuthRules,
    IamCredentials,
    JwtVerifier,
    LambdaAuthorizer,
    LocalUserPool,
    SigV4Verifier,
)
from .auth.oidc import DiscoveredKeys, JwksKeys, OidcVerifier, SigningKeys
from .auth.oidc_issuer import LocalOidcIssuer
from .cdn.signing_keys import key_pair_ids, signing_keys
from .datasources import DynamoDBDataSource, PaginationTokens
from .executor import Executor
from .function_environ import process_environ
from .invocations.observer import InvocationObserver
from .js import CompiledBundles, DataSource, JsResolverRunner, NoneDataSource
from .lambda_runtime import ACCOUNT_ID, LocalFunction
from .local_references import LocalReferences
from .sdl import appsync_sdl, load_schema

# Where the app's compiled APPSYNC_JS bundles are kept, beside its other build output (`CompiledBundles`).
COMPILED_JS_DIR = Path(".build") / "appsync-js"

# `${api:api_id}` locally: the one API this runtime serves (AppSync's ids are 26 lowercase letters and digits).


@dataclass
class Runtime:
    """Everything a server (HTTP now, WebSocket later) needs to answer AppSync requests."""

    config: AppConfig
    sdl: str
    bindings: BindingRegistry
    functions: dict[str, LocalFunction]
    executor: Executor
    code_runner: JsResolverRunner
    authenticator: Authenticator
    api_keys: ApiKeyStore | None
    user_pool: LocalUserPool | None
    sigv4: SigV4Verifier | None
    observer: InvocationObserver
    references: LocalReferences
    oidc_issuer: LocalOidcIssuer | None = None
    api_cache: ApiCache | None = None

    def seed_substitutions(self) -> dict[str, str]:
        """What seed data's placeholders stand for: `sub:<username>` (a local user's sub) and `cdn:<bucket>`
        (the bucket's base URL on the local CDN)."""
        values = self.user_subs()
        for bucket in self.config.cdn_buckets:
            values[f"cdn:{bucket.name}"] = self.references(Reference("cdn", bucket.name))
        return values

    def user_subs(self) -> dict[str, str]:
        """`sub:<username>` -> the local user's Cognito sub, for seed data."""
        if self.user_pool is None:
            return {}
        return {f"sub:{u.username}": self.user_pool.sub_for(u.username) for u in self.config.local_users}


def local_user_pool(config: AppConfig, data_dir: Path | None = None) -> LocalUserPool | None:
    """The runtime's own Cognito-compatible issuer (keys persisted under the data folder)."""
    if config.cognito is None:
        return None
    return LocalUserPool(
        data_dir or config.data_dir,
        config.api.region,
        config.cognito.user_pool_id,
        config.cognito.app_client_ids[0],
        config.local_users,
    )


def local_oidc_issuer(config: AppConfig, data_dir: Path | None = None) -> LocalOidcIssuer | None:
    """The runtime's own OIDC issuer, when OPENID_CONNECT is enabled and `[local] oidc_issuer = "local"`."""
    oidc = config.auth.oidc
    if oidc is None or "OPENID_CONNECT" not in config.api.auth_modes or config.local.oidc_issuer != "local":
        return None
    return LocalOidcIssuer(data_dir or config.data_dir, oidc.issuer, oidc.client_id, config.local_users)


def oidc_verifier(config: AppConfig, issuer: LocalOidcIssuer | None) -> OidcVerifier | None:
    """OPENID_CONNECT's verifier: against the local issuer's keys, or the real issuer's discovered ones."""
    oidc = config.auth.oidc
    if oidc is None or "OPENID_CONNECT" not in config.api.auth_modes:
        return None
    keys: SigningKeys = JwksKeys(issuer.jwks) if issuer is not None else DiscoveredKeys(oidc.issuer)
    return OidcVerifier(
        oidc.issuer, keys, client_id=oidc.client_id, iat_ttl_ms=oidc.iat_ttl, auth_ttl_ms=oidc.auth_ttl
    )


def _api_values(config: AppConfig) -> dict[str, str]:
    """What `${api:…}` references read that is not an endpoint or the API key: region, ids, key expiry."""
    values = {
        "region": config.api.region,
        "api_id": local_api_id(config),
        "api_key_expiry_days": str(config.api.api_key_expiry_days),
    }
    if config.cognito is not None:
        values["user_pool_id"] = config.cognito.user_pool_id
        values["user_pool_client_id"] = config.cognito.app_client_ids[0]
    return values


def local_api_id(config: AppConfig) -> str:
    """The local API's id: 26 lower-case letters and digits like AppSync's, the same on every start."""
    digest = hashlib.sha256(config.api.name.encode()).digest()
    return base64.b32encode(digest).decode().lower()[:26]


def lambda_authorizer(config: AppConfig, functions: Mapping[str, LocalFunction]) -> LambdaAuthorizer | None:
    """AWS_LAMBDA's authorizer: `[auth.lambda]`'s function, run in-process like every function."""
    settings = config.auth.lambda_
    if settings is None or "AWS_LAMBDA" not in config.api.auth_modes:
        return None
    function = functions[settings.function]
    return LambdaAuthorizer(
        function,
        ApiRef(api_id=local_api_id(config), account_id=ACCOUNT_ID, region=config.api.region),
        ttl_seconds=settings.ttl_seconds,
        validation_expression=settings.identity_validation_expression,
        timeout_seconds=min(float(function.config.timeout_seconds), AUTHORIZER_TIMEOUT_SECONDS),
    )


def api_key_store(config: AppConfig, data_dir: Path | None = None) -> ApiKeyStore:
    return ApiKeyStore.load_or_create(data_dir or config.data_dir, config.api.api_key_expiry_days)


def data_sources(config: AppConfig, data_dir: Path | None = None) -> dict[str, DataSource]:
    """The APPSYNC_JS resolvers' data sources, by name (boto3 clients are made on first use).

    With `data_dir`, their nextTokens are encrypted with the key kept there (valid across restarts).
    """
    tokens = PaginationTokens.load_or_create(data_dir) if data_dir is not None else None
    sources: dict[str, DataSource] = {}
    for source in config.data_sources.values():
        if source.type == "AMAZON_DYNAMODB":
            sources[source.name] = DynamoDBDataSource.from_config(source, pagination=tokens)
        else:
            sources[source.name] = NoneDataSource(source.name)
    return sources


def local_functions(
    config: AppConfig,
    resolve: LocalReferences | None = None,
    observer: InvocationObserver | None = None,
    roles: Mapping[str, IamCredentials] | None = None,
) -> dict[str, LocalFunction]:
    """Every function of the app, each imported in its own environment; a bad one is refused by key path.

    `resolve` gives the local value of each reference in their environments.
    """
    resolve = resolve or LocalReferences(None, process_environ())
    observer = observer or InvocationObserver()
    functions = {
        name: LocalFunction(function, config.api.region, resolve, observer, (roles or {}).get(name))
        for name, function in config.functions.items()
    }
    for function in functions.values():
        function.check()
    return functions


def check_api_calls(config: AppConfig, app_schema: Any, rules: AuthRules) -> None:
    """Every field a function's `api_calls` names exists and allows IAM, or the app is refused (as infra would)."""
    for function in config.functions.values():
        for key in function.api_calls:
            type_name, _, field_name = key.partition(".")
            type_ = strawberry_adapter.graphql_schema(app_schema).get_type(type_name)
            if type_ is None or field_name not in getattr(type_, "fields", {}):
                raise ConfigError(f"functions.{function.name}.api_calls: the schema has no field {key}")
            if "AWS_IAM" not in rules.modes_for(type_name, field_name):
                raise ConfigError(f"functions.{function.name}.api_calls: {key} does not allow IAM callers")


def build_runtime(
    config: AppConfig,
    data_dir: Path | None = None,
    public_url: str | None = None,
    observer: InvocationObserver | None = None,
    cache_store: CacheStore | None = None,
) -> Runtime:
    """Load the schema, discover the bindings and wire auth for `config`; `public_url` is where it will serve,
    `observer` how function invocations are recorded (in memory only, by default), `cache_store` where the
    API cache (`[api.cache]`) keeps its entries (in memory; tests pass one with their own clock)."""
    data_dir = data_dir or config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    app_schema = load_schema(config.api.schema_spec)
    sdl = appsync_sdl(app_schema)
    observer = observer or InvocationObserver()
    modes = config.api.auth_modes
    # Each function signs its calls to the API with its execution role's credentials, as on Lambda.
    roles = (
        {
            name: IamCredentials.for_function_role(name, frozenset(f.api_calls))
            for name, f in config.functions.items()
        }
        if "AWS_IAM" in modes
        else {}
    )
    api_keys = api_key_store(config, data_dir) if "API_KEY" in modes else None
    references = LocalReferences(
        public_url,
        process_environ(),
        cdn_keys=key_pair_ids(signing_keys(config, data_dir)),
        api=_api_values(config),
        # Asked each time: a site's config file written after a renewal carries the renewed key.
        api_key=(lambda: api_keys.current().id) if api_keys is not None else None,
    )
    functions = local_functions(config, references, observer, roles)
    bindings = BindingRegistry.discover(
        config, lambda function: functions[function.name].import_object(function.app or "")
    )
    rules = AuthRules.from_sdl(sdl, config.api.default_auth, config.api.additional_auth)
    check_api_calls(config, app_schema, rules)

    user_pool = local_user_pool(config, data_dir) if "AMAZON_COGNITO_USER_POOLS" in modes else None
    verifier = (
        JwtVerifier(user_pool.issuer, config.cognito.app_client_ids, user_pool.jwks)
        if user_pool is not None and config.cognito is not None
        else None
    )
    oidc_issuer = local_oidc_issuer(config, data_dir)
    sigv4 = (
        SigV4Verifier([IamCredentials.load_or_create(data_dir), *roles.values()], config.api.region)
        if "AWS_IAM" in modes
        else None
    )
    # ctx.env, with `${cdn:<bucket>}` the bucket's base URL on this runtime's CDN
    api_environment = {key: substitute(value, references) for key, value in config.api.environment.items()}
    code_runner = JsResolverRunner(
        data_sources(config, data_dir), api_environment, CompiledBundles(config.root / COMPILED_JS_DIR)
    )
    code_runner.check(bindings)  # a file AppSync would reject fails here, naming file, line and rule
    api_cache = (
        ApiCache.build(config.api.cache, bindings, strawberry_adapter.graphql_schema(app_schema), cache_store)
        if config.api.cache is not None
        else None
    )
    executor = Executor(
        app_schema=app_schema,
        api=config.api,
        bindings=bindings,
        functions=functions,
        rules=rules,
        code_runner=code_runner,
        api_cache=api_cache,
    )
    return Runtime(
        config=config,
        sdl=sdl,
        bindings=bindings,
        functions=functions,
        executor=executor,
        code_runner=code_runner,
        authenticator=Authenticator(
            modes,
            api_keys,
            verifier,
            sigv4,
            oidc_verifier(config, oidc_issuer),
            lambda_authorizer=lambda_authorizer(config, functions),
        ),
        api_keys=api_keys,
        user_pool=user_pool,
        sigv4=sigv4,
        observer=observer,
        references=references,
        oidc_issuer=oidc_issuer,
        api_cache=api_cache,
    )
