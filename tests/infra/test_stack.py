"""The CDK app deploys what runs locally: the expectations come from appsync.toml and the binding registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "aws_cdk", reason="aws-cdk-lib is not installed (the project's `infra` extra; `make test` installs it)"
)

from aws_cdk.assertions import Annotations, Match

from appdef.bindings import js_code_files
from appdef.references import API_URL_ATTRIBUTES as API_URLS
from appdef.references import Reference, references, substitute
from appsync_local.js import JsResolverRunner
from infra.stacks.resolvers import lambda_data_source_name
from infra.stacks.storage import USER_PREFIX, USER_SUB, pascal
from infra.stacks.waf import RATE_RULE_NAME
from resolvers.todos.domain.file_service import FileService
from tests.infra.conftest import Synthesized

# Statements AWS only accepts with "Resource": "*": X-Ray's trace upload has no resource-level permissions.
# Actions IAM cannot scope to a resource (the service authorization reference lists no resource type for them).
ACTIONS_THAT_REQUIRE_ANY_RESOURCE = frozenset(
    {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}
    # AppSync's API-key actions have no resource type in IAM's service authorization reference.
    | {"appsync:CreateApiKey", "appsync:ListApiKeys", "appsync:DeleteApiKey", "appsync:UpdateApiKey"}
)

# cfn-lint warnings accepted in the synthesized template, with why.
ACCEPTED_CFN_LINT_WARNINGS = {
    # CDK writes an explicit DependsOn on a Lambda function's role (and its policy, so the grants exist
    # before the function can run) next to the GetAtt of the role; the duplicate is harmless.
    "W3005",
}


def _resolver_index(synth: Synthesized) -> dict[str, dict[str, Any]]:
    """AWS::AppSync::Resolver properties by `Type.field`."""
    resolvers: dict[str, dict[str, Any]] = {}
    for resource in synth.resources("AWS::AppSync::Resolver").values():
        props = resource["Properties"]
        key = f"{props['TypeName']}.{props['FieldName']}"
        assert key not in resolvers, f"{key} has two resolvers"
        resolvers[key] = props
    return resolvers


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- resolvers -----------------------------------------------------------------------------------------


def test_every_binding_has_exactly_one_resolver_and_nothing_else_does(synth: Synthesized) -> None:
    # GIVEN the bindings the local runtime serves
    expected = {binding.key for binding in synth.registry}
    # WHEN the stack is synthesized
    resolvers = _resolver_index(synth)
    # THEN the template has one resolver per binding, and no other
    assert expected, "the registry is empty: nothing would be deployed"
    assert set(resolvers) == expected


def test_lambda_bindings_are_direct_resolvers_batching_where_the_binding_does(synth: Synthesized) -> None:
    resolvers = _resolver_index(synth)
    for binding in (b for b in synth.registry if b.kind == "LAMBDA"):
        props = resolvers[binding.key]
        # THEN the field goes straight to its function's data source, without mapping templates
        assert props["DataSourceName"] == lambda_data_source_name(binding.function or "")
        assert props["Kind"] == "UNIT"
        assert "RequestMappingTemplate" not in props and "Code" not in props
        # AND BatchInvoke fields carry the configured maxBatchSize, the others none
        assert props.get("MaxBatchSize") == binding.max_batch_size, binding.key


def _ran_locally(synth: Synthesized) -> dict[Path, str]:
    """The code the local runtime's JS engine compiled for each APPSYNC_JS file of the registry."""
    runner = JsResolverRunner({})
    runner.check(synth.registry)
    return {path: runner.engine.compiled_code(path) or "" for path in js_code_files(synth.registry)}


