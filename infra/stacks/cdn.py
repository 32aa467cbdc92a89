"""Buckets served through CloudFront (the blog's static site, the premium media): private buckets that only
their distribution reads, through origin access control. A `signed_urls` bucket's distribution serves only
URLs signed with its key group's key, but for its `public_paths`."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import BucketConfig

from .signing_key import ROTATION_CONTEXT, CloudFrontSigningKey
from .storage import build_private_bucket, pascal


@dataclass(frozen=True)
class ServedBucket:
    """A private bucket, the CloudFront distribution in front of it, and the key its URLs are signed with."""

    bucket: s3.Bucket
    distribution: cloudfront.Distribution
    signing_key: CloudFrontSigningKey | None = None


def build_served_bucket(
    scope: Construct, config: BucketConfig, access_logs: s3.IBucket | None = None
) -> ServedBucket:
    """A private bucket behind an HTTPS-only distribution that reads it with origin access control.

    With `signed_urls`, the default behavior trusts the bucket's key group (an unsigned, expired or tampered
    request is refused with 403) and each public path pattern is a behavior of its own without it.
    """
    name, description = config.name, config.description
    bucket = build_private_bucket(
        scope, f"{pascal(name)}Bucket", cors=config.cors, expire=config.expire, access_logs=access_logs
    )
    origin = origins.S3BucketOrigin.with_origin_access_control(bucket)
    signing_key = None
    trusted: list[cloudfront.IKeyGroup] | None = None
    public_paths: tuple[str, ...] = ()
    if config.signed_urls is not None:
        rotation = scope.node.try_get_context(ROTATION_CONTEXT.format(bucket=name))
        signing_key = CloudFrontSigningKey(
            scope,
            f"{pascal(name)}SigningKey",
            secret=config.signed_urls.secret,
            rotation="" if rotation is None else str(rotation),
        )
        trusted = [signing_key.key_group]
        public_paths = config.signed_urls.public_paths
    distribution = cloudfront.Distribution(
        scope,
        f"{pascal(name)}Distribution",
        comment=(description or name)[:128],
        default_root_object="index.html",
        default_behavior=_behavior(origin, trusted),
        additional_behaviors={path: _behavior(origin, None) for path in public_paths} or None,
        # The blog's readers are everywhere: PRICE_CLASS_100 would serve Asia, Oceania, South America and
        # Africa from North American and European edges.
        price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        enable_logging=access_logs is not None,
        log_bucket=access_logs,
        log_file_prefix=f"cloudfront/{name}/" if access_logs is not None else None,
    )
    return ServedBucket(bucket, distribution, signing_key)


def _behavior(
    origin: cloudfront.IOrigin, trusted: list[cloudfront.IKeyGroup] | None
) -> cloudfront.BehaviorOptions:
    return cloudfront.BehaviorOptions(
        origin=origin,
        viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
        trusted_key_groups=trusted,
    )


def build_served_buckets(
    scope: Construct, buckets: tuple[BucketConfig, ...], access_logs: s3.IBucket | None = None
) -> dict[str, ServedBucket]:
    """Every bucket `appsync.toml` marks `cdn = true`, by name; requests logged into `access_logs`."""
    return {bucket.name: build_served_bucket(scope, bucket, access_logs) for bucket in buckets}
