"""Lambda functions from `appsync.toml`'s `[functions]`, with the environment and grants they name.

A function's environment names tables and buckets by their names in `appsync.toml` (`TODOS_TABLE =
"Todos"`); here each such value becomes the deployed resource's real name, and the function is granted that
resource and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stage
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import AppConfig, FunctionConfig

from ..packaging import LAMBDA_PYTHON, package_function

RUNTIME = lambda_.Runtime(f"python{LAMBDA_PYTHON}", lambda_.RuntimeFamily.PYTHON)
# Installed requirements, kept between synths (git-ignored).
DEPENDENCY_CACHE = Path(".build") / "lambda-dependencies"


@dataclass(frozen=True)
class Resources:
    """The deployed tables and buckets, by their names in `appsync.toml`."""

    tables: dict[str, dynamodb.ITable]
    buckets: dict[str, s3.IBucket]


def resolve_environment(function: FunctionConfig, resources: Resources) -> dict[str, str]:
    """The function's environment with each table or bucket name replaced by the deployed one."""
    environment: dict[str, str] = {}
    for key, value in function.environment.items():
        if value in resources.tables:
            environment[key] = resources.tables[value].table_name
        elif value in resources.buckets:
            environment[key] = resources.buckets[value].bucket_name
        else:
            environment[key] = value
    return environment


def grant_named_resources(function: lambda_.Function, config: FunctionConfig, resources: Resources) -> None:
    """Read/write on exactly the tables and buckets the function's environment names."""
    for value in sorted(set(config.environment.values())):
        if value in resources.tables:
            resources.tables[value].grant_read_write_data(function)
        elif value in resources.buckets:
            resources.buckets[value].grant_read_write(function)


def build_function(
    scope: Construct, app: AppConfig, function: FunctionConfig, resources: Resources
) -> lambda_.Function:
    """One arm64 Python function: its own modules and requirements, in a zip built without Docker."""
    stage = Stage.of(scope)
    assert stage is not None
    package = package_function(
        app.root, function, Path(stage.outdir) / ".lambda-packages", app.root / DEPENDENCY_CACHE
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
        environment={**function.platform_environment(), **resolve_environment(function, resources)},
        description=f"{function.name}: {function.app or function.handler}",
    )
    grant_named_resources(built, function, resources)
    return built


def build_functions(scope: Construct, app: AppConfig, resources: Resources) -> dict[str, lambda_.Function]:
    """Every function of `[functions]`, by name."""
    return {f.name: build_function(scope, app, f, resources) for f in app.functions.values()}
