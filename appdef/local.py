"""`[local]`: what only the local runtime uses (its data folder, demo data and demo users)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from .base import KEY, Definition, Name, StrictBool, StrictStr, named
from .delivery_streams import LocalDeliveryStream

DEMO_PASSWORD = "Passw0rd!"


class LocalUser(Definition):
    """A demo user of the local user pool."""

    username: SkipJsonSchema[str] = named()
    email: Annotated[StrictStr, Field(pattern=r"^[^@\s]+@[^@\s]+$")] = Field(
        "", description="Default: `<username>@example.com`."
    )
    password: Annotated[StrictStr, Field(min_length=8)] = DEMO_PASSWORD
    groups: tuple[StrictStr, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _default_email(cls, data: Any) -> Any:
        if isinstance(data, dict) and "email" not in data and isinstance(data.get(KEY), str):
            return {**data, "email": f"{data[KEY]}@example.com"}
        return data


class LocalConfig(Definition):
    """The local runtime's own settings."""

    data_dir: StrictStr = Field(".data", description="Tables, objects and keys, relative to this file.")
    seed: StrictStr | None = Field(
        None, description="Demo data, written once and never over a user's change."
    )
    users: dict[Annotated[StrictStr, Field(pattern=r"^[\w.@+-]+$", max_length=128)], LocalUser] = Field(
        default_factory=dict
    )
    pages: dict[Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")], StrictStr] = Field(
        default_factory=dict,
        description='Shortcuts to pages a bucket\'s site serves: `{ ingestion = "blog-site/ingestion.html" }` '
        "makes `/_local/ingestion` open that page on the local CDN, and the start banner lists it.",
    )
    oidc_issuer: Literal["local", "discover"] = Field(
        "local",
        description='OPENID_CONNECT locally. "local": the runtime stands in for `[auth.oidc] issuer` with its '
        "own key (`make token ISSUER=oidc` mints its tokens; discovery and JWKS under `/_local/oidc/`). "
        '"discover": tokens come from the real issuer and are verified against the keys its '
        "`/.well-known/openid-configuration` names, as AppSync does.",
    )
    graphiql: StrictBool = Field(
        True,
        description="Serve GraphiQL (its page at GET /graphql, its files, its graphql-transport-ws socket). "
        "`false` is the production profile: GET /graphql answers as AppSync does (405, POST only) and no IDE "
        "is reachable.",
    )
    skip_schedules: tuple[Name, ...] = Field(
        (),
        description="Functions whose schedule triggers do not fire locally (said once at start): one that "
        "does on AWS what the local runtime does itself, such as rotating the API key.",
    )
    delivery_streams: dict[Name, LocalDeliveryStream] = Field(
        default_factory=dict,
        description="Local buffering of `[delivery_streams]` (e.g. `buffer_interval_seconds = 5`); deployed "
        "streams keep their own.",
    )