def test_js_unit_resolvers_carry_the_bundle_the_local_runtime_runs_inline(synth: Synthesized) -> None:
    resolvers = _resolver_index(synth)
    local = _ran_locally(synth)
    js = [b for b in synth.registry if b.kind == "JS"]
    for binding in js:
        props = resolvers[binding.key]
        assert binding.code is not None
        assert props["Code"] == local[binding.code]
        assert props["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        assert props["DataSourceName"] == binding.data_source
        assert props["Kind"] == "UNIT"
    if synth.config.api.name == "infra-sample":
        assert {b.key for b in js} == {"Query.getNote", "Query.ping"}


def test_pipelines_run_their_appsync_functions_in_order(synth: Synthesized) -> None:
    resolvers = _resolver_index(synth)
    functions = synth.resources("AWS::AppSync::FunctionConfiguration")
    pipelines = [b for b in synth.registry if b.kind == "PIPELINE"]
    local = _ran_locally(synth)
    for binding in pipelines:
        props = resolvers[binding.key]
        assert binding.code is not None
        assert props["Kind"] == "PIPELINE"
        assert props["Code"] == local[binding.code]
        assert props["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        steps = [
            functions[ref["Fn::GetAtt"][0]]["Properties"] for ref in props["PipelineConfig"]["Functions"]
        ]
        assert [s["Name"] for s in steps] == [f.name for f in binding.functions]
        for step, function in zip(steps, binding.functions, strict=True):
            assert step["Code"] == local[function.code]
            assert step["DataSourceName"] == function.data_source
            assert step["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
    if synth.config.api.name == "infra-sample":
        assert [b.key for b in pipelines] == ["Mutation.addNote"]


def test_data_sources_match_the_config(synth: Synthesized) -> None:
    sources = {
        r["Properties"]["Name"]: r["Properties"] for r in synth.resources("AWS::AppSync::DataSource").values()
    }
    used = {b.data_source for b in synth.registry if b.kind == "JS"}
    used |= {f.data_source for b in synth.registry for f in b.functions}
    for name in used:
        config = synth.config.data_source(name or "")
        assert sources[config.name]["Type"] == config.type
        if config.table:
            table_id = synth.logical_id(f"{config.table}Table")
            assert sources[config.name]["DynamoDBConfig"]["TableName"] == {"Ref": table_id}
    for function in {b.function for b in synth.registry if b.kind == "LAMBDA"}:
        assert sources[lambda_data_source_name(function or "")]["Type"] == "AWS_LAMBDA"


# --- API settings ----------------------------------------------------------------------------------------


def test_api_settings_are_the_ones_the_local_runtime_honours(synth: Synthesized) -> None:
    api = synth.config.api
    mode_names = {"AMAZON_COGNITO_USER_POOLS", "API_KEY", "AWS_IAM", "OPENID_CONNECT", "AWS_LAMBDA"}
    assert set(api.auth_modes) <= mode_names
    synth.template.has_resource_properties(
        "AWS::AppSync::GraphQLApi",
        {
            "Name": api.name,
            "AuthenticationType": api.default_auth,
            "AdditionalAuthenticationProviders": [
                Match.object_like({"AuthenticationType": m}) for m in api.additional_auth
            ]
            if api.additional_auth
            else Match.absent(),
            "QueryDepthLimit": api.query_depth_limit,
            "ResolverCountLimit": api.resolver_count_limit,
            "IntrospectionConfig": "ENABLED" if api.introspection_enabled else "DISABLED",
            "XrayEnabled": True,
            "LogConfig": Match.object_like({"FieldLogLevel": "ERROR"}),
        },
    )
    groups = synth.config.cognito.groups if synth.config.cognito else ()
    names = {r["Properties"]["GroupName"] for r in synth.resources("AWS::Cognito::UserPoolGroup").values()}
    assert names == set(groups)


def test_user_pool_tokens_must_be_for_the_deployed_app_client(project: Synthesized) -> None:
    # As locally, where a token must be for one of [auth.cognito] app_client_ids, the deployed API takes
    # tokens of its own app client only, not of any client the pool may get later
    (client_id,) = project.resources("AWS::Cognito::UserPoolClient")
    api = next(iter(project.resources("AWS::AppSync::GraphQLApi").values()))["Properties"]
    modes = [api, *api.get("AdditionalAuthenticationProviders", [])]
    (cognito,) = [m for m in modes if m["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"]
    assert cognito["UserPoolConfig"]["AppIdClientRegex"] == {"Fn::Join": ["", ["^", {"Ref": client_id}, "$"]]}


def test_api_cache_is_a_resource_only_when_configured(project: Synthesized, sample: Synthesized) -> None:
    project.template.resource_count_is("AWS::AppSync::ApiCache", 0 if project.config.api.cache is None else 1)
    sample.template.has_resource_properties(
        "AWS::AppSync::ApiCache", {"ApiCachingBehavior": "PER_RESOLVER_CACHING", "Ttl": 60, "Type": "SMALL"}
    )


def test_the_project_deploys_its_api_cache_and_each_cached_resolvers_caching_config(
    project: Synthesized,
) -> None:
    # GIVEN the project's [api.cache] and the resolvers given a `caching` setting where they are bound
    cache = project.config.api.cache
    assert cache is not None
    # THEN the stack has the ApiCache as configured (always encrypted, as AppSync makes new caches)
    project.template.has_resource_properties(
        "AWS::AppSync::ApiCache",
        {
            "ApiCachingBehavior": cache.behavior,
            "Ttl": cache.ttl_seconds,
            "Type": cache.type,
            "AtRestEncryptionEnabled": True,
            "TransitEncryptionEnabled": True,
        },
    )
    # AND each cached resolver carries its TTL (its own, or the cache's) and its caching keys in order
    resolvers = {
        f"{r['Properties']['TypeName']}.{r['Properties']['FieldName']}": r
        for r in project.resources("AWS::AppSync::Resolver").values()
    }
    caching = {
        key: r["Properties"]["CachingConfig"]
        for key, r in resolvers.items()
        if "CachingConfig" in r["Properties"]
    }
    assert caching == {
        "Query.listTodos": {
            "Ttl": 1,
            "CachingKeys": ["$context.identity.sub", "$context.identity.issuer", "$context.arguments"],
        },
        "Query.getPost": {
            "Ttl": cache.ttl_seconds,
            "CachingKeys": ["$context.identity.sub", "$context.identity.issuer", "$context.arguments.id"],
        },
        "Query.listPosts": {
            "Ttl": cache.ttl_seconds,
            "CachingKeys": [
                "$context.identity.sub",
                "$context.identity.issuer",
                "$context.arguments.authorId",
                "$context.arguments.tag",
                "$context.arguments.limit",
                "$context.arguments.nextToken",
            ],
        },
    }
    # AND they are created after the cache, so their caching settings apply from the start
    cache_id = next(iter(project.resources("AWS::AppSync::ApiCache")))
    assert all(cache_id in resolvers[key].get("DependsOn", []) for key in caching)


def test_oidc_is_a_config_change(sample: Synthesized) -> None:
    sample.template.has_resource_properties(
        "AWS::AppSync::GraphQLApi",
        {
            "AdditionalAuthenticationProviders": Match.array_with(
                [
                    {
                        "AuthenticationType": "OPENID_CONNECT",
                        "OpenIDConnectConfig": Match.object_like(
                            {"Issuer": "https://issuer.example.com", "ClientId": "sample-oidc-client"}
                        ),
                    }
                ]
            )
        },
    )


def test_the_lambda_authorizer_deploys_from_the_same_settings(project: Synthesized) -> None:
    # GIVEN the project's [auth.lambda]
    settings = project.config.auth.lambda_
    assert settings is not None
    function_id = project.logical_id(f"{settings.function}Function")
    # THEN AppSync calls that function, with the TTL and the validation expression the local runtime applies
    project.template.has_resource_properties(
        "AWS::AppSync::GraphQLApi",
        {
            "AdditionalAuthenticationProviders": Match.array_with(
                [
                    {
                        "AuthenticationType": "AWS_LAMBDA",
                        "LambdaAuthorizerConfig": {
                            "AuthorizerUri": {"Fn::GetAtt": [function_id, "Arn"]},
                            "AuthorizerResultTtlInSeconds": settings.ttl_seconds,
                            "IdentityValidationExpression": settings.identity_validation_expression,
                        },
                    }
                ]
            )
        },
    )
    # AND AppSync may invoke it (its resource policy), and nothing else is granted that way
    permissions = [
        r["Properties"]
        for r in project.resources("AWS::Lambda::Permission").values()
        if r["Properties"].get("Principal") == "appsync.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Fn::GetAtt": [function_id, "Arn"]}]
    assert permissions[0]["Action"] == "lambda:InvokeFunction"


def test_the_projects_oidc_mode_deploys_from_appsync_toml(project: Synthesized) -> None:
    # GIVEN the project's [auth.oidc] (the issuer the runtime stands in for locally)
    oidc = project.config.auth.oidc
    assert oidc is not None and "OPENID_CONNECT" in project.config.api.additional_auth
    # THEN the API trusts that issuer, client id pattern and TTLs, in milliseconds as AppSync has them
    expected = {"Issuer": oidc.issuer, "ClientId": oidc.client_id, "IatTTL": oidc.iat_ttl}
    if oidc.auth_ttl is not None:
        expected["AuthTTL"] = oidc.auth_ttl
    project.template.has_resource_properties(
        "AWS::AppSync::GraphQLApi",
        {
            "AdditionalAuthenticationProviders": Match.array_with(
                [{"AuthenticationType": "OPENID_CONNECT", "OpenIDConnectConfig": expected}]
            )
        },
    )


# --- tables ----------------------------------------------------------------------------------------------


def test_tables_match_their_config(synth: Synthesized) -> None:
    tables = synth.resources("AWS::DynamoDB::Table")
    assert len(tables) == len(synth.config.tables)
    for table in synth.config.tables.values():
        props = tables[synth.logical_id(f"{table.name}Table")]["Properties"]
        keys = [{"AttributeName": table.partition_key.name, "KeyType": "HASH"}]
        if table.sort_key:
            keys.append({"AttributeName": table.sort_key.name, "KeyType": "RANGE"})
        assert props["KeySchema"] == keys
        assert sorted(props["AttributeDefinitions"], key=str) == sorted(
            table.attribute_definitions(), key=str
        )
        indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == set(table.global_secondary_indexes)
        for index in table.indexes:
            index_keys = [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
            if index.sort_key:
                index_keys.append({"AttributeName": index.sort_key.name, "KeyType": "RANGE"})
            assert indexes[index.name]["KeySchema"] == index_keys
            assert indexes[index.name]["Projection"] == {"ProjectionType": index.projection}
        assert props.get("StreamSpecification") == (
            {"StreamViewType": table.stream} if table.stream else None
        )
        assert props.get("TimeToLiveSpecification") == (
            {"AttributeName": table.ttl_attribute, "Enabled": True} if table.ttl_attribute else None
        )
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["BillingMode"] == "PAY_PER_REQUEST"


# --- functions -------------------------------------------------------------------------------------------


def test_each_function_ships_its_handler_and_powertools(project: Synthesized, tmp_path: Path) -> None:
    # GIVEN each deployed Lambda function and the zip CDK uploads as its code, unpacked as Lambda does
    functions = project.resources("AWS::Lambda::Function")
    assert set(functions) == _app_functions(project) | _stack_functions(project)
    for config in project.config.functions.values():
        props = functions[project.logical_id(f"{config.name}Function")]["Properties"]
        assert props["Handler"] == config.handler
        assert props["Architectures"] == ["arm64"]
        assert props["Runtime"] in ("python3.12", "python3.13")
        assert props["TracingConfig"] == {"Mode": "Active"}
        asset = tmp_path / config.name
        with zipfile.ZipFile(project.outdir / f"asset.{props['Code']['S3Key']}") as archive:
            archive.extractall(asset)
        module, _, attribute = config.handler.rpartition(".")
        assert (asset / (module.replace(".", "/") + ".py")).is_file()
        assert not (asset / "resolvers" / "js").exists(), (
            "APPSYNC_JS code does not belong in a Lambda package"
        )
        # WHEN Python imports the handler from the asset alone (boto3, as on Lambda, comes from the runtime)
        probe = (
            "import importlib, sys; import aws_lambda_powertools as p;"
            f"m = importlib.import_module({module!r}); h = getattr(m, {attribute!r});"
            "assert callable(h); print(m.__file__); print(p.__file__)"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=asset,
            env={**os.environ, "PYTHONPATH": str(asset)},
            check=False,  # the exit code is asserted below
            capture_output=True,
            text=True,
            timeout=60,
        )
        # THEN it imports, and both the handler and Powertools come from the asset
        assert done.returncode == 0, done.stderr
        handler_file, powertools_file = done.stdout.split()
        assert Path(handler_file).is_relative_to(asset) and Path(powertools_file).is_relative_to(asset)


def _app_functions(synth: Synthesized) -> set[str]:
    return {synth.logical_id(f"{name}Function") for name in synth.config.functions}


def _stack_functions(synth: Synthesized) -> set[str]:
    """The stack's own functions: CDK's S3 notifications and site deployment handlers, and each signing key's
    key maker and its provider framework."""
    found = {
        k
        for k in synth.resources("AWS::Lambda::Function")
        if k.startswith((CDK_NOTIFICATIONS_HANDLER, CDK_BUCKET_DEPLOYMENT_HANDLER))
    }
    for bucket in synth.config.cdn_buckets:
        if bucket.signed_urls is not None:
            key = f"{pascal(bucket.name)}SigningKey"
            found |= {
                synth.logical_id(f"{key}/KeyMaker"),
                synth.logical_id(f"{key}/Provider/framework-onEvent"),
            }
    return found


def test_function_environment_names_the_deployed_resources(synth: Synthesized) -> None:
    functions = synth.resources("AWS::Lambda::Function")
    tables = set(synth.config.tables)
    buckets = set(synth.config.buckets)
    for config in synth.config.functions.values():
        variables = functions[synth.logical_id(f"{config.name}Function")]["Properties"]["Environment"][
            "Variables"
        ]
        for key, value in config.environment.items():
            found = references(value)
            if value in tables:
                assert variables[key] == {"Ref": synth.logical_id(f"{value}Table")}
            elif value in buckets:
                assert variables[key] == {"Ref": synth.logical_id(_bucket_id(value))}
            elif any(_value_ids(synth, r) for r in found):
                # a ${kind:name} reference is the deployed resource's value, never the text itself
                assert set(_referenced_ids(variables[key])) >= {
                    i for r in found for i in _value_ids(synth, r)
                }
            else:  # text, or references whose deployed values are known before deploying
                assert variables[key] == substitute(value, lambda r: _literal_value(synth, r))


# `${api:<attribute>}`: the construct whose attribute it is (None: a value known before deploying).
API_ATTRIBUTE_CONSTRUCTS = {
    "graphql_url": "Api",
    "realtime_url": "Api",
    "api_key": "Api/DefaultApiKey",
    "user_pool_id": "UserPool",
    "user_pool_client_id": "UserPool/WebClient",
    "region": None,
    "user_pool_endpoint": None,
    "api_id": "Api",
    "api_key_expiry_days": None,
}


def _value_ids(synth: Synthesized, reference: Reference) -> set[str]:
    """The logical ids a reference's deployed value refers to; none when it is known before deploying."""
    if reference.kind == "cdn_key":
        return {_public_key_id(synth, reference.name)}
    if reference.kind == "api":
        construct = API_ATTRIBUTE_CONSTRUCTS[reference.name]
        return {synth.logical_id(construct)} if construct else set()
    if reference.kind in ("athena", "glue"):
        return set()  # the workgroup's and the database's names, as appsync.toml gives them
    return {_resource_id(synth, reference)}


def _literal_value(synth: Synthesized, reference: Reference) -> str:
    if reference.kind in ("athena", "glue"):
        return reference.name
    region = synth.config.api.region
    return {
        "region": region,
        "user_pool_endpoint": f"https://cognito-idp.{region}.amazonaws.com/",
        "api_key_expiry_days": str(synth.config.api.api_key_expiry_days),
    }[reference.name]


def _signing_key_id(synth: Synthesized, secret: str) -> str:
    """The construct of the signing key whose private key is in `secret`."""
    (bucket,) = (b for b in synth.config.cdn_buckets if b.signed_urls and b.signed_urls.secret == secret)
    return f"{pascal(bucket.name)}SigningKey"


def _public_key_id(synth: Synthesized, bucket: str) -> str:
    signing_key = synth.stack.node.find_child(f"{pascal(bucket)}SigningKey")
    return synth.stack.get_logical_id(signing_key.public_key.node.default_child)  # type: ignore[no-any-return]


def _resource_id(synth: Synthesized, reference: Reference) -> str:
    if reference.kind == "secret":
        return synth.logical_id(f"{_signing_key_id(synth, reference.name)}/Secret")
    construct = {
        "table": f"{reference.name}Table",
        "bucket": _bucket_id(reference.name),
        "queue": f"{pascal(reference.name)}Queue",
        "stream": f"{pascal(reference.name)}Stream",
        "cdn": f"{pascal(reference.name)}Distribution",
        "api": "Api",
    }[reference.kind]
    return synth.logical_id(construct)


def test_js_resolvers_read_the_deployed_table_names_from_the_api_environment(project: Synthesized) -> None:
    # GIVEN appsync.toml's [api.environment], which JS resolvers read as ctx.env
    (api,) = project.resources("AWS::AppSync::GraphQLApi").values()
    variables = api["Properties"]["EnvironmentVariables"]
    tables = set(project.config.tables)
    cognito = project.config.cognito
    assert cognito is not None
    local_issuer = f"https://cognito-idp.{project.config.api.region}.amazonaws.com/{cognito.user_pool_id}"
    # THEN a value naming a table is the deployed table's name, the local user pool's issuer the deployed
    # pool's, `${cdn:<bucket>}` the distribution's URL, and anything else is kept as written
    assert set(variables) == set(project.config.api.environment)
    for key, value in project.config.api.environment.items():
        if value == local_issuer:
            assert "UserPool" in json.dumps(variables[key]) and "ProviderURL" in json.dumps(variables[key])
            continue
        if references(value):
            (reference,) = references(value)
            distribution = _resource_id(project, reference)
            assert variables[key] == {
                "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]
            }
            continue
        expected = {"Ref": project.logical_id(f"{value}Table")} if value in tables else value
        assert variables[key] == expected


def test_functions_are_granted_only_what_their_environment_and_triggers_name(synth: Synthesized) -> None:
    project = synth
    policies = project.resources("AWS::IAM::Policy")
    for config in project.config.functions.values():
        role_id = project.logical_id(f"{config.name}FunctionRole")
        granted: set[str] = set()
        for policy in policies.values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                for statement in _statements(policy["Properties"]["PolicyDocument"]):
                    granted |= set(_referenced_ids(statement.get("Resource")))
        granted = {g for g in granted if not g.startswith("AWS::")}  # the partition, region and account
        named = {
            project.logical_id(f"{v}Table") for v in config.environment.values() if v in _tables(project)
        }
        named |= {
            project.logical_id(_bucket_id(v)) for v in config.environment.values() if v in _buckets(project)
        }
        named |= {
            _resource_id(project, r)
            for v in config.environment.values()
            for r in references(v)
            # a URL, a key's id, the API's key, region and user pool are values, not permissions
            if r.kind not in ("cdn", "cdn_key", "athena", "glue") and (r.kind != "api" or r.name in API_URLS)
        }
        named |= {
            project.logical_id(_bucket_id(bucket))
            for v in config.environment.values()
            for r in references(v)
            for bucket in _analytics_buckets(project, r.kind)
        }
        for trigger in config.triggers:  # what each event source mapping reads, and where failures go
            source = getattr(trigger, "queue", None) or getattr(trigger, "stream", None)
            if getattr(trigger, "table", None):
                named.add(project.logical_id(f"{trigger.table}Table"))
            elif source and trigger.type in ("sqs", "kinesis"):
                named.add(
                    project.logical_id(f"{pascal(source)}{'Queue' if trigger.type == 'sqs' else 'Stream'}")
                )
            if getattr(trigger, "on_failure", None):
                named.add(project.logical_id(f"{pascal(trigger.on_failure)}Queue"))
        named.add(project.logical_id(f"{config.name}FunctionLogs"))
        assert granted == named, config.name


def test_functions_that_call_the_api_may_call_exactly_their_api_calls(synth: Synthesized) -> None:
    policies = synth.resources("AWS::IAM::Policy")
    if "ingest-report" in synth.config.functions:  # the project's app (the sample calls nothing)
        callers = {c.name for c in synth.config.functions.values() if c.api_calls}
        assert callers == {"post-images", "ingest-report", "ingest-rollup"}
    for config in synth.config.functions.values():
        role_id = synth.logical_id(f"{config.name}FunctionRole")
        fields: set[str] = set()
        for policy in policies.values():
            if {"Ref": role_id} not in policy["Properties"]["Roles"]:
                continue
            for statement in _statements(policy["Properties"]["PolicyDocument"]):
                if "appsync:GraphQL" in json.dumps(statement.get("Action")):
                    resources = (
                        statement["Resource"]
                        if isinstance(statement["Resource"], list)
                        else [statement["Resource"]]
                    )
                    for resource in resources:
                        text = json.dumps(resource)
                        fields.add(
                            text[text.index("/types/") + len("/types/") :]
                            .split('"')[0]
                            .replace("/fields/", ".")
                        )
        assert fields == set(config.api_calls), config.name


def _analytics_buckets(synth: Synthesized, kind: str) -> set[str]:
    """What running queries reads and writes: the results bucket (athena) and the tables' buckets (glue)."""
    analytics = synth.config.analytics
    if analytics is None or kind not in ("athena", "glue"):
        return set()
    tables = {t.bucket for t in analytics.tables.values()}
    return {analytics.results_bucket} | tables if kind == "athena" else tables


def _tables(synth: Synthesized) -> set[str]:
    return set(synth.config.tables)


def _buckets(synth: Synthesized) -> set[str]:
    return set(synth.config.buckets)


def _bucket_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Bucket"


def _referenced_ids(value: Any) -> list[str]:
    """Logical ids a Resource refers to through Ref / Fn::GetAtt, however deeply joined."""
    if isinstance(value, dict):
        if "Ref" in value:
            return [value["Ref"]]
        if "Fn::GetAtt" in value:
            return [value["Fn::GetAtt"][0]]
        return [i for v in value.values() for i in _referenced_ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _referenced_ids(v)]
    return []


# --- security --------------------------------------------------------------------------------------------


def test_no_bucket_is_public_and_all_enforce_tls(synth: Synthesized) -> None:
    buckets = synth.resources("AWS::S3::Bucket")
    assert buckets
    for props in (b["Properties"] for b in buckets.values()):
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
    policies = [p["Properties"] for p in synth.resources("AWS::S3::BucketPolicy").values()]
    assert {p["Bucket"]["Ref"] for p in policies} == set(buckets)
    for policy in policies:
        statements = _statements(policy["PolicyDocument"])
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )
        for statement in statements:
            if statement["Effect"] != "Allow":
                continue
            if policy["Bucket"]["Ref"] == synth.logical_id("AccessLogsBucket"):
                # only S3's log delivery, for the stack's own buckets
                assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}
                assert "aws:SourceArn" in statement["Condition"]["ArnLike"]
            else:  # only CloudFront, for its own distribution
                assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
                assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]


