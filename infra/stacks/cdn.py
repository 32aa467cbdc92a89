"""Buckets served through CloudFront (the blog's static site, the premium media): private buckets that only
their distribution reads, through origin access control."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import BucketConfig

from .storage import build_private_bucket, pascal


@dataclass(frozen=True)
class ServedBucket:
    """A private bucket and the CloudFront distribution in front of it."""

    bucket: s3.Bucket
    distribution: cloudfront.Distribution


def build_served_bucket(scope: Construct, config: BucketConfig) -> ServedBucket:
    """A private bucket behind an HTTPS-only distribution that reads it with origin access control."""
    name, description = config.name, config.description
    bucket = build_private_bucket(scope, f"{pascal(name)}Bucket", cors=config.cors)
    distribution = cloudfront.Distribution(
        scope,
        f"{pascal(name)}Distribution",
        comment=(description or name)[:128],
        default_root_object="index.html",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
        ),
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
    )
    return ServedBucket(bucket, distribution)


def build_served_buckets(scope: Construct, buckets: tuple[BucketConfig, ...]) -> dict[str, ServedBucket]:
    """Every bucket `appsync.toml` marks `cdn = true`, by name."""
    return {bucket.name: build_served_bucket(scope, bucket) for bucket in buckets}
