"""Build the CDK app from `appsync.toml`: used by `infra/app.py` and by the tests."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from appdef import load_config
from appdef.bindings import BindingRegistry

from .backend_stack import BackendStack

# Set here rather than in cdk.json so that the tests synthesize the very template `cdk deploy` does.
FEATURE_FLAGS = {
    "@aws-cdk/aws-iam:minimizePolicies": True,
    "@aws-cdk/aws-appsync:appSyncGraphQLAPIScopeLambdaPermission": True,
    "@aws-cdk/core:target-partitions": ["aws"],
    # S3 server access logs delivered by the bucket policy (logging.s3.amazonaws.com), not a legacy ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def new_app(outdir: Path | None = None) -> cdk.App:
    """An empty CDK app with the project's feature flags."""
    return cdk.App(outdir=str(outdir) if outdir else None, context=dict(FEATURE_FLAGS))


def build_stack(app: cdk.App, config_path: Path, *, account: str | None = None) -> BackendStack:
    """The backend stack for one `appsync.toml`, named after `[api] name`, in `[api] region`.

    Parameters
    ----------
    app
        The CDK app to add the stack to.
    config_path
        The app's `appsync.toml`.
    account
        The AWS account; None keeps the template account-agnostic (offline synth needs nothing else).
    """
    config = load_config(config_path)
    stack = BackendStack(
        app,
        config.api.name,
        config=config,
        registry=BindingRegistry.discover(config),
        env=cdk.Environment(account=account, region=config.api.region),
        description=f"{config.api.name}: AppSync API, resolvers, tables, functions, Cognito, S3, CloudFront, WAF",
    )
    cdk.Tags.of(stack).add("app", config.api.name)
    return stack


def build_app(
    config_path: Path, *, outdir: Path | None = None, account: str | None = None
) -> tuple[cdk.App, BackendStack]:
    """The CDK app with the backend stack of `config_path`."""
    app = new_app(outdir)
    return app, build_stack(app, config_path, account=account)
