"""Lambda functions from `appsync.toml`'s `[functions]`, with the environment and grants they name.

A function's environment names the resources it uses: `${table:Posts}`, `${bucket:photos}`, `${queue:jobs}`,
`${stream:events}`, `${cdn:photos}`, `${cdn_key:media}`, `${secret:media-signing-key}`,
`${athena:<workgroup>}`, `${glue:<database>}`, `${api:<attribute>}`, or a value that is exactly a table's or
bucket's name (`TODOS_TABLE = "Todos"`) or an e-mail sender. Each becomes its deployed value (a sender stays as
written), and the function is granted that resource and nothing else:

- tables and buckets: read/write, or exactly the actions its `access` lists for one (or for some of a
  bucket's objects, `"<bucket>/<key>"`);
- queues: send; streams: write; a sender: `ses:SendEmail`; a secret: `secretsmanager:GetSecretValue`;
- a workgroup: running Athena queries there (infra/stacks/analytics.py), a database: reading its catalog;
- the API's URL: `appsync:GraphQL` on exactly the fields of its `api_calls`;
- the API's id, with `access.api`: those API-key actions (`grant_api_access`).

A CDN's URL, a key's id and the API's other attributes (its key, region, user pool) are values only.
`${secret:<name>}` is the deployed secret's name (`<stack name>/<name>`; locally `<name>`), which Powertools'
`get_secret` and GetSecretValue take as they take an ARN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack, Stage
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from appdef import AppConfig, ConfigError, FunctionConfig
from appdef.references import API_URL_ATTRIBUTES, Reference, references, substitute

from ..packaging import LAMBDA_PYTHON, package_function
from .analytics import Analytics

RUNTIME = lambda_.Runtime(f"python{LAMBDA_PYTHON}", lambda_.RuntimeFamily.PYTHON)
# Installed requirements, kept between synths (git-ignored), under the app's folder; the CDK context value
# `lambda-dependency-cache` names another folder (relative to the app's), e.g. one that several apps share.
DEPENDENCY_CACHE = Path(".build") / "lambda-dependencies"
DEPENDENCY_CACHE_CONTEXT = "lambda-dependency-cache"


def dependency_cache(scope: Construct, root: Path) -> Path:
    """Where installed requirements are kept for the app in `root`."""
    chosen = scope.node.try_get_context(DEPENDENCY_CACHE_CONTEXT)
    return root / (chosen or DEPENDENCY_CACHE)


@dataclass(frozen=True)
class Resources:
    """The deployed resources, by their names in `appsync.toml`."""

    tables: dict[str, dynamodb.ITable]
    buckets: dict[str, s3.IBucket]
    queues: dict[str, sqs.IQueue] = field(default_factory=dict)
    streams: dict[str, kinesis.IStream] = field(default_factory=dict)
    cdn_domains: dict[str, str] = field(default_factory=dict)  # bucket -> its distribution's domain
    cdn_key_ids: dict[str, str] = field(default_factory=dict)  # bucket -> its signing key's public key id
    secrets: dict[str, secretsmanager.ISecret] = field(default_factory=dict)  # by their names in appsync.toml
    senders: tuple[str, ...] = ()
    analytics: Analytics | None = None  # `[analytics]`: the Glue database and tables, the Athena workgroup


Grant = Callable[[lambda_.Function], object]


def reference_value(
    reference: Reference,
    resources: Resources,
    api: Mapping[str, str] | None = None,
    access: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[str, Grant | None]:
    """A reference's deployed value, and the grant that using it needs (the API's is made by the caller).

    `api` holds the API's attributes (`graphql_url`, ...) once the API exists; `access` is the function's
    `access` (the actions it may use on a table or bucket; read and write for one it does not list).
    """
    if reference.kind == "table":
        table = resources.tables[reference.name]
        return table.table_name, _table_grant(table, (access or {}).get(reference.name))
    if reference.kind == "bucket":
        bucket = resources.buckets[reference.name]
        return bucket.bucket_name, _bucket_grant(bucket, _bucket_access(access or {}, reference.name))
    if reference.kind == "queue":
        queue = resources.queues[reference.name]
        return queue.queue_url, queue.grant_send_messages
    if reference.kind == "stream":
        stream = resources.streams[reference.name]
        return stream.stream_name, stream.grant_write
    if reference.kind == "cdn":
        return f"https://{resources.cdn_domains[reference.name]}", None
    if reference.kind == "cdn_key":
        return resources.cdn_key_ids[reference.name], None
    if reference.kind == "secret":
        secret = resources.secrets[reference.name]
        return secret.secret_name, secret.grant_read
    if reference.kind in ("athena", "glue") and resources.analytics is not None:
        analytics = resources.analytics
        if reference.kind == "athena":
            return analytics.config.workgroup, analytics.grant_queries
        return analytics.config.database, analytics.grant_catalog_read
    if reference.kind == "api" and api is not None:
        if reference.name not in api:
            raise ConfigError(f"{reference}: the deployed API has no {reference.name} (is its auth mode on?)")
        return api[reference.name], None
    raise KeyError(reference.kind)


def resolve_environment(function: FunctionConfig, resources: Resources) -> tuple[dict[str, str], list[Grant]]:
    """The function's environment as deployed (API references left for `wire_api_references`), and its grants."""
    environment: dict[str, str] = {}
    grants: list[Grant] = []
    for key, value in function.environment.items():
        if value in resources.tables:
            environment[key] = resources.tables[value].table_name
            grants.append(_table_grant(resources.tables[value], function.access.get(value)))
        elif value in resources.buckets:
            environment[key] = resources.buckets[value].bucket_name
            grants.append(_bucket_grant(resources.buckets[value], _bucket_access(function.access, value)))
        elif value in resources.senders:
            environment[key] = value
            grants.append(_sender_grant(value))
        elif any(r.kind == "api" for r in references(value)):
            continue  # set once the API exists
        else:
            found = [reference_value(r, resources, access=function.access) for r in references(value)]
            environment[key] = substitute(value, lambda r: reference_value(r, resources)[0])
            grants += [grant for _, grant in found if grant is not None]
    return environment, grants


