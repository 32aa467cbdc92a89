"""cdk-nag's AwsSolutions findings this stack accepts, each with the reason a reviewer reads.

The infra tests run `AwsSolutionsChecks` on the project's stack and fail on any finding not listed here
(tests/infra/test_nag.py); what could be fixed was fixed in the stack instead (access logs, CloudFront logging,
Cognito's password policy, least-privilege grants).
"""

from __future__ import annotations

from aws_cdk import Stack
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo


def _wildcard(reason: str, *patterns: str) -> NagPackSuppression:
    """An IAM5 suppression limited to the wildcards matching `patterns` (cdk-nag's `applies_to` regexes)."""
    return NagPackSuppression(
        id="AwsSolutions-IAM5", reason=reason, applies_to=[RegexAppliesTo(regex=f"/{p}/g") for p in patterns]
    )


ACCEPTED: tuple[NagPackSuppression, ...] = (
    _wildcard(
        "A table grant covers the table's own indexes (`<table>/index/*`): Query on a GSI needs them, and they "
        "belong to the same table.",
        r"^Resource::<[A-Za-z0-9]+Table[A-Za-z0-9]+\.Arn>\/index\/\*$",
    ),
    _wildcard(
        "Invoking a function also allows its versions and aliases (`<function>:*`), CDK's invoke grant; the "
        "function itself is named.",
        r"^Resource::<[A-Za-z0-9]+\.Arn>:\*$",
    ),
    _wildcard(
        "Objects of one named bucket (`<bucket>/*`, or a prefix of it): S3 object ARNs have no other form; "
        "the bucket is the one the function's environment names.",
        r"^Resource::<[A-Za-z0-9]+Bucket[A-Za-z0-9]+\.Arn>\/.*\*$",
    ),
    _wildcard(
        "CDK's bucket grants (read, or read/write) of one named bucket use S3's action families "
        "(GetObject*, List*, ...); a function that needs fewer actions lists them in `access` (todos does).",
        r"^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List|PutObject)\*$",
    ),
    _wildcard(
        "X-Ray's PutTraceSegments/PutTelemetryRecords, DynamoDB's ListStreams and AppSync's API-key actions "
        "(CreateApiKey, ListApiKeys, DeleteApiKey: the api-key-rotation function) have no resource-level "
        "permissions (the service authorization reference lists none), so they take `*`.",
        r"^Resource::\*$",
    ),
    _wildcard(
        "CDK's site deployment reads its own staged assets from the bootstrap assets bucket.",
        r"^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-[a-z0-9-]+\/\*$",
    ),
    NagPackSuppression(
        id="AwsSolutions-IAM4",
        reason="CDK's own S3 notifications handler (a singleton CDK creates for BucketNotifications) has "
        "AWSLambdaBasicExecutionRole; CDK offers no way to give it another role. It runs only at deploy time.",
    ),
    NagPackSuppression(
        id="AwsSolutions-L1",
        reason="Python 3.13 is pinned (infra/packaging LAMBDA_PYTHON): each function's zip holds wheels built "
        "for it and the local runtime runs the same version; moving to a newer runtime is a deliberate change of "
        "that pin. CDK's own handlers (site deployment, notifications) get their runtime from CDK.",
    ),
    NagPackSuppression(
        id="AwsSolutions-CFR4",
        reason="The distributions use CloudFront's default *.cloudfront.net certificate, for which CloudFront "
        "fixes the security policy (TLSv1) and ignores MinimumProtocolVersion; a custom domain with an ACM "
        "certificate would set TLSv1.2_2021.",
    ),
    NagPackSuppression(
        id="AwsSolutions-CFR1",
        reason="The blog, its photos and the premium media are for readers everywhere: no geo restriction.",
    ),
    NagPackSuppression(
        id="AwsSolutions-CFR2",
        reason="The distributions serve static files and signed-URL media from private buckets (origin access "
        "control); the web ACL guards the API, where requests reach code. A CloudFront web ACL must live in "
        "us-east-1 and costs $5/month more.",
    ),
    NagPackSuppression(
        id="AwsSolutions-COG2",
        reason="Readers of a public blog sign up with an e-mail address; requiring MFA of every user is a "
        "product decision this stack does not make.",
    ),
    NagPackSuppression(
        id="AwsSolutions-COG8",
        reason="Cognito's Plus feature plan (threat protection) is billed per monthly active user; the "
        "Essentials plan with the password policy and no OAuth flows is what this app needs today.",
    ),
    NagPackSuppression(
        id="AwsSolutions-ASC3",
        reason="Field errors are logged, but with excludeVerboseContent: verbose logs would write request "
        "headers (users' tokens, the API key) and resolved data (e-mail addresses) into CloudWatch.",
    ),
    NagPackSuppression(
        id="AwsSolutions-SMG4",
        reason="The CloudFront signing key's secret is rotated by the key's custom resource on a context change "
        "(README: Rotating the signing key), which also replaces the public key CloudFront trusts; a Secrets "
        "Manager rotation would change only the private half and break every signed URL.",
    ),
    NagPackSuppression(
        id="AwsSolutions-KDF1",
        reason="Firehose's server-side encryption applies to Direct PUT only; this delivery stream reads a "
        "Kinesis stream encrypted with KMS and writes into an SSE-S3 bucket, so the data is encrypted at rest "
        "at both ends.",
    ),
    NagPackSuppression(
        id="AwsSolutions-SQS3",
        reason="The failures queues are themselves where failed batches' metadata ends up (a stream mapping's "
        "on-failure destination, kept 14 days); a dead-letter queue behind them would hold nothing.",
    ),
)


def suppress_accepted_findings(stack: Stack) -> None:
    """Attach `ACCEPTED` to the stack, and the access-log bucket's own S1 to that bucket."""
    NagSuppressions.add_stack_suppressions(stack, list(ACCEPTED), apply_to_nested_stacks=True)
    access_logs = stack.node.try_find_child("AccessLogsBucket")
    if access_logs is not None:
        NagSuppressions.add_resource_suppressions(
            access_logs,
            [
                NagPackSuppression(
                    id="AwsSolutions-S1",
                    reason="This is the access-log bucket: logging its own access into itself would log each "
                    "log delivery, without end.",
                )
            ],
        )