CDK_NOTIFICATIONS_HANDLER = "BucketNotificationsHandler"
CDK_BUCKET_DEPLOYMENT_HANDLER = "CustomCDKBucketDeployment"


def test_every_iam_statement_names_its_resources(synth: Synthesized) -> None:
    documents = [p["Properties"]["PolicyDocument"] for p in synth.resources("AWS::IAM::Policy").values()]
    for logical_id, role in synth.resources("AWS::IAM::Role").items():
        documents += [p["PolicyDocument"] for p in role["Properties"].get("Policies", [])]
        if logical_id.startswith(CDK_NOTIFICATIONS_HANDLER):
            # CDK's own handler that sets S3 notifications (S3 cannot take them in the bucket's own resource
            # without a dependency cycle with the queue policy): logs only, through CDK's managed policy.
            assert role["Properties"]["ManagedPolicyArns"][0]["Fn::Join"][1][-1].endswith(
                "AWSLambdaBasicExecutionRole"
            )
            continue
        # No AWS managed policy: each grants more than one function needs.
        assert "ManagedPolicyArns" not in role["Properties"]
    for statement in (s for d in documents for s in _statements(d)):
        if "*" in _as_list(statement["Resource"]):
            assert set(_as_list(statement["Action"])) <= ACTIONS_THAT_REQUIRE_ANY_RESOURCE, statement


