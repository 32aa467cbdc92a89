"""The media adapters: DynamoDB tables, presigned S3 PUTs and CloudFront signing (the only modules that import
boto3, botocore's signer and cryptography)."""
