"""The backend stack: everything `appsync.toml` and the binding registry describe, on AWS."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import AppConfig
from appdef.bindings import BindingRegistry
from appdef.references import substitute

from .analytics import build_analytics
from .auth_modes import AuthContext, build_authorization_config
from .cdn import build_served_buckets
from .cdn_outputs import add_cdn_outputs
from .delivery_streams import build_delivery_streams
from .events import build_bucket_notifications, build_queues, build_senders, build_streams, build_triggers
from .functions import Resources, build_functions, reference_value, wire_api_references
from .graphql_api import api_attributes, build_api_cache, build_graphql_api
from .identity import build_user_directory
from .nag import suppress_accepted_findings
from .resolvers import ResolverBuilder
from .schema_auth import grant_api_calls
from .site_content import deploy_site_contents
from .storage import build_access_log_bucket, build_user_buckets
from .tables import build_tables
from .waf import build_api_firewall

SCHEMA_FILE = "schema.graphql"


class BackendStack(Stack):
    """The AppSync API, its resolvers, tables, functions, buckets, Cognito, CloudFront, WAF, Athena and Glue.

    Parameters
    ----------
    scope, construct_id
        As for any CDK stack.
    config
        The app definition (`appdef.load_config`).
    registry
        The bindings; discovered from `config` when omitted.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: AppConfig,
        registry: BindingRegistry | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        registry = registry if registry is not None else BindingRegistry.discover(config)
        tables = build_tables(self, tuple(config.tables.values()))
        access_logs = build_access_log_bucket(self)
        user_buckets = build_user_buckets(self, config.user_buckets, access_logs)
        served = build_served_buckets(self, config.cdn_buckets, access_logs)
        signing_keys = {name: s.signing_key for name, s in served.items() if s.signing_key is not None}
        build_senders(self, config)
        buckets: dict[str, s3.IBucket] = {**user_buckets, **{name: s.bucket for name, s in served.items()}}
        analytics = build_analytics(self, config.analytics, buckets) if config.analytics is not None else None
        resources = Resources(
            tables=dict(tables),
            buckets=buckets,
            queues=dict(build_queues(self, config)),
            streams=dict(build_streams(self, config)),
            cdn_domains={name: s.distribution.distribution_domain_name for name, s in served.items()},
            cdn_key_ids={name: key.public_key.public_key_id for name, key in signing_keys.items()},
            secrets={key.secret_reference: key.secret for key in signing_keys.values()},
            senders=config.email.senders,
            analytics=analytics,
        )
        functions = build_functions(self, config, resources)
        build_bucket_notifications(config, resources)
        build_triggers(self, config, dict(functions), resources)
        build_delivery_streams(self, config, dict(functions), resources)
        users = build_user_directory(self, config.cognito, dict(user_buckets))

        authorization = build_authorization_config(
            AuthContext(
                app=config,
                user_pool=users.user_pool,
                functions=dict(functions),
                user_pool_client=users.client,
            )
        )
        # ctx.env: a value naming a table of appsync.toml becomes that table's deployed name, the local user
        # pool's issuer the deployed pool's, and `${cdn:<bucket>}` the distribution's URL
        local_issuer = (
            f"https://cognito-idp.{config.api.region}.amazonaws.com/{config.cognito.user_pool_id}"
            if config.cognito is not None
            else None
        )
        environment = {
            key: tables[value].table_name
            if value in tables
            else f"https://{users.user_pool.user_pool_provider_url}"
            if value == local_issuer and users.user_pool is not None
            else substitute(value, lambda reference: reference_value(reference, resources)[0])
            for key, value in config.api.environment.items()
        }
        self.api = build_graphql_api(
            self, config.api, str(Path(config.root) / SCHEMA_FILE), authorization, environment
        )
        api_cache = (
            build_api_cache(self, self.api, config.api.cache) if config.api.cache is not None else None
        )
        schema_text = (Path(config.root) / SCHEMA_FILE).read_text()
        api = api_attributes(self.api, users.user_pool, users.client, config.api)
        wire_api_references(
            dict(functions),
            config,
            resources,
            api,
            lambda function, fields: grant_api_calls(self.api, function, fields, schema_text),
        )
        self.resolvers = ResolverBuilder(
            self, self.api, config, dict(tables), dict(functions), api_cache
        ).build(registry)
        build_api_firewall(self, self.api.arn, config.api.waf.rate_limit)
        deploy_site_contents(
            self,
            config,
            served,
            lambda value: substitute(value, lambda r: reference_value(r, resources, api)[0]),
        )

        cfn_api = self.api.node.default_child
        assert isinstance(cfn_api, appsync.CfnGraphQLApi)
        CfnOutput(self, "GraphQLUrl", value=self.api.graphql_url, description="POST GraphQL here")
        CfnOutput(
            self, "RealtimeUrl", value=cfn_api.attr_realtime_url, description="Subscriptions (WebSocket)"
        )
        CfnOutput(self, "ApiId", value=self.api.api_id)
        api_key = self.api.node.try_find_child("DefaultApiKey")
        if isinstance(api_key, appsync.CfnApiKey):
            CfnOutput(
                self,
                "ApiKeyId",
                value=api_key.attr_api_key_id,
                description="aws appsync list-api-keys --api-id <ApiId> prints the key",
            )
        CfnOutput(self, "UserPoolId", value=users.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=users.client.user_pool_client_id)
        CfnOutput(self, "IdentityPoolId", value=users.identity_pool.ref)
        for name, bucket in user_buckets.items():
            CfnOutput(self, f"{bucket.node.id}Name", value=bucket.bucket_name, description=f"bucket {name}")
        add_cdn_outputs(self, served)
        CfnOutput(
            self, "AccessLogsBucketName", value=access_logs.bucket_name, description="S3 and CloudFront logs"
        )
        suppress_accepted_findings(self)
