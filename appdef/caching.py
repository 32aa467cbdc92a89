"""Per-resolver caching (AppSync's `CachingConfig`): a resolver's TTL and caching keys.

It is declared where the resolver's binding is: `[functions.<f>.caching."<Type>.<field>"]` for a field a
Lambda function's router serves, `[pipelines."<Type>.<field>".caching]` for a pipeline resolver and
`[data_sources.<d>.caching."<Type>.<field>"]` for a unit resolver file under `resolvers/js/<d>/`. It applies
when `[api.cache] behavior = "PER_RESOLVER_CACHING"`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from .base import Definition, StrictInt, StrictStr

# AppSync's caching keys: the maps `$context.arguments` (or `$context.args`), `$context.source`,
# `$context.identity`, or fields inside them (`$context.arguments.id`, `$context.args.input.id`,
# `$context.identity.claims.cognito:username`). AppSync's refusal names the same four: "Caching keys need to
# start with $context.args, $context.arguments, $context.identity, or $context.source".
CachingKey = Annotated[
    StrictStr,
    Field(
        pattern=r"^\$context\.(args|arguments|source|identity)(\.[A-Za-z_][A-Za-z0-9_:-]*)*$", max_length=256
    ),
]
# With no caching keys, AppSync keys a resolver on all three maps: the same as full request caching.
DEFAULT_CACHING_KEYS: tuple[str, ...] = ("$context.arguments", "$context.source", "$context.identity")


class ResolverCachingConfig(Definition):
    """One resolver's cache: how long an entry lives and what it is keyed on."""

    ttl_seconds: StrictInt | None = Field(
        None, ge=1, le=3600, description="1-3600 (AppSync); default: `[api.cache] ttl_seconds`."
    )
    caching_keys: tuple[CachingKey, ...] = Field(
        (),
        description="What an entry is keyed on, in order (evictions name them in this order): "
        '`["$context.identity.sub", "$context.arguments.id"]`. None: all of `$context.arguments`, '
        "`$context.source` and `$context.identity`.",
    )

    @field_validator("caching_keys")
    @classmethod
    def _distinct(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(keys)) != len(keys):
            raise ValueError("lists a caching key twice")
        return keys

    @property
    def keys(self) -> tuple[str, ...]:
        """The caching keys that apply: the listed ones, or AppSync's default."""
        return self.caching_keys or DEFAULT_CACHING_KEYS

    def ttl(self, default: int) -> int:
        """This resolver's TTL, or the API cache's when none is set."""
        return self.ttl_seconds if self.ttl_seconds is not None else default
