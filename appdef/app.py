"""The whole app definition (`appsync.toml`), and the checks that span its tables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from .api import ApiConfig
from .auth import AuthConfig, CognitoConfig
from .base import KEY, Definition, Name
from .functions import FunctionConfig
from .local import LocalConfig, LocalUser
from .resources import BucketConfig, BucketName, DataSourceConfig, FieldKey, PipelineConfig, TableConfig

# Tables of named entries, by their path in the file: each entry learns its own key.
_NAMED = (("functions",), ("tables",), ("data_sources",), ("pipelines",), ("buckets",), ("local", "users"))

Location = tuple[str | int, ...]


def _name_entries(entries: Any) -> Any:
    if not isinstance(entries, Mapping):
        return entries
    return {
        key: ({**value, KEY: key} if isinstance(value, Mapping) else value) for key, value in entries.items()
    }


def _with_names(data: Any, path: tuple[str, ...]) -> Any:
    if not isinstance(data, Mapping):
        return data
    head, *rest = path
    if head not in data:
        return data
    inner = _with_names(data[head], tuple(rest)) if rest else _name_entries(data[head])
    return {**data, head: inner}


class AppConfig(Definition):
    """Everything `appsync.toml` says. Paths inside it are relative to the file's folder (`root`)."""

    api: ApiConfig
    auth: AuthConfig = AuthConfig()
    functions: dict[Name, FunctionConfig] = Field(default_factory=dict)
    tables: dict[Name, TableConfig] = Field(default_factory=dict)
    data_sources: dict[Name, DataSourceConfig] = Field(default_factory=dict)
    pipelines: dict[FieldKey, PipelineConfig] = Field(default_factory=dict)
    buckets: dict[BucketName, BucketConfig] = Field(default_factory=dict)
    local: LocalConfig = LocalConfig()
    _root: Path = PrivateAttr(default_factory=Path.cwd)

    @model_validator(mode="before")
    @classmethod
    def _entries_know_their_names(cls, data: Any) -> Any:
        for path in _NAMED:
            data = _with_names(data, path)
        if isinstance(data, Mapping) and isinstance(data.get("tables"), Mapping):
            data = {
                **data,
                "tables": {
                    name: _with_names(table, ("global_secondary_indexes",))
                    for name, table in data["tables"].items()
                },
            }
        return data

    def model_post_init(self, context: Any) -> None:
        if isinstance(context, Mapping) and isinstance(context.get("root"), Path):
            self._root = context["root"]

    # -- paths ---------------------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        """The folder `appsync.toml` is in."""
        return self._root

    @property
    def js_root(self) -> Path:
        """APPSYNC_JS resolvers: `<js_root>/<data source>/<Type>.<field>.js`, `functions/`, `pipelines/`."""
        return self.root / self.api.js_resolvers

    @property
    def data_dir(self) -> Path:
        return self.root / self.local.data_dir

    @property
    def seed_file(self) -> Path | None:
        return self.root / self.local.seed if self.local.seed else None

    # -- shortcuts -----------------------------------------------------------------------------------

    @property
    def cognito(self) -> CognitoConfig | None:
        return self.auth.cognito

    @property
    def local_users(self) -> tuple[LocalUser, ...]:
        return tuple(self.local.users.values())

    @property
    def cdn_buckets(self) -> tuple[BucketConfig, ...]:
        return tuple(b for b in self.buckets.values() if b.cdn)

    @property
    def user_buckets(self) -> tuple[BucketConfig, ...]:
        return tuple(b for b in self.buckets.values() if not b.cdn)

    def data_source(self, name: str) -> DataSourceConfig:
        return self.data_sources[name]

    def table(self, name: str) -> TableConfig:
        return self.tables[name]

    # -- checks across tables ------------------------------------------------------------------------

    def problems(self) -> list[tuple[Location, str]]:
        """What the file says that cannot work together (empty when all is well)."""
        found: list[tuple[Location, str]] = []
        found += self._auth_problems()
        for name, source in self.data_sources.items():
            if source.type == "AMAZON_DYNAMODB" and source.table is None:
                found.append((("data_sources", name), "a DynamoDB data source names its `table`"))
            elif source.type == "NONE" and source.table is not None:
                found.append((("data_sources", name, "table"), "a NONE data source has no table"))
            elif source.table is not None and source.table not in self.tables:
                found.append((("data_sources", name, "table"), _unknown("table", source.table, self.tables)))
        for name, table in self.tables.items():
            for index in table.indexes:
                if index.name == name:
                    found.append(
                        (
                            ("tables", name, "global_secondary_indexes", index.name),
                            "an index is named like its table",
                        )
                    )
        if self.local.users and self.cognito is None:
            found.append(
                (("local", "users"), "demo users need [auth.cognito] (the user pool they sign in to)")
            )
        groups = set(self.cognito.groups) if self.cognito else set()
        for username, user in self.local.users.items():
            for group in user.groups:
                if self.cognito is not None and group not in groups:
                    found.append(
                        (
                            ("local", "users", username, "groups"),
                            _unknown("group", group, groups, "auth.cognito.groups"),
                        )
                    )
        if self.seed_file is not None and not self.seed_file.is_file():
            found.append((("local", "seed"), f"{self.seed_file} does not exist"))
        if self.pipelines and not self.js_root.is_dir():
            found.append(
                (("api", "js_resolvers"), f"{self.js_root} does not exist, but [pipelines] needs its files")
            )
        return found

    def _auth_problems(self) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        modes = self.api.auth_modes
        if self.api.default_auth in self.api.additional_auth:
            found.append((("api", "additional_auth"), f"{self.api.default_auth} is already the default mode"))
        needs = {
            "AMAZON_COGNITO_USER_POOLS": ("cognito", self.auth.cognito, 'user_pool_id = "<region>_<id>"'),
            "OPENID_CONNECT": ("oidc", self.auth.oidc, 'issuer = "https://…"'),
            "AWS_LAMBDA": ("lambda", self.auth.lambda_, 'function = "<a name in [functions]>"'),
        }
        for mode, (section, settings, example) in needs.items():
            if mode in modes and settings is None:
                found.append((("auth", section), f"auth mode {mode} needs [auth.{section}] with {example}"))
            elif mode not in modes and settings is not None:
                found.append(
                    (
                        ("auth", section),
                        f"is set but {mode} is not among api.default_auth / api.additional_auth",
                    )
                )
        authorizer = self.auth.lambda_
        if authorizer is not None and authorizer.function not in self.functions:
            found.append(
                (("auth", "lambda", "function"), _unknown("function", authorizer.function, self.functions))
            )
        return found


def _unknown(kind: str, name: str, known: Any, where: str = "") -> str:
    listed = ", ".join(sorted(known)) or "none"
    return f"{kind} {name!r} is not defined{f' in {where}' if where else ''} (defined: {listed})"
