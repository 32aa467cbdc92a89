"""The welcome e-mail's adapters: SES v2 and the idempotency store (the only modules that import boto3)."""
