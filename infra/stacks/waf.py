"""A regional WAF web ACL in front of the API: one IP may send only so many requests per 5 minutes, and AWS's
managed rule groups for common attacks and known bad inputs."""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

RATE_RULE_NAME = "RateLimitPerIp"
# AWS managed rule groups, in the order they run after the rate rule.
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
# Counted, not blocked: the common rule set blocks request bodies over 8 KB, and legitimate GraphQL requests are
# larger (a long post's createPost/updatePost, an ingestEvents batch); AppSync applies its own body limits.
COUNTED_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}


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
            ),
            *(_managed_rule_group(name, priority) for priority, name in enumerate(MANAGED_RULE_GROUPS, 1)),
        ],
    )
    wafv2.CfnWebACLAssociation(scope, "ApiWebAclAssociation", resource_arn=api_arn, web_acl_arn=acl.attr_arn)
    return acl


def _managed_rule_group(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    """An AWS managed rule group with its own blocking actions, but the rules of `COUNTED_RULES` only counted."""
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(
                        name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                    )
                    for rule in COUNTED_RULES.get(name, ())
                ]
                or None,
            )
        ),
        visibility_config=_visibility(name),
    )
