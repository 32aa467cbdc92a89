"""Reports: their CSV copied into the reports bucket, their record in the IngestionReports table, and the
result published live with `publishIngestionResult` (SigV4, the same call on AWS and locally)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from functions.ingestion.layout import s3_location
from functions.ingestion.settings import aws
from subscriptions.publisher import publish_ingestion_result


@dataclass
class SourceReport:
    """One report's figures for one source."""

    kind: str  # BATCH or ROLLUP
    source: str
    location: str  # s3:// URI of the CSV
    batch_id: str | None = None
    period_start: str | None = None
    accepted: int = 0
    duplicates: int = 0
    dropped: int = 0
    failed: int = 0
    rows: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        scope = self.batch_id if self.kind == "BATCH" else (self.period_start or "")[:13]
        return f"{self.kind.lower()}:{scope}:{self.source}"

    @property
    def record_count(self) -> int:
        return self.accepted + self.duplicates + self.dropped + self.failed

    @property
    def status(self) -> str:
        if self.failed and not (self.accepted or self.duplicates or self.dropped):
            return "FAILED"
        return "PARTIAL" if self.failed or self.dropped else "SUCCEEDED"

    def summary(self) -> str:
        return json.dumps({"rows": list(self.rows)}, separators=(",", ":"))


def by_source(rows: Iterable[Mapping[str, str | None]], make: Any) -> dict[str, SourceReport]:
    """Group a query's rows by their `source` column, one SourceReport (from `make(source)`) each."""
    reports: dict[str, SourceReport] = {}
    for row in rows:
        source = row.get("source") or "unknown"
        reports.setdefault(source, make(source)).rows.append(dict(row))
    return reports


def copy_csv(result_location: str, bucket: str, key: str) -> str:
    """Copy Athena's result CSV to `bucket/key`; returns its s3:// URI."""
    source_bucket, source_key = s3_location(result_location)
    aws("s3").copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": source_bucket, "Key": source_key},
        ContentType="text/csv",
    )
    return f"s3://{bucket}/{key}"


def save(table: str, report: SourceReport, now: datetime | None = None) -> None:
    """Write the report's record (the same id again overwrites it: a retried batch leaves one record)."""
    created_at = (now or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    item: dict[str, Any] = {
        "id": {"S": report.id},
        "kind": {"S": report.kind},
        "source": {"S": report.source},
        "kindSource": {"S": f"{report.kind}#{report.source}"},
        "status": {"S": report.status},
        "recordCount": {"N": str(report.record_count)},
        "accepted": {"N": str(report.accepted)},
        "duplicates": {"N": str(report.duplicates)},
        "dropped": {"N": str(report.dropped)},
        "failed": {"N": str(report.failed)},
        "summary": {"S": report.summary()},
        "location": {"S": report.location},
        "createdAt": {"S": created_at},
    }
    if report.batch_id:
        item["batchId"] = {"S": report.batch_id}
    if report.period_start:
        item["periodStart"] = {"S": report.period_start}
    aws("dynamodb").put_item(TableName=table, Item=item)


def publish(report: SourceReport, graphql_url: str) -> dict[str, Any]:
    """Push the report to `onIngestionResult` subscribers."""
    return publish_ingestion_result(
        {
            "source": report.source,
            "batchId": report.batch_id or report.id,
            "recordCount": report.record_count,
            "status": report.status,
            "accepted": report.accepted,
            "duplicates": report.duplicates,
            "dropped": report.dropped,
            "failed": report.failed,
            "reportId": report.id,
            "reportLocation": report.location,
            "summary": report.summary(),
        },
        url=graphql_url,
    )
