"""A regional WAF web ACL in front of the API: one IP may send only so many requests per 5 minutes."""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

RATE_RULE_NAME = "RateLimitPerIp"


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def build_api_firewall(scope: Construct, api_arn: str, rate_limit: int) -> wafv2.CfnWebACL:
    """A web ACL with a rate-based blocking rule, associated with the AppSync API."""
    acl = wafv2.CfnWebACL(
        scope,
        "ApiWebAcl",
        scope="REGIONAL",  # AppSync APIs take regional web ACLs
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility("ApiWebAcl"),
        rules=[
            wafv2.CfnWebACL.RuleProperty(
                name=RATE_RULE_NAME,
                priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=rate_limit, aggregate_key_type="IP"
                    )
                ),
                visibility_config=_visibility(RATE_RULE_NAME),
            )
        ],
    )
    wafv2.CfnWebACLAssociation(scope, "ApiWebAclAssociation", resource_arn=api_arn, web_acl_arn=acl.attr_arn)
    return acl
