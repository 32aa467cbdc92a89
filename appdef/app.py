"""The whole app definition (`appsync.toml`), and the checks that span its tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PrivateAttr, model_validator
from pydantic import Field as PydanticField

from .analytics import AnalyticsConfig
from .api import ApiConfig
from .auth import AuthConfig, CognitoConfig
from .base import KEY, Definition, Name, StrictStr
from .caching import ResolverCachingConfig
from .delivery_streams import DeliveryStreamConfig
from .events import (
    DynamoDBStreamTrigger,
    EmailConfig,
    KinesisTrigger,
    QueueConfig,
    S3Trigger,
    SqsTrigger,
    StreamConfig,
)
from .functions import API_KEY_ACTIONS, FunctionConfig
from .local import LocalConfig, LocalUser
from .references import API_ATTRIBUTES, KINDS, references
from .resources import BucketConfig, BucketName, DataSourceConfig, FieldKey, PipelineConfig, TableConfig

# Firehose invokes a transform for at most 5 minutes (fh-transform).
FIREHOSE_TRANSFORM_TIMEOUT_SECONDS = 300
# SQS's rule: letters, digits, hyphens and underscores, at most 80 characters.
QueueName = Annotated[StrictStr, PydanticField(pattern=r"^[A-Za-z0-9_-]{1,80}$")]

# Tables of named entries, by their path in the file: each entry learns its own key.
_NAMED = (
    ("functions",), ("tables",), ("data_sources",), ("pipelines",), ("buckets",), ("queues",), ("streams",),
    ("delivery_streams",), ("local", "users"), ("local", "delivery_streams"), ("analytics", "tables"),
)  # fmt: skip

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
    queues: dict[QueueName, QueueConfig] = Field(default_factory=dict)
    streams: dict[Name, StreamConfig] = Field(default_factory=dict, description="Kinesis data streams.")
    delivery_streams: dict[Name, DeliveryStreamConfig] = Field(
        default_factory=dict, description="Firehose delivery streams: a Kinesis stream to S3, transformed."
    )
    email: EmailConfig = EmailConfig()
    analytics: AnalyticsConfig | None = Field(
        None, description="Athena and Glue: SQL over objects in the buckets (DuckDB locally)."
    )
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
    def queries_dir(self) -> Path | None:
        """The folder of the analytics SQL files, when `[analytics]` names one."""
        if self.analytics is None or self.analytics.queries is None:
            return None
        return self.root / self.analytics.queries

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

    def all_queues(self) -> dict[str, QueueConfig]:
        """Every queue, with the dead-letter queues `[queues]` implies (`<name>-dlq`) added."""
        queues = dict(self.queues)
        for queue in self.queues.values():
            dlq = queue.dead_letter_queue
            if dlq is not None and dlq not in queues:
                queues[dlq] = QueueConfig.named(dlq, message_retention_seconds=1_209_600)
        return queues

    def local_delivery_streams(self) -> dict[str, DeliveryStreamConfig]:
        """Every delivery stream as the local runtime runs it (`[local.delivery_streams]` applied)."""
        return {
            name: stream.with_local(self.local.delivery_streams.get(name))
            for name, stream in self.delivery_streams.items()
        }

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
        for position, function in enumerate(self.local.skip_schedules):
            triggers = self.functions[function].triggers if function in self.functions else ()
            if not any(trigger.type == "schedule" for trigger in triggers):
                found.append(
                    (("local", "skip_schedules", position), f"{function} is not a function with a schedule")
                )
        found += self._cdn_problems()
        found += self._event_problems()
        found += self._analytics_problems()
        found += self._reference_problems()
        found += self._access_problems()
        found += self._cache_problems()
        if self.pipelines and not self.js_root.is_dir():
            found.append(
                (("api", "js_resolvers"), f"{self.js_root} does not exist, but [pipelines] needs its files")
            )
        return found

    def resolver_caching(self) -> list[tuple[Location, ResolverCachingConfig]]:
        """Every per-resolver caching setting, with its key path."""
        found: list[tuple[Location, ResolverCachingConfig]] = []
        for name, function in self.functions.items():
            found += [(("functions", name, "caching", key), c) for key, c in function.caching.items()]
        for name, source in self.data_sources.items():
            found += [(("data_sources", name, "caching", key), c) for key, c in source.caching.items()]
        for key, pipeline in self.pipelines.items():
            if pipeline.caching is not None:
                found.append((("pipelines", key, "caching"), pipeline.caching))
        return found

    def _cache_problems(self) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        cache = self.api.cache
        if cache is not None:
            for setting in ("at_rest_encryption", "transit_encryption"):
                if getattr(cache, setting) is not True:
                    found.append(
                        (
                            ("api", "cache", setting),
                            "AppSync always encrypts a new API cache; it cannot be false",
                        )
                    )
        for location, _ in self.resolver_caching():
            # Without [api.cache] the settings wait unused (nothing is cached or deployed): removing the table
            # turns caching off. Under FULL_REQUEST_CACHING they would silently mean nothing.
            if cache is not None and cache.behavior != "PER_RESOLVER_CACHING":
                rule = f'[api.cache] behavior is {cache.behavior}: per-resolver settings apply only with "PER_RESOLVER_CACHING"'
                found.append((location, rule))
            field_key = str(location[3] if location[0] != "pipelines" else location[1])
            if field_key.split(".", 1)[0] in ("Mutation", "Subscription"):
                found.append(
                    (location, f"{field_key}: AppSync caches the results of queries' resolvers only")
                )
        return found

    def _cdn_problems(self) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        secrets: dict[str, str] = {}
        for name, bucket in self.buckets.items():
            for setting in ("signed_urls", "content"):
                if getattr(bucket, setting) is not None and not bucket.cdn:
                    found.append((("buckets", name, setting), "needs `cdn = true` (CloudFront serves it)"))
            if bucket.signed_urls is not None:
                secret = bucket.signed_urls.secret
                if secret in secrets:
                    found.append(
                        (
                            ("buckets", name, "signed_urls", "secret"),
                            f"bucket {secrets[secret]} signs with it too",
                        )
                    )
                secrets.setdefault(secret, name)
            if bucket.content is not None and not (self.root / bucket.content.folder).is_dir():
                found.append(
                    (
                        ("buckets", name, "content", "folder"),
                        f"{self.root / bucket.content.folder} is not a folder",
                    )
                )
        for page, target in self.local.pages.items():
            bucket_name, _, path = target.partition("/")
            site = self.buckets.get(bucket_name)
            if site is None or site.content is None:
                found.append(
                    (("local", "pages", page), f"{target!r}: {bucket_name!r} is not a bucket with `content`")
                )
            elif not path or not (self.root / site.content.folder / path).is_file():
                found.append(
                    (("local", "pages", page), f"{target!r}: no {path or 'file'} in {site.content.folder}/")
                )
        return found

    def _analytics_problems(self) -> list[tuple[Location, str]]:
        analytics = self.analytics
        if analytics is None:
            return []
        found: list[tuple[Location, str]] = []
        if analytics.results_bucket not in self.buckets:
            found.append(
                (("analytics", "results_bucket"), _unknown("bucket", analytics.results_bucket, self.buckets))
            )
        queries = self.queries_dir
        if queries is not None and not queries.is_dir():
            found.append((("analytics", "queries"), f"{queries} is not a folder"))
        for name, table in analytics.tables.items():
            if table.bucket not in self.buckets:
                found.append(
                    (("analytics", "tables", name, "bucket"), _unknown("bucket", table.bucket, self.buckets))
                )
            elif table.bucket == analytics.results_bucket and (
                table.prefix.startswith(analytics.results_prefix)
                or analytics.results_prefix.startswith(table.prefix)
            ):
                found.append(
                    (
                        ("analytics", "tables", name, "prefix"),
                        "overlaps the results location (Athena would read its own results)",
                    )
                )
        return found

    def _event_problems(self) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        queues = self.all_queues()
        for name, queue in self.queues.items():
            explicit = queue.dead_letter.queue if queue.dead_letter else None
            if explicit is not None and explicit not in self.queues:
                found.append(
                    (("queues", name, "dead_letter", "queue"), _unknown("queue", explicit, self.queues))
                )
            if explicit == name:
                found.append(
                    (("queues", name, "dead_letter", "queue"), "a queue cannot be its own dead-letter queue")
                )
        for bucket_name, bucket in self.buckets.items():
            for index, notification in enumerate(bucket.notifications):
                where: Location = ("buckets", bucket_name, "notifications", index, "queue")
                if notification.queue not in queues:
                    found.append((where, _unknown("queue", notification.queue, queues)))
        for name, function in self.functions.items():
            for index, trigger in enumerate(function.triggers):
                at: Location = ("functions", name, "triggers", index)
                found += self._trigger_problems(at, function.timeout_seconds, trigger, queues)
        found += self._overlapping_notifications()
        found += self._delivery_stream_problems()
        return found

    def _delivery_stream_problems(self) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        for name, stream in self.delivery_streams.items():
            at: Location = ("delivery_streams", name)
            if stream.source_stream not in self.streams:
                found.append(((*at, "source_stream"), _unknown("stream", stream.source_stream, self.streams)))
            if stream.bucket not in self.buckets:
                found.append(((*at, "bucket"), _unknown("bucket", stream.bucket, self.buckets)))
            if stream.transform is None:
                continue
            function = self.functions.get(stream.transform)
            if function is None:
                found.append(((*at, "transform"), _unknown("function", stream.transform, self.functions)))
            elif function.triggers:
                kinds = ", ".join(sorted({t.type for t in function.triggers}))
                found.append(
                    (
                        (*at, "transform"),
                        (
                            f"function {stream.transform!r} has triggers ({kinds}): a Firehose transform "
                            "receives only Firehose's events, so give those triggers to another function"
                        ),
                    )
                )
            elif function.timeout_seconds > FIREHOSE_TRANSFORM_TIMEOUT_SECONDS:
                found.append(
                    (
                        (*at, "transform"),
                        (
                            f"function {stream.transform!r} has a timeout of {function.timeout_seconds} s; "
                            f"Firehose waits at most {FIREHOSE_TRANSFORM_TIMEOUT_SECONDS} s for a transform"
                        ),
                    )
                )
        for name in self.local.delivery_streams:
            if name not in self.delivery_streams:
                found.append(
                    (
                        ("local", "delivery_streams", name),
                        _unknown("delivery stream", name, self.delivery_streams),
                    )
                )
        return found

    def _trigger_problems(
        self, at: Location, timeout: int, trigger: object, queues: dict[str, QueueConfig]
    ) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        if isinstance(trigger, DynamoDBStreamTrigger):
            table = self.tables.get(trigger.table)
            if table is None:
                found.append(((*at, "table"), _unknown("table", trigger.table, self.tables)))
            elif table.stream is None:
                found.append(
                    (
                        (*at, "table"),
                        f"table {trigger.table!r} has no stream: set tables.{trigger.table}.stream",
                    )
                )
        elif isinstance(trigger, KinesisTrigger) and trigger.stream not in self.streams:
            found.append(((*at, "stream"), _unknown("stream", trigger.stream, self.streams)))
        elif isinstance(trigger, SqsTrigger):
            queue = queues.get(trigger.queue)
            if queue is None:
                found.append(((*at, "queue"), _unknown("queue", trigger.queue, queues)))
            elif queue.visibility_timeout_seconds < timeout:
                found.append(
                    (
                        (*at, "queue"),
                        (
                            f"queue {trigger.queue!r} has a visibility timeout of "
                            f"{queue.visibility_timeout_seconds} s, less than the function's timeout of {timeout} s "
                            "(Lambda refuses the mapping)"
                        ),
                    )
                )
        elif isinstance(trigger, S3Trigger) and trigger.bucket not in self.buckets:
            found.append(((*at, "bucket"), _unknown("bucket", trigger.bucket, self.buckets)))
        on_failure = getattr(trigger, "on_failure", None)
        if on_failure is not None and on_failure not in queues:
            found.append(((*at, "on_failure"), _unknown("queue", on_failure, queues)))
        return found

    def _overlapping_notifications(self) -> list[tuple[Location, str]]:
        """S3 refuses two notifications of one bucket whose event types and key filters overlap."""
        found: list[tuple[Location, str]] = []
        per_bucket: dict[str, list[tuple[Location, tuple[str, ...], str, str]]] = {}
        for name, bucket in self.buckets.items():
            for index, n in enumerate(bucket.notifications):
                per_bucket.setdefault(name, []).append(
                    (("buckets", name, "notifications", index), n.events, n.prefix, n.suffix)
                )
        for name, function in self.functions.items():
            for index, trigger in enumerate(function.triggers):
                if isinstance(trigger, S3Trigger):
                    where: Location = ("functions", name, "triggers", index)
                    per_bucket.setdefault(trigger.bucket, []).append(
                        (where, trigger.events, trigger.prefix, trigger.suffix)
                    )
        for entries in per_bucket.values():
            for i, (where, events, prefix, suffix) in enumerate(entries):
                for other, other_events, other_prefix, other_suffix in entries[:i]:
                    if (
                        _events_overlap(events, other_events)
                        and (prefix.startswith(other_prefix) or other_prefix.startswith(prefix))
                        and (suffix.endswith(other_suffix) or other_suffix.endswith(suffix))
                    ):
                        found.append(
                            (where, f"overlaps {_key_path(other)} (S3 refuses overlapping notifications)")
                        )
        return found

    def _access_problems(self) -> list[tuple[Location, str]]:
        """A function's `access` names a table or bucket of its environment (or some of a bucket's objects), or
        the API whose id it names, with that service's actions."""
        found: list[tuple[Location, str]] = []
        for name, function in self.functions.items():
            named: dict[str, str] = {}
            for value in function.environment.values():
                if value in self.tables:
                    named[value] = "dynamodb"
                elif value in self.buckets:
                    named[value] = "s3"
                for reference in references(value):
                    if reference.kind in ("table", "bucket"):
                        named[reference.name] = "dynamodb" if reference.kind == "table" else "s3"
                    elif reference.kind == "api" and reference.name == "api_id":
                        named["api"] = "appsync"
            for resource, actions in function.access.items():
                where: Location = ("functions", name, "access", resource)
                bucket, slash, objects = resource.partition("/")
                if slash and named.get(bucket) == "s3" and objects:
                    named[resource] = "s3"
                    if "s3:ListBucket" in actions:
                        found.append(
                            (where, "s3:ListBucket is granted on the bucket, not on some of its objects")
                        )
                if resource not in named:
                    found.append(
                        (
                            where,
                            "is not a table or bucket the function's environment names, or `api` (${api:api_id})",
                        )
                    )
                    continue
                wrong = [a for a in actions if not a.startswith(f"{named[resource]}:")]
                if wrong:
                    found.append(
                        (
                            where,
                            f"{', '.join(wrong)}: a {named[resource]} resource takes {named[resource]}: actions",
                        )
                    )
                elif resource == "api" and not set(actions) <= API_KEY_ACTIONS:
                    others = ", ".join(sorted(set(actions) - API_KEY_ACTIONS))
                    found.append((where, f"{others}: a function may only manage the API's keys"))
        return found

    def _reference_problems(self) -> list[tuple[Location, str]]:
        found: list[tuple[Location, str]] = []
        signed = {b.name: b.signed_urls for b in self.cdn_buckets if b.signed_urls is not None}
        api = [a for a in API_ATTRIBUTES if self.auth.cognito is not None or not a.startswith("user_pool")]
        known: dict[str, Iterable[str]] = {
            "table": self.tables, "bucket": self.buckets, "queue": self.all_queues(), "stream": self.streams,
            "cdn": [b.name for b in self.cdn_buckets], "api": api,
            "cdn_key": signed, "secret": [s.secret for s in signed.values()],
            "athena": [self.analytics.workgroup] if self.analytics else [],
            "glue": [self.analytics.database] if self.analytics else [],
        }  # fmt: skip
        values: list[tuple[Location, str]] = [
            (("functions", name, "environment", key), value)
            for name, function in self.functions.items()
            for key, value in function.environment.items()
        ]
        values += [
            (("buckets", name, "content", "config", key), value)
            for name, bucket in self.buckets.items()
            if bucket.content is not None
            for key, value in bucket.content.config.items()
        ]
        for key, value in self.api.environment.items():
            for reference in references(value):
                if reference.kind != "cdn":  # ctx.env is read by resolvers, which no grant reaches
                    found.append(
                        (
                            ("api", "environment", key),
                            f"{reference}: [api.environment] takes ${{cdn:<bucket>}} only",
                        )
                    )
                else:
                    values.append((("api", "environment", key), value))
        for where, value in values:
            for reference in references(value):
                if reference.kind not in known:
                    found.append((where, f"{reference}: the kinds are {', '.join(KINDS)}"))
                elif reference.name not in known[reference.kind]:
                    found.append(
                        (
                            where,
                            f"{reference}: "
                            + _unknown(reference.kind, reference.name, known[reference.kind]),
                        )
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


def _events_overlap(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    def covers(a: str, b: str) -> bool:
        return a == b or (a.endswith(":*") and b.startswith(a[:-1]))

    return any(covers(a, b) or covers(b, a) for a in first for b in second)


def _key_path(location: Location) -> str:
    return ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in location).replace(
        ".[", "["
    )


def _unknown(kind: str, name: str, known: Any, where: str = "") -> str:
    listed = ", ".join(sorted(known)) or "none"
    return f"{kind} {name!r} is not defined{f' in {where}' if where else ''} (defined: {listed})"
