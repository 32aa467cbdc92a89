"""A `content` bucket's files, deployed with the stack: the project folder, plus its config file (`config` with
every reference resolved, deploy-time values included), copied by CDK's BucketDeployment with the configured
Cache-Control; removed files are removed (prune), and each deploy invalidates the distribution."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from appdef import AppConfig
from appdef.resources import BucketContent

from .cdn import ServedBucket
from .storage import pascal

INVALIDATION_ACTIONS = frozenset({"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"})


class SiteDeploymentRole(iam.Role):
    """The role of CDK's deployment handler, one function per stack that every BucketDeployment shares.

    BucketDeployment grants its handler invalidations on every distribution (`"Resource": "*"`); CloudFront
    takes a distribution's ARN there, so this role grants them on the distributions of the stack's sites only.

    Parameters
    ----------
    scope, construct_id
        As for any construct.
    log_group
        The handler's log group, the only one it may write.
    """

    def __init__(self, scope: Construct, construct_id: str, *, log_group: logs.ILogGroup) -> None:
        super().__init__(
            scope,
            construct_id,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Copies the sites' files into their buckets and invalidates their distributions",
        )
        self.distribution_arns: list[str] = []
        self.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """Every statement as given, but invalidations: on the sites' distributions instead of on `*`."""
        if statement.resources == ["*"] and set(statement.actions) <= INVALIDATION_ACTIONS:
            statement = iam.PolicyStatement(actions=statement.actions, resources=list(self.distribution_arns))
        return super().add_to_principal_policy(statement)


def deploy_site_contents(
    scope: Construct, app: AppConfig, served: dict[str, ServedBucket], resolve: Callable[[str], str]
) -> dict[str, s3deploy.BucketDeployment]:
    """Every `content` bucket's files, by bucket name.

    Parameters
    ----------
    scope
        The stack.
    app
        The app definition: which buckets have `content`, and its folder (relative to `appsync.toml`).
    served
        The served buckets and their distributions, by name.
    resolve
        A config value with its references replaced by deployed values (`${api:graphql_url}` -> the URL).
    """
    sites = {name: b.content for name, b in app.buckets.items() if b.content is not None}
    if not sites:
        return {}
    log_group = logs.LogGroup(
        scope,
        "SiteDeploymentLogs",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=RemovalPolicy.DESTROY,
    )
    role = SiteDeploymentRole(scope, "SiteDeploymentRole", log_group=log_group)
    return {
        name: _deploy(scope, name, content, served[name], app.root, resolve, role, log_group)
        for name, content in sites.items()
    }


def _deploy(
    scope: Construct,
    name: str,
    content: BucketContent,
    site: ServedBucket,
    root: Path,
    resolve: Callable[[str], str],
    role: SiteDeploymentRole,
    log_group: logs.ILogGroup,
) -> s3deploy.BucketDeployment:
    sources = [s3deploy.Source.asset(str(root / content.folder))]
    if content.config_file is not None:
        config = {key: resolve(value) for key, value in content.config.items()}
        sources.append(s3deploy.Source.json_data(content.config_file, config))
    role.distribution_arns.append(site.distribution.distribution_arn)
    return s3deploy.BucketDeployment(
        scope,
        f"{pascal(name)}Content",
        sources=sources,
        destination_bucket=site.bucket,
        cache_control=[s3deploy.CacheControl.from_string(content.cache_control)],
        prune=True,
        distribution=site.distribution,
        distribution_paths=["/*"],
        role=role,
        log_group=log_group,
    )
