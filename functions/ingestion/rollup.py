"""The hourly rollup: on a schedule, one hour of accepted events by source and type, as a ROLLUP report.

EventBridge invokes it (`rate(1 hour)`) with its scheduled event; the hour reported is the last full hour
before the event's `time`. `{"hour": "yyyy/MM/dd/HH"}` reports that hour instead (a backfill, by hand). The
same hour reported again overwrites its report (the same id and CSV key), and is published again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.ingestion import reports
from functions.ingestion.athena import run_query
from functions.ingestion.layout import hour_partition, rollup_report_key
from functions.ingestion.queries import query
from functions.ingestion.settings import required

HOUR = re.compile(r"^\d{4}/\d{2}/\d{2}/\d{2}$")

logger = Logger(service="ingest-rollup")


def hour_of(event: dict[str, Any]) -> datetime:
    """The start of the hour to report."""
    if "hour" in event:
        if not isinstance(event["hour"], str) or not HOUR.match(event["hour"]):
            raise ValueError('"hour" must be yyyy/MM/dd/HH')
        return datetime.strptime(event["hour"], "%Y/%m/%d/%H").replace(tzinfo=UTC)
    fired = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
    return fired.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def roll_up(start: datetime) -> list[reports.SourceReport]:
    hour = hour_partition(start)
    result = run_query(
        query("hourly_rollup"),
        [hour],
        workgroup=required("ATHENA_WORKGROUP"),
        database=required("ATHENA_DATABASE"),
    )
    location = reports.copy_csv(result.output_location, required("REPORTS_BUCKET"), rollup_report_key(hour))
    period = start.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    made = reports.by_source(
        result.rows, lambda source: reports.SourceReport("ROLLUP", source, location, period_start=period)
    )
    graphql_url = required("GRAPHQL_URL")
    for report in made.values():
        report.accepted = sum(int(row.get("events") or 0) for row in report.rows)
        reports.save(required("REPORTS_TABLE"), report)
        reports.publish(report, graphql_url)
    return list(made.values())


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    start = hour_of(event)
    made = roll_up(start)
    logger.info(
        "Rolled up an hour", extra={"hour": hour_partition(start), "sources": [r.source for r in made]}
    )
    return {"hour": hour_partition(start), "reports": [r.id for r in made]}
