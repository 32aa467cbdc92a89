"""The ingestion Lambda resolver: `ingestEvents` (checked, then PutRecords to the stream) and report downloads."""
