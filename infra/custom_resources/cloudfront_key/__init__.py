"""The CloudFront signing key pair, made in AWS at deploy time (`handler.on_event`)."""
