"""Where the pipeline's objects are: Firehose's raw and error objects, and the reports made of them.

Firehose names each object `<prefix>YYYY/MM/DD/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`; the uuid is
the batch's id, the hour is the Glue table's `dt` partition. Failed records go under
`<error prefix>processing-failed/YYYY/MM/DD/HH/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

RAW_PREFIX = "events/"
ERROR_PREFIX = "errors/"
_OBJECT = re.compile(
    r"(?P<hour>\d{4}/\d{2}/\d{2}/\d{2})/[^/]*-(?P<batch>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


@dataclass(frozen=True)
class DeliveredObject:
    """A raw object (`failed` False) or an error object Firehose wrote."""

    bucket: str
    key: str
    hour: str  # yyyy/MM/dd/HH: the `dt` partition
    batch_id: str
    failed: bool

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def delivered_object(bucket: str, key: str) -> DeliveredObject | None:
    """What Firehose's object `key` is, or None for anything else (ignored)."""
    failed = key.startswith(ERROR_PREFIX)
    if not failed and not key.startswith(RAW_PREFIX):
        return None
    match = _OBJECT.search(key)
    if match is None:
        return None
    return DeliveredObject(bucket, key, match["hour"], match["batch"], failed)


def batch_report_key(hour: str, batch_id: str) -> str:
    return f"reports/batches/{hour}/{batch_id}.csv"


def rollup_report_key(hour: str) -> str:
    return f"reports/hourly/{hour}.csv"


def hour_partition(moment: datetime) -> str:
    return moment.strftime("%Y/%m/%d/%H")


def s3_location(uri: str) -> tuple[str, str]:
    """(bucket, key) of an s3:// URI."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key
