"""The ingestion pipeline's functions: Firehose's transform (validate, normalize, deduplicate), the batch report
(S3 -> SQS -> Athena SQL -> reports bucket -> publishIngestionResult) and the hourly rollup (a schedule)."""
