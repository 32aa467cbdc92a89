"""`[api]`: the GraphQL API's settings, its cache and its firewall."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .base import Definition, StrictBool, StrictInt, StrictStr

AuthMode = Literal["API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA"]
AUTH_MODES: tuple[str, ...] = AuthMode.__args__  # type: ignore[attr-defined]

# AppSync's API environment variables: 2-64 characters, a letter first; at most 50, values up to 512.
ApiVariableName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{1,63}$")]
ApiVariableValue = Annotated[StrictStr, Field(max_length=512)]


class CacheConfig(Definition):
    """An AppSync API cache (`AWS::AppSync::ApiCache`): instance type, behaviour, TTL.

    FULL_REQUEST_CACHING caches every query resolver's result, keyed on its arguments, source and the
    caller's identity; PER_RESOLVER_CACHING only the resolvers given a `caching` setting (where their
    binding is declared), keyed on their `caching_keys`. The local runtime keeps the entries in memory
    (flushed by a restart); `type` is what is deployed.
    """

    type: Literal["SMALL", "MEDIUM", "LARGE", "XLARGE", "LARGE_2X", "LARGE_4X", "LARGE_8X", "LARGE_12X"] = (
        Field("SMALL", description="The cache instance type.")
    )
    behavior: Literal["FULL_REQUEST_CACHING", "PER_RESOLVER_CACHING", "OPERATION_LEVEL_CACHING"] = Field(
        "FULL_REQUEST_CACHING", description="What AppSync caches."
    )
    ttl_seconds: StrictInt = Field(
        300, ge=1, le=3600, description="Seconds an entry lives (1-3600, as in AppSync)."
    )
    at_rest_encryption: StrictBool = Field(True, description="Always true for a new cache (AppSync).")
    transit_encryption: StrictBool = Field(True, description="Always true for a new cache (AppSync).")


class WafConfig(Definition):
    """The firewall in front of the deployed API."""

    rate_limit: StrictInt = Field(
        1000,
        ge=10,
        le=2_000_000_000,
        description="Requests one IP may make in 5 minutes before WAF blocks it.",
    )


class ApiConfig(Definition):
    """The GraphQL API: schema, auth modes, AppSync's limits, `ctx.env`, cache and firewall."""

    name: Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9-]{0,127}$")] = Field(
        "api", description="The API's name; the deployed stack is named after it."
    )
    schema_: Annotated[StrictStr, Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")] = Field(
        alias="schema", description="The strawberry Schema, as `module:attribute`."
    )
    js_resolvers: StrictStr = Field(
        "resolvers/js", description="The APPSYNC_JS resolvers' folder, relative to this file."
    )
    default_auth: AuthMode = "API_KEY"
    additional_auth: tuple[AuthMode, ...] = ()
    query_depth_limit: StrictInt = Field(0, ge=0, le=75, description="0 = no limit, else 1-75 (AppSync).")
    resolver_count_limit: StrictInt = Field(
        0, ge=0, le=10_000, description="0 = 10,000, else 1-10,000 (AppSync)."
    )
    introspection: Literal["ENABLED", "DISABLED"] = Field(
        "ENABLED",
        description="DISABLED refuses `__schema` and `__type` queries. Errors never suggest field names "
        "(AppSync makes no suggestions), whichever is set.",
    )
    api_key_expiry_days: StrictInt = Field(7, ge=1, le=365, description="API keys last 1-365 days (AppSync).")
    region: Annotated[StrictStr, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] = "us-east-1"
    environment: dict[ApiVariableName, ApiVariableValue] = Field(
        default_factory=dict,
        description="AppSync's API environment variables (`ctx.env`); a value naming a table becomes its deployed "
        "name, and `${cdn:<bucket>}` the bucket's CDN base URL (locally the runtime's, deployed the distribution's).",
        max_length=50,
    )
    cache: CacheConfig | None = Field(
        None, description="The API cache; none by default (an idle cache costs)."
    )
    waf: WafConfig = WafConfig()

    @field_validator("additional_auth")
    @classmethod
    def _distinct(cls, modes: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(modes)) != len(modes):
            raise ValueError("lists a mode twice")
        return modes

    @property
    def schema_spec(self) -> str:
        """The strawberry Schema's `module:attribute`."""
        return self.schema_

    @property
    def auth_modes(self) -> tuple[str, ...]:
        return (self.default_auth, *self.additional_auth)

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection == "ENABLED"

    @property
    def effective_resolver_count_limit(self) -> int:
        return self.resolver_count_limit or 10_000
