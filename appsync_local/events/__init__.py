"""Event sources run locally as Lambda runs them: DynamoDB and Kinesis streams, SQS queues, S3
notifications and EventBridge schedules, each invoking its function in-process with the event AWS sends.

`EventEngine` starts a poller per mapping; `records` builds AWS's event shapes; `filters` applies Lambda's
filter patterns; `delivery` invokes and reads partial-batch answers; `streams`, `queues`, `s3_events`,
`async_invoke` and `schedules` hold each source's delivery rules; `checkpoints` keeps stream positions.
"""

from __future__ import annotations

from .engine import EventEngine

__all__ = ["EventEngine"]
