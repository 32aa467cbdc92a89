"""The stack's outputs for each served bucket: where CloudFront serves it, the bucket, and its signing key."""

from __future__ import annotations

from aws_cdk import CfnOutput
from constructs import Construct

from .cdn import ServedBucket
from .storage import pascal


def add_cdn_outputs(scope: Construct, served: dict[str, ServedBucket]) -> None:
    """`<Bucket>DistributionDomain`, `<Bucket>BucketName` and, with signed URLs, `<Bucket>SigningSecretArn`,
    `<Bucket>PublicKeyId` (the signed URLs' Key-Pair-Id) and `<Bucket>KeyGroupId`."""
    for name, site in served.items():
        prefix = pascal(name)
        CfnOutput(
            scope,
            f"{prefix}DistributionDomain",
            value=site.distribution.distribution_domain_name,
            description=f"CloudFront for {name}",
        )
        CfnOutput(scope, f"{prefix}BucketName", value=site.bucket.bucket_name, description=f"bucket {name}")
        key = site.signing_key
        if key is None:
            continue
        CfnOutput(
            scope,
            f"{prefix}SigningSecretArn",
            value=key.secret.secret_arn,
            description=f"the private key {name}'s URLs are signed with (PEM)",
        )
        CfnOutput(
            scope,
            f"{prefix}PublicKeyId",
            value=key.public_key.public_key_id,
            description=f"the Key-Pair-Id of {name}'s signed URLs",
        )
        CfnOutput(
            scope,
            f"{prefix}KeyGroupId",
            value=key.key_group.key_group_id,
            description=f"{name}'s trusted key group",
        )
