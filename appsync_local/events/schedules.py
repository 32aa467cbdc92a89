"""EventBridge schedules: each `type = "schedule"` trigger sends its function the scheduled event, on time.

Times are UTC; a rate counts from when the runtime started (on AWS, from when the rule was created).
Firings that fall while the runtime is stopped are not made up afterwards. Like EventBridge, the schedule
invokes asynchronously: the event goes to the function's internal queue (retries, on-failure).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from appdef.schedules import Schedule, parse_schedule

from .records import scheduled_event

logger = logging.getLogger("appsync_local.events")


@dataclass(frozen=True)
class ScheduledRule:
    name: str  # the rule's local name (`rule_name`); deployed, CloudFormation generates it
    function: str
    schedule: Schedule
    queue_url: str  # the function's async queue


class Scheduler:
    """Fires every rule at its times until stopped."""

    label = "schedules"

    def __init__(self, rules: list[ScheduledRule], sqs: Any, region: str) -> None:
        self._rules = rules
        self._sqs = sqs
        self._region = region

    def run(self, stop: threading.Event) -> None:
        started = datetime.now(UTC)
        due = {rule.name: rule.schedule.next_after(started, started=started) for rule in self._rules}
        while not stop.is_set() and due:
            name, moment = min(due.items(), key=lambda item: item[1])
            wait = (moment - datetime.now(UTC)).total_seconds()
            if wait > 0 and stop.wait(min(wait, 1.0)):
                return
            if datetime.now(UTC) < moment:
                continue
            rule = next(r for r in self._rules if r.name == name)
            event = scheduled_event(rule.name, moment, region=self._region)
            self._sqs.send_message(QueueUrl=rule.queue_url, MessageBody=json.dumps(event))
            logger.info("schedule:%s fired for %s (%s)", rule.name, rule.function, rule.schedule.expression)
            due[name] = rule.schedule.next_after(moment, started=started)


def rule_name(function: str, index: int) -> str:
    """The rule's name locally (in its events' `resources` ARN). Deployed, CloudFormation names the rule (a
    name fixed in the stack would clash between two stacks of one account), so a handler should not rely on it."""
    return f"{function}-schedule-{index}"


def parse(expression: str) -> Schedule:
    return parse_schedule(expression)
