"""Issue 12, items 9 and 10: the deploy keeps working after a week, grants only what is used, and passes
cdk-nag's AwsSolutions rules (every accepted finding is a reasoned suppression in infra/stacks/nag.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest

pytest.importorskip(
    "aws_cdk", reason="aws-cdk-lib is not installed (the project's `infra` extra; `make test` installs it)"
)

from aws_cdk.assertions import Annotations, Match

from infra.stacks.storage import pascal
from infra.stacks.waf import COUNTED_RULES, MANAGED_RULE_GROUPS
from tests.infra.conftest import Synthesized

DAY = 86_400


def _role_actions(synth: Synthesized, role_id: str) -> dict[str, set[str]]:
    """Actions granted to a role, by the logical id of each resource they name (`Fn::GetAtt`)."""
    granted: dict[str, set[str]] = {}
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for resource in resources:
                for logical_id in _ids(resource):
                    granted.setdefault(logical_id, set()).update(actions)
    return granted


def _ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            return [value["Fn::GetAtt"][0]]
        if "Ref" in value:
            return [value["Ref"]]
        return [i for v in value.values() for i in _ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ids(v)]
    return []


def test_cdk_nag_finds_no_unsuppressed_error_or_warning(project: Synthesized) -> None:
    # GIVEN the project's stack, synthesized with AwsSolutionsChecks (conftest)
    annotations = Annotations.from_stack(project.stack)
    # THEN every AwsSolutions finding was fixed or suppressed with a reason
    errors = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    warnings = annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{e.id}: {e.entry.data}" for e in errors] == []
    assert [f"{w.id}: {w.entry.data}" for w in warnings] == []


def test_the_deployed_api_key_lasts_the_configured_days(project: Synthesized) -> None:
    # GIVEN api_key_expiry_days (365: a key that outlives a week without a deploy)
    days = project.config.api.api_key_expiry_days
    assert days == 365
    # THEN the key expires that many days after the synth
    (key,) = project.resources("AWS::AppSync::ApiKey").values()
    expires = key["Properties"]["Expires"]
    assert expires >= time.time() + (days - 1) * DAY


def test_todos_function_gets_only_the_actions_it_uses(project: Synthesized) -> None:
    # GIVEN the todos function's `access` in appsync.toml
    granted = _role_actions(project, project.logical_id("todosFunctionRole"))
    # THEN its role has exactly those actions on the Todos and Users tables and the user-files bucket
    access = project.config.functions["todos"].access
    assert granted[project.logical_id("TodosTable")] == set(access["Todos"])
    assert granted[project.logical_id("UsersTable")] == set(access["Users"])
    assert granted[project.logical_id("UserFilesBucket")] == {"s3:GetObject", "s3:PutObject"}


def test_users_data_source_may_only_batch_get_its_table(project: Synthesized) -> None:
    # GIVEN the users data source (attachAuthors: one BatchGetItem)
    (source,) = [
        s
        for s in project.resources("AWS::AppSync::DataSource").values()
        if s["Properties"]["Name"] == "users"
    ]
    role_id = source["Properties"]["ServiceRoleArn"]["Fn::GetAtt"][0]
    # THEN its role may run BatchGetItem on the Users table, and nothing else anywhere
    assert _role_actions(project, role_id) == {project.logical_id("UsersTable"): {"dynamodb:BatchGetItem"}}


def test_cognito_web_client_has_no_oauth_flows(synth: Synthesized) -> None:
    for client in synth.resources("AWS::Cognito::UserPoolClient").values():
        props = client["Properties"]
        assert not props.get("AllowedOAuthFlows")
        assert not props.get("CallbackURLs")
        assert props.get("AllowedOAuthFlowsUserPoolClient") in (None, False)


def test_user_pool_password_policy_needs_every_character_class(project: Synthesized) -> None:
    (pool,) = project.resources("AWS::Cognito::UserPool").values()
    policy = pool["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 8
    assert all(
        policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )


def test_waf_runs_aws_managed_rule_groups_with_large_bodies_only_counted(synth: Synthesized) -> None:
    (acl,) = synth.resources("AWS::WAFv2::WebACL").values()
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    for name in MANAGED_RULE_GROUPS:
        statement = rules[name]["Statement"]["ManagedRuleGroupStatement"]
        assert (statement["VendorName"], statement["Name"]) == ("AWS", name)
        assert rules[name]["OverrideAction"] == {"None": {}}
        counted = {
            o["Name"] for o in statement.get("RuleActionOverrides", []) if o["ActionToUse"] == {"Count": {}}
        }
        assert counted == set(COUNTED_RULES.get(name, ()))
    # a GraphQL body over 8 KB (a long post, an ingestEvents batch) is not blocked
    assert COUNTED_RULES["AWSManagedRulesCommonRuleSet"] == ("SizeRestrictions_BODY",)


def test_cloudfront_serves_every_edge_and_logs(synth: Synthesized) -> None:
    for distribution in synth.resources("AWS::CloudFront::Distribution").values():
        config = distribution["Properties"]["DistributionConfig"]
        assert config["PriceClass"] == "PriceClass_All"
        assert config["Logging"]["Bucket"] == {
            "Fn::GetAtt": [synth.logical_id("AccessLogsBucket"), "RegionalDomainName"]
        }


def test_every_bucket_logs_its_access(synth: Synthesized) -> None:
    log_bucket = synth.logical_id("AccessLogsBucket")
    for logical_id, bucket in synth.resources("AWS::S3::Bucket").items():
        if logical_id != log_bucket:
            assert bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {
                "Ref": log_bucket
            }


def test_outputs_name_every_bucket(synth: Synthesized) -> None:
    # GIVEN README's promise: every bucket's name is an output (`UserFilesBucketName`, `BlogSiteBucketName`, ...)
    outputs = set(synth.json["Outputs"])
    # THEN each bucket of appsync.toml, and the access-log bucket, has one
    expected = {f"{pascal(name)}BucketName" for name in synth.config.buckets} | {"AccessLogsBucketName"}
    assert expected <= outputs


def _statements_of(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_api_key_is_rotated_daily_by_a_function_that_may_only_manage_keys_and_the_site_config(
    project: Synthesized,
) -> None:
    # GIVEN the api-key-rotation function of appsync.toml
    function_id = project.logical_id("api-key-rotationFunction")
    function = project.resources("AWS::Lambda::Function")[function_id]
    environment = function["Properties"]["Environment"]["Variables"]

    # THEN an EventBridge rule runs it every day
    rules = [
        rule
        for rule in project.resources("AWS::Events::Rule").values()
        if any(_ids(target["Arn"]) == [function_id] for target in rule["Properties"]["Targets"])
    ]
    assert [rule["Properties"]["ScheduleExpression"] for rule in rules] == ["rate(1 day)"]
    # AND it makes keys lasting the configured days, for the deployed API, into the deployed site's bucket
    assert environment["API_KEY_EXPIRY_DAYS"] == str(project.config.api.api_key_expiry_days) == "365"
    assert _ids(environment["API_ID"]) == [project.logical_id("Api")]
    assert _ids(environment["SITE_BUCKET"]) == [project.logical_id("BlogSiteBucket")]
    # AND its role may manage API keys (no resource-level permissions exist for them) and read and write the
    # site's config.json, and nothing else but its own logs
    statements = _statements_of(project, project.logical_id("api-key-rotationFunctionRole"))
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        for action in _as_list(statement["Action"]):
            granted.setdefault(action, []).extend(_as_list(statement["Resource"]))
    key_actions = {"appsync:CreateApiKey", "appsync:ListApiKeys", "appsync:DeleteApiKey"}
    assert {action: granted[action] for action in key_actions} == {action: ["*"] for action in key_actions}
    for action in ("s3:GetObject", "s3:PutObject"):
        (config_object,) = granted[action]
        assert _ids(config_object) == [project.logical_id("BlogSiteBucket")]
        assert config_object["Fn::Join"][1][-1] == "/config.json"
    tracing_and_logs = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    tracing_and_logs |= {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert set(granted) - key_actions - {"s3:GetObject", "s3:PutObject"} <= tracing_and_logs


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
