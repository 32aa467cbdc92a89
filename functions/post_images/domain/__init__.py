"""Attaching a finished upload to its post, independent of S3, SQS and AppSync."""
