"""Subscription wiring outside the schema: the IAM-signed AppSync client functions use to reach subscribers
(`appsync_client`), and the ingestion publisher built on it."""
