"""The users' S3 buckets (`[buckets]` in `appsync.toml`): private, TLS only, one folder per user."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import BucketConfig
from appdef.resources import ExpirationRule

USER_PREFIX = "users/"
# One identity names a user's folder on every path: the user pool's `sub`. The API's resolvers presign
# `users/<sub>/` from the token's `sub`; the identity pool passes the same claim to IAM as the principal tag
# `sub` (infra/stacks/identity.py), so direct S3 access is scoped to the very same folder. (The identity
# pool's own identity id, `${cognito-identity.amazonaws.com:sub}`, is a different value.)
USER_SUB_TAG = "sub"
USER_SUB = f"${{aws:PrincipalTag/{USER_SUB_TAG}}}"


# Server access logs and CloudFront's logs are kept this long.
ACCESS_LOG_DAYS = 90


def build_access_log_bucket(scope: Construct) -> s3.Bucket:
    """Where S3 writes the buckets' server access logs (`s3/<bucket>/`) and CloudFront its distributions' logs
    (`cloudfront/<bucket>/`): private, TLS only, expiring after `ACCESS_LOG_DAYS`.

    CloudFront's standard logs are delivered with an ACL grant, so this bucket (and only this one) keeps ACLs
    enabled (object writer ownership); public access stays blocked.
    """
    return s3.Bucket(
        scope,
        "AccessLogsBucket",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(ACCESS_LOG_DAYS))],
    )


def build_private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    cors: bool = False,
    expire: tuple[ExpirationRule, ...] = (),
    access_logs: s3.IBucket | None = None,
) -> s3.Bucket:
    """A bucket no one reaches without credentials: public access blocked, SSL enforced, SSE-S3; objects
    under each rule's prefix expire after its days; its server access logs go to `access_logs`."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=RemovalPolicy.RETAIN,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"s3/{construct_id}/" if access_logs is not None else None,
        cors=[
            s3.CorsRule(
                # Browsers upload and download with the presigned URLs the API hands out.
                # POST: presigned POST uploads (a policy that fixes content type and size)
                allowed_methods=[
                    s3.HttpMethods.GET,
                    s3.HttpMethods.PUT,
                    s3.HttpMethods.POST,
                    s3.HttpMethods.HEAD,
                ],
                allowed_origins=["*"],
                allowed_headers=["*"],
                exposed_headers=["ETag"],
                max_age=3000,
            )
        ]
        if cors
        else None,
        lifecycle_rules=[
            s3.LifecycleRule(prefix=rule.prefix or None, expiration=Duration.days(rule.days))
            for rule in expire
        ]
        or None,
    )


def build_user_buckets(
    scope: Construct, buckets: tuple[BucketConfig, ...], access_logs: s3.IBucket | None = None
) -> dict[str, s3.Bucket]:
    """Every users' bucket, by its name in `appsync.toml`."""
    return {
        b.name: build_private_bucket(
            scope, f"{pascal(b.name)}Bucket", cors=b.cors, expire=b.expire, access_logs=access_logs
        )
        for b in buckets
    }


def own_folder_statements(bucket: s3.IBucket) -> list[iam.PolicyStatement]:
    """Read, write and list `users/<user pool sub>/` in `bucket`, and nothing else in it."""
    folder = f"{USER_PREFIX}{USER_SUB}/"
    return [
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources=[bucket.arn_for_objects(f"{folder}*")],
        ),
        iam.PolicyStatement(
            actions=["s3:ListBucket"],
            resources=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [folder, f"{folder}*"]}},
        ),
    ]


def pascal(name: str) -> str:
    """`user-files` -> `UserFiles`, for construct ids."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
