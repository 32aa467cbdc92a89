"""Event sources in appsync.toml: queues, streams, notifications and triggers, checked as Lambda and S3 check them."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appdef import AppConfig, ConfigError, load_config
from appdef.events import DynamoDBStreamTrigger, ScheduleTrigger, SqsTrigger
from appdef.schedules import ScheduleError, parse_schedule

BASE = """
[api]
schema = "schema:schema"
default_auth = "API_KEY"

[tables.Users]
partition_key = { name = "id", type = "S" }
stream = "NEW_AND_OLD_IMAGES"

[tables.Plain]
partition_key = { name = "id", type = "S" }

[queues.uploads]
visibility_timeout_seconds = 120
dead_letter = { max_receive_count = 3 }

[buckets.photos]
[[buckets.photos.notifications]]
prefix = "originals/"
queue = "uploads"

[functions.worker]
handler = "resolvers.todos.handler.lambda_handler"
timeout_seconds = 60
environment = { QUEUE_URL = "${queue:uploads}", BASE = "${cdn:photos}" }
"""


def _load(tmp_path: Path, text: str) -> AppConfig:
    path = tmp_path / "appsync.toml"
    path.write_text(textwrap.dedent(text))
    return load_config(path)


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, text)
    return str(refused.value)


def test_triggers_are_typed_and_dead_letter_queues_are_implied(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        BASE.replace('"${cdn:photos}"', '"x"')
        + """
[[functions.worker.triggers]]
type = "sqs"
queue = "uploads"
report_batch_item_failures = true

[[functions.worker.triggers]]
type = "dynamodb_stream"
table = "Users"
starting_position = "TRIM_HORIZON"
filters = [{ eventName = ["INSERT"] }]

[[functions.worker.triggers]]
type = "schedule"
expression = "cron(0 9 ? * MON-FRI *)"
""",
    )
    sqs, stream, schedule = config.functions["worker"].triggers
    assert isinstance(sqs, SqsTrigger) and (sqs.batch_size, sqs.report_batch_item_failures) == (10, True)
    assert isinstance(stream, DynamoDBStreamTrigger) and stream.filters == ({"eventName": ["INSERT"]},)
    assert isinstance(schedule, ScheduleTrigger)
    assert set(config.all_queues()) == {"uploads", "uploads-dlq"}


@pytest.mark.parametrize(
    ("addition", "expected"),
    [
        (
            '[[functions.worker.triggers]]\ntype = "dynamodb_stream"\ntable = "Plain"\nstarting_position = "LATEST"\n',
            "functions.worker.triggers[0].table: table 'Plain' has no stream",
        ),
        (
            '[[functions.worker.triggers]]\ntype = "sqs"\nqueue = "nowhere"\n',
            "functions.worker.triggers[0].queue: queue 'nowhere' is not defined (defined: uploads, uploads-dlq)",
        ),
        (
            '[[functions.worker.triggers]]\ntype = "sqs"\nqueue = "uploads"\nbatch_size = 50\n',
            "a batch_size over 10 needs batching_window_seconds of at least 1",
        ),
        (
            '[[functions.worker.triggers]]\ntype = "schedule"\nexpression = "cron(0 0 * * * *)"\n',
            "one of day-of-month and day-of-week must be ?",
        ),
        (
            '[[functions.worker.triggers]]\ntype = "kinesis"\nstream = "events"\nstarting_position = "LATEST"\n',
            "functions.worker.triggers[0].stream: stream 'events' is not defined",
        ),
        ('[[functions.worker.triggers]]\ntype = "carrier-pigeon"\n', "functions.worker.triggers[0]"),
        (
            '[[functions.worker.triggers]]\ntype = "s3"\nbucket = "photos"\nprefix = "originals/big/"\n',
            "overlaps buckets.photos.notifications[0] (S3 refuses overlapping notifications)",
        ),
    ],
)
def test_what_lambda_or_s3_would_refuse_is_refused(tmp_path: Path, addition: str, expected: str) -> None:
    assert expected in _refusal(tmp_path, BASE + addition)


def test_a_queue_whose_visibility_timeout_is_shorter_than_the_function_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("visibility_timeout_seconds = 120", "visibility_timeout_seconds = 30")
    message = _refusal(tmp_path, text + '[[functions.worker.triggers]]\ntype = "sqs"\nqueue = "uploads"\n')
    assert "visibility timeout of 30 s, less than the function's timeout of 60 s" in message


def test_environment_references_must_name_a_resource(tmp_path: Path) -> None:
    message = _refusal(tmp_path, BASE.replace('"${cdn:photos}"', '"${cdn:nowhere}"'))
    assert "functions.worker.environment.BASE: ${cdn:nowhere}: cdn 'nowhere' is not defined" in message
    message = _refusal(tmp_path, BASE.replace('"${cdn:photos}"', '"${lake:x}"'))
    assert (
        "${lake:x}: the kinds are table, bucket, queue, stream, cdn, cdn_key, secret, athena, glue, api"
        in message
    )


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(15 10 * * ? *)", "2026-01-01T10:15", "2026-01-02T10:15"),
        ("cron(0 18 ? * MON-FRI *)", "2026-01-02T18:00", "2026-01-05T18:00"),  # Friday, then Monday
        ("cron(0 9 ? * 2#1 *)", "2026-01-01T00:00", "2026-01-05T09:00"),  # first Monday
        ("cron(0 0 L * ? *)", "2026-02-01T00:00", "2026-02-28T00:00"),
        ("cron(0 12 15W * ? *)", "2026-02-01T00:00", "2026-02-16T12:00"),  # the 15th is a Sunday
        ("cron(0 0 ? * 5L *)", "2026-01-01T00:00", "2026-01-29T00:00"),  # last Thursday
        ("cron(0/15 * * * ? *)", "2026-01-01T00:07", "2026-01-01T00:15"),
    ],
)
def test_cron_fires_when_eventbridge_does(expression: str, after: str, expected: str) -> None:
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)
    assert parse_schedule(expression).next_after(moment) == datetime.fromisoformat(expected).replace(
        tzinfo=UTC
    )


def test_rate_counts_from_when_the_rule_started() -> None:
    started = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)
    assert parse_schedule("rate(5 minutes)").next_after(started, started=started) == started.replace(minute=5)


@pytest.mark.parametrize(
    "expression", ["rate(1 minutes)", "rate(2 minute)", "rate(0 hours)", "cron(0 0 1 * ?)"]
)
def test_schedule_expressions_eventbridge_refuses(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(expression)
