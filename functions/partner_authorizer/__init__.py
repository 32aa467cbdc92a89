"""The API's Lambda authorizer: partners' and devices' tokens for the ingestion pipeline (AWS_LAMBDA mode)."""