def test_identity_pool_users_reach_only_their_own_folder(synth: Synthesized) -> None:
    role_id = synth.logical_id("IdentityPoolAuthenticatedRole")
    role = synth.json["Resources"][role_id]["Properties"]
    trust = _statements(role["AssumeRolePolicyDocument"])
    assert {a for s in trust for a in _as_list(s["Action"])} == {
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
    }
    for statement in trust:
        assert statement["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
        assert statement["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"] == {
            "Ref": "IdentityPool"
        }
        assert (
            statement["Condition"]["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"]
            == "authenticated"
        )
    policy = next(
        p["Properties"]
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    )
    statements = _statements(policy["PolicyDocument"])
    assert statements
    for statement in statements:
        text = json.dumps(statement)
        assert f"{USER_PREFIX}{USER_SUB}/" in text, statement
        if statement["Action"] == "s3:ListBucket":
            assert all(USER_SUB in p for p in statement["Condition"]["StringLike"]["s3:prefix"])
    synth.template.has_resource_properties(
        "AWS::Cognito::IdentityPoolRoleAttachment",
        {"Roles": {"authenticated": {"Fn::GetAtt": [role_id, "Arn"]}}},
    )


def test_direct_s3_access_and_the_apis_urls_name_the_same_folder(synth: Synthesized) -> None:
    # GIVEN the identity pool: its sessions carry the user pool's `sub` claim as the principal tag `sub`
    synth.template.has_resource_properties(
        "AWS::Cognito::IdentityPoolPrincipalTag",
        {"IdentityPoolId": {"Ref": "IdentityPool"}, "PrincipalTags": {"sub": "sub"}, "UseDefaults": False},
    )
    assert USER_SUB == "${aws:PrincipalTag/sub}"
    # THEN the folder the role opens is the one the API presigns for the same user
    sub = "0f2a6c1e-3b7d-4e55-9a1c-5d8e2b7f4a10"
    assert FileService.object_key(sub, "photo.jpg") == f"{USER_PREFIX}{sub}/photo.jpg"


def test_cloudfront_reads_its_bucket_through_origin_access_control(synth: Synthesized) -> None:
    distributions = synth.resources("AWS::CloudFront::Distribution")
    assert len(distributions) == len(synth.config.cdn_buckets)
    for distribution in distributions.values():
        config = distribution["Properties"]["DistributionConfig"]
        (origin,) = config["Origins"]
        assert "OriginAccessControlId" in origin
        assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
        assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_waf_rate_rule_guards_the_api(synth: Synthesized) -> None:
    synth.template.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Scope": "REGIONAL",
            "Rules": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Name": RATE_RULE_NAME,
                            "Action": {"Block": {}},
                            "Statement": {
                                "RateBasedStatement": {
                                    "AggregateKeyType": "IP",
                                    "Limit": synth.config.api.waf.rate_limit,
                                }
                            },
                        }
                    )
                ]
            ),
        },
    )
    synth.template.has_resource_properties(
        "AWS::WAFv2::WebACLAssociation", {"ResourceArn": {"Fn::GetAtt": [synth.logical_id("Api"), "Arn"]}}
    )


