"""Keep the local SQS queues' messages on disk, so what was queued is still delivered after a restart.

moto keeps queues in memory. Every few seconds and at shutdown the messages waiting in each queue, visible or
in flight, are written to `<data>/sqs/queues.json` (read through moto's public backend objects, so taking a
copy changes nothing: no receive, no visibility change); at start-up they are sent again. A message sent
again has a new id and starts its receive count afresh; its body and message attributes are kept.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import boto3
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from appsync_local.local_aws.endpoints import client

SNAPSHOT = "queues.json"
# What a re-created queue keeps of its attributes.
KEPT_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "RedrivePolicy")


class SqsPersistence:
    """Snapshots of the local SQS queues, and their restoration.

    Parameters
    ----------
    directory
        Where the snapshot lives.
    session, endpoint
        The local SQS (moto's server, in this process).
    region
        The queues' region.
    """

    def __init__(self, directory: Path, session: boto3.Session, endpoint: str, region: str) -> None:
        self.directory = Path(directory)
        self._sqs = client(session, "sqs", endpoint)
        self._region = region
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.directory / SNAPSHOT

    def snapshot(self) -> dict[str, Any]:
        """Each queue's attributes and messages (waiting or in flight; delayed ones are not seen)."""
        backend = get_backend("sqs")[DEFAULT_ACCOUNT_ID][self._region]
        queues: dict[str, Any] = {}
        for name, queue in list(backend.queues.items()):
            messages = [*queue.messages, *queue.pending_messages]
            messages.sort(key=lambda m: int(m.sent_timestamp or 0))
            queues[name] = {
                "attributes": {k: str(v) for k, v in queue.attributes.items() if k in KEPT_ATTRIBUTES and v},
                "messages": [{"body": m.body, "attributes": m.message_attributes or {}} for m in messages],
            }
        return queues

    def save(self) -> int:
        """Write the snapshot; return how many messages it holds."""
        with self._lock:
            queues = self.snapshot()
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".queues-")
            with os.fdopen(handle, "w") as out:
                json.dump(queues, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
            return sum(len(q["messages"]) for q in queues.values())

    def restore(self) -> int:
        """Send every saved message again (creating a saved queue that is missing); return how many."""
        if not self.path.is_file():
            return 0
        with self._lock:
            queues: dict[str, Any] = json.loads(self.path.read_text() or "{}")
            sent = 0
            pages = self._sqs.get_paginator("list_queues").paginate()
            urls = {url.rsplit("/", 1)[-1]: url for page in pages for url in page.get("QueueUrls", [])}
            for name, saved in queues.items():
                url = urls.get(name) or self._sqs.create_queue(QueueName=name)["QueueUrl"]
                for start in range(0, len(saved["messages"]), 10):
                    chunk = saved["messages"][start : start + 10]
                    entries = [
                        {"Id": str(i), "MessageBody": m["body"], **({"MessageAttributes": m["attributes"]} if m["attributes"] else {})}
                        for i, m in enumerate(chunk)
                    ]  # fmt: skip
                    self._sqs.send_message_batch(QueueUrl=url, Entries=entries)
                    sent += len(chunk)
            return sent
