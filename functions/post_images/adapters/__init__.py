"""The post-images adapters: S3 (the only module that imports boto3) and the AppSync API."""
