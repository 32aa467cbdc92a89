"""The app's description (`appsync.toml`), loaded into typed settings.

The file is the single place that names the API's settings, its Lambda functions, tables and buckets;
the runtime, the CDK app and the tests all read it through this module.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUTH_MODES = ("API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA")


class ConfigError(ValueError):
    """The app description is invalid."""


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True)
class IndexConfig:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    projection: str = "ALL"


@dataclass(frozen=True)
class TableConfig:
    """A DynamoDB table: keys, GSIs, stream and TTL."""

    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    global_secondary_indexes: tuple[IndexConfig, ...] = ()
    stream: str | None = None
    ttl_attribute: str | None = None

    def attribute_definitions(self) -> list[dict[str, str]]:
        """Every key attribute of the table and its indexes, once each (DynamoDB's CreateTable form)."""
        seen: dict[str, str] = {}
        keys = [self.partition_key, self.sort_key]
        for index in self.global_secondary_indexes:
            keys += [index.partition_key, index.sort_key]
        for key in keys:
            if key is not None:
                seen.setdefault(key.name, key.type)
        return [{"AttributeName": n, "AttributeType": t} for n, t in seen.items()]


@dataclass(frozen=True)
class BucketConfig:
    name: str
    description: str = ""
    cors: bool = False


@dataclass(frozen=True)
class FunctionConfig:
    """A Lambda function: its handler, the Powertools app whose routers say what it serves, its settings."""

    name: str
    handler: str  # "package.module.function"
    app: str  # "package.module:attribute"
    batch_max_size: dict[str, int] = field(default_factory=dict)  # "Type.field" -> maxBatchSize
    environment: dict[str, str] = field(default_factory=dict)
    timeout_seconds: int = 30


DATA_SOURCE_TYPES = ("AMAZON_DYNAMODB", "NONE")


@dataclass(frozen=True)
class DataSourceConfig:
    """A data source for APPSYNC_JS resolvers (Lambda functions are data sources of their own)."""

    name: str
    type: str  # "AMAZON_DYNAMODB" | "NONE"
    table: str | None = None


@dataclass(frozen=True)
class PipelineConfig:
    """A pipeline resolver: its `Type.field` and the ordered AppSync functions it runs."""

    field: str
    functions: tuple[str, ...]


@dataclass(frozen=True)
class LocalUser:
    username: str
    email: str
    password: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class CognitoConfig:
    user_pool_id: str
    app_client_ids: tuple[str, ...]
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiConfig:
    name: str
    schema: str
    default_auth: str
    additional_auth: tuple[str, ...]
    query_depth_limit: int = 0
    resolver_count_limit: int = 0
    introspection: bool = True
    api_key_expiry_days: int = 7
    region: str = "us-east-1"
    # AppSync's GraphQL API environment variables: `ctx.env` in APPSYNC_JS resolvers. A value naming a table
    # of [tables] is that table's name where the API runs (infra substitutes the deployed name).
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def auth_modes(self) -> tuple[str, ...]:
        return (self.default_auth, *self.additional_auth)

    @property
    def effective_resolver_count_limit(self) -> int:
        return self.resolver_count_limit or 10_000


@dataclass(frozen=True)
class AppConfig:
    """Everything `appsync.toml` says, with paths resolved against the project root."""

    root: Path
    api: ApiConfig
    cognito: CognitoConfig | None
    functions: tuple[FunctionConfig, ...]
    data_sources: tuple[DataSourceConfig, ...]
    pipelines: tuple[PipelineConfig, ...]
    js_root: Path  # APPSYNC_JS resolvers: <js_root>/<data source>/<Type>.<field>.js, functions/, pipelines/
    tables: tuple[TableConfig, ...]
    buckets: tuple[BucketConfig, ...]
    data_dir: Path
    seed_file: Path | None
    local_users: tuple[LocalUser, ...]

    def data_source(self, name: str) -> DataSourceConfig:
        for source in self.data_sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def table(self, name: str) -> TableConfig:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def _key(raw: dict[str, Any] | None, where: str) -> KeyAttribute | None:
    if raw is None:
        return None
    if raw.get("type") not in ("S", "N", "B"):
        raise ConfigError(f"{where}: key type must be S, N or B, not {raw.get('type')!r}")
    return KeyAttribute(name=str(raw["name"]), type=str(raw["type"]))


def _table(name: str, raw: dict[str, Any]) -> TableConfig:
    pk = _key(raw.get("partition_key"), f"tables.{name}.partition_key")
    if pk is None:
        raise ConfigError(f"tables.{name}: partition_key is required")
    indexes = []
    for index_name, index in raw.get("global_secondary_indexes", {}).items():
        index_pk = _key(index.get("partition_key"), f"tables.{name}.{index_name}")
        if index_pk is None:
            raise ConfigError(f"tables.{name}.global_secondary_indexes.{index_name}: partition_key is required")
        indexes.append(
            IndexConfig(
                name=index_name,
                partition_key=index_pk,
                sort_key=_key(index.get("sort_key"), f"tables.{name}.{index_name}"),
                projection=index.get("projection", "ALL"),
            )
        )
    return TableConfig(
        name=name,
        partition_key=pk,
        sort_key=_key(raw.get("sort_key"), f"tables.{name}.sort_key"),
        global_secondary_indexes=tuple(indexes),
        stream=raw.get("stream"),
        ttl_attribute=raw.get("ttl_attribute"),
    )


def _api(raw: dict[str, Any]) -> ApiConfig:
    modes = [raw.get("default_auth", "API_KEY"), *raw.get("additional_auth", [])]
    for mode in modes:
        if mode not in AUTH_MODES:
            raise ConfigError(f"api: unknown auth mode {mode!r} (expected one of {', '.join(AUTH_MODES)})")
    depth = int(raw.get("query_depth_limit", 0))
    if not (depth == 0 or 1 <= depth <= 75):
        raise ConfigError("api.query_depth_limit must be 0 (no limit) or 1-75, as in AppSync")
    count = int(raw.get("resolver_count_limit", 0))
    if not 0 <= count <= 10_000:
        raise ConfigError("api.resolver_count_limit must be 0 (10,000) or 1-10,000, as in AppSync")
    introspection = str(raw.get("introspection", "ENABLED")).upper()
    if introspection not in ("ENABLED", "DISABLED"):
        raise ConfigError("api.introspection must be ENABLED or DISABLED")
    environment = {str(k): str(v) for k, v in raw.get("environment", {}).items()}
    # AppSync: at most 50 variables; keys of 2-64 letters, digits and underscores starting with a letter.
    if len(environment) > 50:
        raise ConfigError("api.environment: AppSync allows at most 50 environment variables")
    for key, value in environment.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{1,63}", key):
            raise ConfigError(f"api.environment: {key!r} is not a valid AppSync environment variable name")
        if len(value) > 512:
            raise ConfigError(f"api.environment.{key}: values are at most 512 characters")
    expiry = int(raw.get("api_key_expiry_days", 7))
    if not 1 <= expiry <= 365:
        raise ConfigError("api.api_key_expiry_days must be 1-365, as in AppSync")
    return ApiConfig(
        name=raw.get("name", "api"),
        schema=raw["schema"],
        default_auth=modes[0],
        additional_auth=tuple(modes[1:]),
        query_depth_limit=depth,
        resolver_count_limit=count,
        introspection=introspection == "ENABLED",
        api_key_expiry_days=expiry,
        region=raw.get("region", "us-east-1"),
        environment=environment,
    )


def parse_config(raw: dict[str, Any], root: Path) -> AppConfig:
    """Build an `AppConfig` from the parsed TOML document."""
    if "api" not in raw or "schema" not in raw["api"]:
        raise ConfigError("appsync.toml: [api] with a `schema = \"module:attribute\"` entry is required")
    cognito_raw = raw.get("auth", {}).get("cognito")
    cognito = (
        CognitoConfig(
            user_pool_id=cognito_raw["user_pool_id"],
            app_client_ids=tuple(cognito_raw.get("app_client_ids", ())),
            groups=tuple(cognito_raw.get("groups", ())),
        )
        if cognito_raw
        else None
    )
    functions = tuple(
        FunctionConfig(
            name=name,
            handler=fn["handler"],
            app=fn["app"],
            batch_max_size={k: int(v) for k, v in fn.get("batch_max_size", {}).items()},
            environment={k: str(v) for k, v in fn.get("environment", {}).items()},
            timeout_seconds=int(fn.get("timeout_seconds", 30)),
        )
        for name, fn in raw.get("functions", {}).items()
    )
    data_sources = []
    for name, source in raw.get("data_sources", {}).items():
        kind = source.get("type")
        if kind not in DATA_SOURCE_TYPES:
            raise ConfigError(f"data_sources.{name}.type must be one of {', '.join(DATA_SOURCE_TYPES)}")
        if kind == "AMAZON_DYNAMODB" and not source.get("table"):
            raise ConfigError(f"data_sources.{name}: a DynamoDB data source names its `table`")
        data_sources.append(DataSourceConfig(name=name, type=kind, table=source.get("table")))
    tables = tuple(_table(name, t) for name, t in raw.get("tables", {}).items())
    for source in data_sources:
        if source.table and source.table not in {t.name for t in tables}:
            raise ConfigError(f"data_sources.{source.name}.table {source.table!r} is not in [tables]")
    pipelines = tuple(
        PipelineConfig(field=key, functions=tuple(p.get("functions", ())))
        for key, p in raw.get("pipelines", {}).items()
    )
    local = raw.get("local", {})
    seed = local.get("seed")
    return AppConfig(
        root=root,
        api=_api(raw["api"]),
        cognito=cognito,
        functions=functions,
        data_sources=tuple(data_sources),
        pipelines=pipelines,
        js_root=root / raw.get("api", {}).get("js_resolvers", "resolvers/js"),
        tables=tables,
        buckets=tuple(
            BucketConfig(name=name, description=b.get("description", ""), cors=bool(b.get("cors", False)))
            for name, b in raw.get("buckets", {}).items()
        ),
        data_dir=root / local.get("data_dir", ".data"),
        seed_file=root / seed if seed else None,
        local_users=tuple(
            LocalUser(
                username=name,
                email=u.get("email", f"{name}@example.com"),
                password=u.get("password", "Passw0rd!"),
                groups=tuple(u.get("groups", ())),
            )
            for name, u in local.get("users", {}).items()
        ),
    )


def load_config(path: Path | str = "appsync.toml") -> AppConfig:
    """Load `appsync.toml`; relative paths inside it are relative to the file's folder."""
    path = Path(path).resolve()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"{path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return parse_config(raw, path.parent)
