"""Recording one media upload, independent of S3, SQS, DynamoDB and Pillow."""
