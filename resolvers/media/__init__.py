"""The media Lambda function: playback URLs (CloudFront signed URLs), upload URLs and premium users."""
