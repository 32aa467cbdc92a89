"""The AppSync GraphQL API: the exported schema, the auth modes and the settings the local runtime honours."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from appdef import ApiConfig, CacheConfig


def build_graphql_api(
    scope: Construct,
    api: ApiConfig,
    schema_file: str,
    authorization: appsync.AuthorizationConfig,
    environment: dict[str, str] | None = None,
) -> appsync.GraphqlApi:
    """The API with `schema.graphql`, query depth and resolver count limits, introspection, logs and X-Ray."""
    built = appsync.GraphqlApi(
        scope,
        "Api",
        name=api.name,
        definition=appsync.Definition.from_file(schema_file),
        authorization_config=authorization,
        query_depth_limit=api.query_depth_limit,
        resolver_count_limit=api.resolver_count_limit,
        introspection_config=appsync.IntrospectionConfig.ENABLED
        if api.introspection_enabled
        else appsync.IntrospectionConfig.DISABLED,
        xray_enabled=True,
        environment_variables=environment or None,
    )
    _log_errors(scope, built)
    return built


def _log_errors(scope: Construct, api: appsync.GraphqlApi) -> None:
    """Field errors to CloudWatch, through a role that may write only the API's own log group.

    CDK's `log_config` would add a log-retention custom resource (a Lambda function allowed on every log
    group); creating the group here bounds its retention without it.
    """
    log_group = logs.LogGroup(
        scope,
        "ApiLogs",
        log_group_name=f"/aws/appsync/apis/{api.api_id}",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=RemovalPolicy.DESTROY,
    )
    role = iam.Role(scope, "ApiLogsRole", assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        )
    )
    cfn_api = api.node.default_child
    assert isinstance(cfn_api, appsync.CfnGraphQLApi)
    cfn_api.log_config = appsync.CfnGraphQLApi.LogConfigProperty(
        cloud_watch_logs_role_arn=role.role_arn, field_log_level="ERROR", exclude_verbose_content=True
    )


def build_api_cache(scope: Construct, api: appsync.GraphqlApi, cache: CacheConfig) -> appsync.CfnApiCache:
    """The API cache (`AWS::AppSync::ApiCache`), a resource of its own in CloudFormation."""
    return appsync.CfnApiCache(
        scope,
        "ApiCache",
        api_id=api.api_id,
        type=cache.type,
        api_caching_behavior=cache.behavior,
        ttl=cache.ttl_seconds,
        at_rest_encryption_enabled=cache.at_rest_encryption,
        transit_encryption_enabled=cache.transit_encryption,
    )


def api_attributes(
    api: appsync.GraphqlApi,
    user_pool: cognito.IUserPool,
    client: cognito.IUserPoolClient,
    settings: ApiConfig,
) -> dict[str, str]:
    """What `${api:<attribute>}` names, deployed: where and how a client reaches the API.

    `api_key` is there only when the API has the API_KEY mode; `user_pool_endpoint` is the URL Cognito's
    InitiateAuth is sent to; `api_id` and `api_key_expiry_days` are what a function managing the API's keys
    needs.
    """
    cfn_api = api.node.default_child
    assert isinstance(cfn_api, appsync.CfnGraphQLApi)
    region = Stack.of(api).region
    attributes = {
        "graphql_url": api.graphql_url,
        "realtime_url": cfn_api.attr_realtime_url,
        "region": region,
        "user_pool_id": user_pool.user_pool_id,
        "user_pool_client_id": client.user_pool_client_id,
        "user_pool_endpoint": f"https://cognito-idp.{region}.amazonaws.com/",
        "api_id": api.api_id,
        "api_key_expiry_days": str(settings.api_key_expiry_days),
    }
    if api.api_key is not None:
        attributes["api_key"] = api.api_key
    return attributes
