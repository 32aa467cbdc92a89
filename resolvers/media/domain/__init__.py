"""Premium media and premium users, independent of AppSync, DynamoDB, S3 and CloudFront."""