def _table_grant(table: dynamodb.ITable, actions: tuple[str, ...] | None) -> Grant:
    """Exactly `actions` on the table and its indexes; read and write when the function lists none."""
    if actions is None:
        return table.grant_read_write_data
    return lambda function: table.grant(function, *actions)


def _bucket_access(access: Mapping[str, tuple[str, ...]], bucket: str) -> dict[str, tuple[str, ...]] | None:
    """The function's `access` to `bucket`, by the objects it covers (`*`: all of them); None when it lists none."""
    found = {name.partition("/")[2]: a for name, a in access.items() if name.startswith(f"{bucket}/")}
    if bucket in access:
        found["*"] = access[bucket]
    return found or None


def _bucket_grant(bucket: s3.IBucket, access: Mapping[str, tuple[str, ...]] | None) -> Grant:
    """Exactly the listed actions on the listed objects (ListBucket on the bucket); read and write when `access`
    lists none."""
    if access is None:
        return bucket.grant_read_write

    def grant(function: lambda_.Function) -> object:
        for objects, actions in access.items():
            on_objects = [a for a in actions if a != "s3:ListBucket"]
            if on_objects:
                function.add_to_role_policy(
                    iam.PolicyStatement(actions=on_objects, resources=[bucket.arn_for_objects(objects)])
                )
            if "s3:ListBucket" in actions:
                function.add_to_role_policy(
                    iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
                )
        return function

    return grant


def grant_api_access(function: lambda_.Function, actions: tuple[str, ...]) -> None:
    """`access.api`: managing the API's keys. IAM has no resource-level permissions for AppSync's API-key
    actions (the service authorization reference lists no resource type for them), so they take `*`."""
    function.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=["*"]))