def test_outputs_tell_clients_where_and_how_to_connect(synth: Synthesized) -> None:
    outputs = set(synth.json["Outputs"])
    assert {
        "GraphQLUrl",
        "RealtimeUrl",
        "ApiId",
        "ApiKeyId",
        "UserPoolId",
        "UserPoolClientId",
        "IdentityPoolId",
    } <= outputs


def test_cdk_has_no_warning_about_the_stack(synth: Synthesized) -> None:
    annotations = Annotations.from_stack(synth.stack)
    annotations.has_no_warning("*", Match.any_value())
    annotations.has_no_error("*", Match.any_value())


# --- the template as CloudFormation sees it --------------------------------------------------------------


def test_cfn_lint_finds_no_errors(synth: Synthesized) -> None:
    # GIVEN cfn-lint from the same environment
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    if not cfn_lint.exists():
        pytest.skip("cfn-lint is not installed (the project's `infra` extra)")
    # WHEN it lints the synthesized template
    done = subprocess.run(
        [str(cfn_lint), "--format", "json", "--", str(synth.template_file)],
        check=False,  # the exit code is asserted below
        capture_output=True,
        text=True,
        timeout=300,
    )
    # THEN it exits 0 (clean) or 4 (warnings only; 2 = errors), and every warning is an accepted one
    assert done.returncode in (0, 4), done.stdout + done.stderr
    findings = json.loads(done.stdout or "[]")
    unexpected = [f for f in findings if f["Rule"]["Id"] not in ACCEPTED_CFN_LINT_WARNINGS]
    assert unexpected == [], json.dumps(unexpected, indent=1)
