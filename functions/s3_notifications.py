"""The objects an S3 event notification names, when S3 delivers it through an SQS queue.

The message body is S3's event JSON. Right after a notification is configured S3 sends an `s3:TestEvent`
(no `Records`), which names no object. Keys in S3 events are form-encoded (`red flower.jpg` arrives as
`red+flower.jpg`): Powertools' `S3Event.object_key` decodes only the first record's key and
`S3EventRecord.s3.get_object.key` is the raw form, so every key is decoded here with `unquote_plus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

S3_TEST_EVENT = "s3:TestEvent"


@dataclass(frozen=True)
class S3ObjectEvent:
    """One object an S3 event names: its bucket, its key (decoded), its size and the event (`ObjectCreated:Put`)."""

    bucket: str
    key: str
    size: int | None
    event_name: str

    @property
    def created(self) -> bool:
        return self.event_name.startswith("ObjectCreated:")


def s3_objects(record: SQSRecord) -> list[S3ObjectEvent]:
    """The objects named by the S3 event in `record`'s body; none for S3's test event.

    A body that is not an S3 event raises (`ValueError`, `KeyError`): such a message is retried and then lands
    in the queue's dead-letter queue, where an operator sees it.
    """
    body = record.json_body
    if isinstance(body, dict) and body.get("Event") == S3_TEST_EVENT:
        return []
    if not isinstance(body, dict) or not isinstance(body.get("Records"), list):
        raise ValueError("the message body is not an S3 event notification")
    found = []
    for s3_record in record.decoded_nested_s3_event.records:
        s3_object = s3_record.s3.get_object
        found.append(
            S3ObjectEvent(
                bucket=s3_record.s3.bucket.name,
                key=unquote_plus(s3_object.key),
                size=int(s3_object["size"]) if s3_object.get("size") is not None else None,
                event_name=s3_record.event_name,
            )
        )
    return found