def _sender_grant(address: str) -> Grant:
    def grant(function: lambda_.Function) -> object:
        stack = Stack.of(function)
        identity = stack.format_arn(service="ses", resource="identity", resource_name=address)
        domain = stack.format_arn(service="ses", resource="identity", resource_name=address.split("@", 1)[1])
        return function.add_to_role_policy(
            iam.PolicyStatement(actions=["ses:SendEmail", "ses:SendRawEmail"], resources=[identity, domain])
        )

    return grant


def build_function(
    scope: Construct, app: AppConfig, function: FunctionConfig, resources: Resources
) -> lambda_.Function:
    """One arm64 Python function: its own modules and requirements, in a zip built without Docker."""
    environment, grants = resolve_environment(function, resources)
    stage = Stage.of(scope)
    assert stage is not None
    package = package_function(
        app.root,
        function,
        Path(stage.outdir) / ".lambda-packages",
        dependency_cache(scope, app.root),
        data_files=_query_files(app, function),
    )
    log_group = logs.LogGroup(
        scope,
        f"{function.name}FunctionLogs",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=RemovalPolicy.DESTROY,
    )
    # Its own role instead of AWSLambdaBasicExecutionRole, which may write every log group in the account.
    role = iam.Role(
        scope,
        f"{function.name}FunctionRole",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"The {function.name} function: its log group and the resources its environment names",
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
        )
    )
    built = lambda_.Function(
        scope,
        f"{function.name}Function",
        runtime=RUNTIME,
        architecture=lambda_.Architecture.ARM_64,
        handler=function.handler,
        code=lambda_.Code.from_asset(str(package)),
        memory_size=function.memory_mb,
        timeout=Duration.seconds(function.timeout_seconds),
        tracing=lambda_.Tracing.ACTIVE,
        log_group=log_group,
        role=role,
        environment={**function.platform_environment(), **environment},
        description=f"{function.name}: {function.app or function.handler}",
    )
    for grant in grants:
        grant(built)
    return built


def _query_files(app: AppConfig, function: FunctionConfig) -> list[Path]:
    """A function that runs Athena queries (`${athena:…}`) gets the `[analytics]` SQL files in its package."""
    folder = app.queries_dir
    runs_queries = any(r.kind == "athena" for v in function.environment.values() for r in references(v))
    if folder is None or not runs_queries:
        return []
    return sorted(folder.rglob("*.sql"))


def build_functions(scope: Construct, app: AppConfig, resources: Resources) -> dict[str, lambda_.Function]:
    """Every function of `[functions]`, by name."""
    return {f.name: build_function(scope, app, f, resources) for f in app.functions.values()}


def wire_api_references(
    functions: dict[str, lambda_.Function],
    app: AppConfig,
    resources: Resources,
    api: Mapping[str, str],
    grant_api_calls: Callable[[lambda_.Function, tuple[str, ...]], object],
) -> None:
    """Set the variables that name the API (`${api:graphql_url}`, ...), with the grants of the other references
    in the same values, and let each function that names the API's URL call the fields of its `api_calls`."""
    for name, function in app.functions.items():
        calls_api = False
        for key, value in function.environment.items():
            found = references(value)
            if not any(r.kind == "api" for r in found):
                continue  # set when the function was built
            functions[name].add_environment(
                key, substitute(value, lambda r: reference_value(r, resources, api)[0])
            )
            for _, grant in (reference_value(r, resources, api) for r in found):
                if grant is not None:
                    grant(functions[name])
            calls_api |= any(r.kind == "api" and r.name in API_URL_ATTRIBUTES for r in found)
        if calls_api:
            grant_api_calls(functions[name], function.api_calls)
        if "api" in function.access:
            grant_api_access(functions[name], function.access["api"])
