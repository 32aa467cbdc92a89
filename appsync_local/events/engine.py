"""Every event source of an app, polled and delivered while the runtime serves (D7, D11).

One thread per mapping: SQS queues, table streams and Kinesis streams are polled as Lambda's event source
mappings poll them; S3 notifications are forwarded to their queues and functions; schedules fire; functions
invoked asynchronously drain their internal queues. A poller that fails is logged and restarted; stopping
waits for the deliveries under way.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import boto3

from appdef import AppConfig
from appdef.events import DynamoDBStreamTrigger, KinesisTrigger, S3Trigger, ScheduleTrigger, SqsTrigger
from appdef.schedules import parse_schedule

from ..lambda_runtime import LocalFunction
from ..local_aws.endpoints import Endpoints, client
from ..local_aws.provision_events import queue_arn
from .async_invoke import RETRY_DELAYS_SECONDS, AsyncInvoker, async_queue_name
from .checkpoints import CheckpointStore
from .delivery import Invoker
from .firehose import RETRY_DELAY_SECONDS, DeliveryStream
from .firehose_transform import LambdaProcessor
from .queues import QueueMapping
from .s3_events import S3EventForwarder, configure_notifications, routes, staging_queue_name
from .schedules import ScheduledRule, Scheduler, rule_name
from .stream_sources import DynamoDBStreamSource, KinesisSource
from .streams import StreamMapping

logger = logging.getLogger("appsync_local.events")

RESTART_DELAY_SECONDS = 1.0
CHECKPOINTS = Path("events") / "checkpoints.json"


class Worker(Protocol):
    label: str

    def run(self, stop: threading.Event) -> None: ...


def join_within(threads: Sequence[threading.Thread], timeout: float) -> list[threading.Thread]:
    """Join `threads` for `timeout` seconds in all (not each); return those still running then."""
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return [thread for thread in threads if thread.is_alive()]


class EventEngine:
    """The app's event sources, started and stopped together.

    Parameters
    ----------
    config
        The app definition.
    functions
        The runtime's functions, by name.
    session, endpoints
        The local AWS.
    data_dir
        Where checkpoints persist; None keeps them in memory (tests).
    async_retry_delays
        Seconds before an asynchronous invocation's second and third attempts (Lambda's: 60 and 120).
    transform_retry_delay
        Seconds between a delivery stream's attempts to invoke its transform.
    queue_urls
        The app's queues' URLs by name, when known (`LocalAws.queue_urls`); others are looked up.
    """

    def __init__(
        self,
        config: AppConfig,
        functions: dict[str, LocalFunction],
        session: boto3.Session,
        endpoints: Endpoints,
        data_dir: Path | None,
        *,
        async_retry_delays: Sequence[int] = RETRY_DELAYS_SECONDS,
        transform_retry_delay: float = RETRY_DELAY_SECONDS,
        queue_urls: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.invoker = Invoker(functions)
        self._session = session
        self._endpoints = endpoints
        self._checkpoints = CheckpointStore(data_dir / CHECKPOINTS if data_dir is not None else None)
        self._async_delays = tuple(async_retry_delays)
        self._transform_retry_delay = transform_retry_delay
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.workers: list[Worker] = []
        self._region = config.api.region
        self._sqs = client(session, "sqs", endpoints.moto)
        self._queue_urls: dict[str, str] = dict(queue_urls or {})

    # -- start and stop -------------------------------------------------------------------------------

    def start(self) -> EventEngine:
        self.workers = self._build()
        for worker in self.workers:
            if isinstance(worker, StreamMapping | DeliveryStream):
                worker.start()  # a LATEST reader's position is fixed before start() returns
        for worker in self.workers:
            thread = threading.Thread(
                target=self._supervise, args=(worker,), name=f"events:{worker.label}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        if self.workers:
            logger.info("Event sources: %s", ", ".join(sorted({w.label for w in self.workers})))
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop polling; deliveries under way finish first, for `timeout` seconds in all (every poller sees the
        stop at once, so they finish side by side). A poller still busy then is named in the log and left to
        its daemon thread."""
        self._stop.set()
        stuck = join_within(self._threads, timeout)
        if stuck:
            logger.warning(
                "event sources still delivering after %.0f s, left to finish on their own: %s",
                timeout,
                ", ".join(thread.name.removeprefix("events:") for thread in stuck),
            )
        self._threads.clear()

    def __enter__(self) -> EventEngine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _supervise(self, worker: Worker) -> None:
        while not self._stop.is_set():
            try:
                worker.run(self._stop)
                return
            except Exception:  # a poller's failure is logged, and it starts again
                logger.exception("event source %s failed; restarting it", worker.label)
                self._stop.wait(RESTART_DELAY_SECONDS)

    # -- building -------------------------------------------------------------------------------------

    def queue_url(self, name: str) -> str:
        if name not in self._queue_urls:
            self._queue_urls[name] = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._queue_urls[name]

    def send_failure(self, queue: str, record: dict[str, Any]) -> None:
        self._sqs.send_message(QueueUrl=self.queue_url(queue), MessageBody=json.dumps(record))

    def _queue_arn(self, url: str) -> str:
        return queue_arn(self._sqs, url, self._region)

    def _async_queue(self, function: str) -> str:
        name = async_queue_name(self.config.api.name, function)
        url: str = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        timeout = self.config.functions[function].timeout_seconds
        self._sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": str(timeout)})
        self._queue_urls[name] = url
        return url

    def _build(self) -> list[Worker]:
        workers: list[Worker] = []
        async_urls: dict[str, str] = {}
        rules: list[ScheduledRule] = []
        for name, function in self.config.functions.items():
            for index, trigger in enumerate(function.triggers):
                mapping_id = f"{name}/{index}"
                if isinstance(trigger, SqsTrigger):
                    url = self.queue_url(trigger.queue)
                    workers.append(
                        QueueMapping(function=name, trigger=trigger, sqs=self._sqs, queue_url=url,
                                     queue_arn=self._queue_arn(url), invoker=self.invoker, region=self._region)
                    )  # fmt: skip
                elif isinstance(trigger, DynamoDBStreamTrigger):
                    source = DynamoDBStreamSource(
                        table=trigger.table, region=self._region,
                        dynamodb=client(self._session, "dynamodb", self._endpoints.dynamodb),
                        streams=client(self._session, "dynamodbstreams", self._endpoints.dynamodb),
                    )  # fmt: skip
                    workers.append(
                        self._stream_mapping(name, trigger, source, f"{mapping_id}/{source.label}")
                    )
                elif isinstance(trigger, KinesisTrigger):
                    kinesis = KinesisSource(
                        stream=trigger.stream, region=self._region, kinesis=self._kinesis()
                    )
                    workers.append(
                        self._stream_mapping(name, trigger, kinesis, f"{mapping_id}/{kinesis.label}")
                    )
                elif isinstance(trigger, S3Trigger | ScheduleTrigger) and name not in async_urls:
                    async_urls[name] = self._async_queue(name)
                    on_failure = next(
                        (t.on_failure for t in function.triggers if isinstance(t, S3Trigger)), None
                    )
                    workers.append(
                        AsyncInvoker(function=name, sqs=self._sqs, queue_url=async_urls[name], invoker=self.invoker,
                                     send_failure=self.send_failure, on_failure=on_failure,
                                     retry_delays=self._async_delays)
                    )  # fmt: skip
                if isinstance(trigger, ScheduleTrigger) and name in self.config.local.skip_schedules:
                    logger.info(
                        "schedule:%s (%s) does not fire locally: [local] skip_schedules names %s",
                        rule_name(name, index), trigger.expression, name,
                    )  # fmt: skip
                elif isinstance(trigger, ScheduleTrigger) and trigger.enabled:
                    rules.append(
                        ScheduledRule(
                            rule_name(name, index), name, parse_schedule(trigger.expression), async_urls[name]
                        )
                    )
        bucket_routes = routes(self.config, {q: self.queue_url(q) for q in self.config.all_queues()})
        if bucket_routes:
            staging = self._sqs.create_queue(QueueName=staging_queue_name(self.config.api.name))["QueueUrl"]
            s3 = client(self._session, "s3", self._endpoints.s3)
            configure_notifications(s3, self._sqs, self._queue_arn(staging), bucket_routes, self._checkpoints)
            workers.append(S3EventForwarder(sqs=self._sqs, staging_url=staging, routes=bucket_routes,
                                            async_urls=async_urls))  # fmt: skip
        if rules:
            workers.append(Scheduler(rules, self._sqs, self._region))
        workers += self._delivery_streams()
        return workers

    def _kinesis(self) -> Any:
        """A client of the local Kinesis (every Kinesis reader takes it from here)."""
        return client(self._session, "kinesis", self._endpoints.kinesis)

    def _delivery_streams(self) -> list[DeliveryStream]:
        streams: list[DeliveryStream] = []
        for name, config in self.config.local_delivery_streams().items():
            source = KinesisSource(stream=config.source_stream, region=self._region, kinesis=self._kinesis())
            processor = None
            if config.transform is not None:
                processor = LambdaProcessor(
                    self.invoker.functions[config.transform],
                    event_fields={
                        "deliveryStreamArn": DeliveryStream.arn_of(name, self._region),
                        "sourceKinesisStreamArn": source.arn,
                        "region": self._region,
                    },
                    retries=config.transform_retries, retry_delay=self._transform_retry_delay,
                    size_mb=config.transform_buffer_size_mb, source=f"firehose:{name}",
                )  # fmt: skip
            streams.append(
                DeliveryStream(config=config, source=source, s3=client(self._session, "s3", self._endpoints.s3),
                               checkpoints=self._checkpoints, processor=processor, region=self._region)
            )  # fmt: skip
        return streams

    @property
    def delivery_streams(self) -> list[DeliveryStream]:
        """The running delivery streams (their `stats` count records, outcomes and objects)."""
        return [w for w in self.workers if isinstance(w, DeliveryStream)]

    def _stream_mapping(
        self, function: str, trigger: DynamoDBStreamTrigger | KinesisTrigger, source: Any, mapping_id: str
    ) -> StreamMapping:
        return StreamMapping(
            function=function, trigger=trigger, source=source, invoker=self.invoker,
            checkpoints=self._checkpoints, mapping_id=mapping_id, send_failure=self.send_failure,
        )  # fmt: skip
