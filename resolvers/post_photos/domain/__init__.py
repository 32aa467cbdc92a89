"""Post photo uploads, independent of AppSync, DynamoDB and S3."""
