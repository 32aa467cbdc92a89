"""Firehose's rules, as the app definition checks them and the local runtime applies them: prefixes and their
evaluation (the developer guide's own examples), object names, record ids, and the reading of a transform's
answer."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appdef import ConfigError, parse_config
from appdef.firehose_prefixes import PrefixError, S3Prefixes, format_timestamp
from appsync_local.events.firehose import delivery_uuid, object_name
from appsync_local.events.firehose_transform import SourceRecord, invocation_batches, read_response, record_id

AUG_27 = datetime(2018, 8, 27, 10, 30, tzinfo=UTC)
JULY_6 = datetime(2018, 7, 6, 23, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("prefix", "error_prefix", "moment", "data", "errors"),
    [
        ("myFirehosePrefix", None, AUG_27, "myFirehosePrefix2018/08/27/10/",
         "myFirehosePrefixprocessing-failed/2018/08/27/10/"),
        ("", "myFirehoseFailures/!{firehose:error-output-type}/", AUG_27, "2018/08/27/10/",
         "myFirehoseFailures/processing-failed/"),
        ("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
         "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
         JULY_6, "myPrefix/year=2018/month=07/day=06/hour=23/",
         "myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failed"),
        ("events/", "errors/", AUG_27, "events/2018/08/27/10/", "errors/processing-failed/2018/08/27/10/"),
    ],
)  # fmt: skip
def test_prefixes_evaluate_as_the_firehose_guide_shows(
    prefix: str, error_prefix: str | None, moment: datetime, data: str, errors: str
) -> None:
    prefixes = S3Prefixes.parse(prefix, error_prefix)
    assert prefixes.data_prefix(moment) == data
    assert prefixes.error_output_prefix(moment, "processing-failed") == errors


def test_a_random_string_is_eleven_characters_each_time() -> None:
    prefixes = S3Prefixes.parse(
        "rand=!{firehose:random-string}/!{timestamp:yyyy}/", "e/!{firehose:error-output-type}"
    )
    first, second = prefixes.data_prefix(AUG_27), prefixes.data_prefix(AUG_27)
    assert first != second and len(first) == len("rand=") + 11 + len("/2018/")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("yyyy/MM/dd/HH/", "2018/07/06/23/"), ("yy-M-d H:mm", "18-7-6 23:05"), ("MMM EEEE", "Jul Friday"),
     ("'at' hh a", "at 11 PM"), ("D", "187"), ("''yyyy''", "'2018'")],
)  # fmt: skip
def test_timestamp_patterns_format_as_javas_date_time_formatter(pattern: str, expected: str) -> None:
    assert format_timestamp(pattern, JULY_6) == expected


@pytest.mark.parametrize(
    ("prefix", "error_prefix", "message"),
    [
        ("!{timestamp:yyyy}/", None, "error_prefix is required when prefix has expressions"),
        ("p/!{firehose:error-output-type}/", "e/", "allowed only in error_prefix"),
        ("p/", "e/!{timestamp:yyyy}/", "must hold !{firehose:error-output-type}"),
        ("p/!{timestamp:yyyy-ww}/", "e/!{firehose:error-output-type}", "the letter 'w' is not evaluated"),
        ("p/!{timestamp:'open}/", "e/!{firehose:error-output-type}", "a quote is not closed"),
        ("p/!{timestamp:ddd}/", "e/!{firehose:error-output-type}", "too many pattern letters"),
        ("p/!{partitionKeyFromQuery:id}/", "e/!{firehose:error-output-type}", "dynamic partitioning"),
        ("p/!{nothing", None, "starts no `!{namespace:value}` expression"),
        ("p/" + "x" * 600, None, "evaluates to"),
    ],
)
def test_prefixes_firehose_refuses_are_refused(prefix: str, error_prefix: str | None, message: str) -> None:
    with pytest.raises(PrefixError, match=re.escape(message)):
        S3Prefixes.parse(prefix, error_prefix)


# -- the app definition ------------------------------------------------------------------------------------

BASE = {
    "api": {"name": "fh", "schema": "s:schema"},
    "streams": {"events": {}},
    "buckets": {"raw-data": {}},
    "functions": {"shape": {"handler": "app.handler.transform"}},
}


def _parse(**extra: object) -> None:
    parse_config({**BASE, **extra}, Path("."))


def test_a_delivery_stream_with_firehoses_defaults_is_accepted() -> None:
    config = parse_config(
        {**BASE, "delivery_streams": {"ingest": {"source_stream": "events", "bucket": "raw-data", "transform": "shape"}},
         "local": {"delivery_streams": {"ingest": {"buffer_interval_seconds": 2}}}},
        Path("."),
    )  # fmt: skip
    stream = config.delivery_streams["ingest"]
    assert (stream.buffer_size_mb, stream.buffer_interval_seconds, stream.compression) == (
        5,
        300,
        "UNCOMPRESSED",
    )
    assert (stream.transform_buffer_size_mb, stream.transform_buffer_interval_seconds, stream.transform_retries) == (
        1, 60, 3,
    )  # fmt: skip
    assert config.local_delivery_streams()["ingest"].buffer_interval_seconds == 2


@pytest.mark.parametrize(
    ("stream", "local", "message"),
    [
        ({"source_stream": "nope", "bucket": "raw-data"}, {}, "delivery_streams.ingest.source_stream: stream 'nope'"),
        ({"source_stream": "events", "bucket": "nope"}, {}, "delivery_streams.ingest.bucket: bucket 'nope'"),
        ({"source_stream": "events", "bucket": "raw-data", "transform": "nope"}, {}, "function 'nope' is not defined"),
        ({"source_stream": "events", "bucket": "raw-data", "buffer_size_mb": 129}, {}, "buffer_size_mb"),
        ({"source_stream": "events", "bucket": "raw-data", "transform_buffer_size_mb": 0.1}, {}, "transform_buffer"),
        ({"source_stream": "events", "bucket": "raw-data", "prefix": "!{timestamp:yyyy}/"}, {}, "error_prefix is"),
        ({"source_stream": "events", "bucket": "raw-data"}, {"other": {"buffer_interval_seconds": 1}},
         "local.delivery_streams.other: delivery stream 'other' is not defined"),
    ],
)  # fmt: skip
def test_impossible_delivery_streams_are_refused_by_key_path(
    stream: dict[str, object], local: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        _parse(delivery_streams={"ingest": stream}, local={"delivery_streams": local})


def test_a_transform_with_triggers_of_its_own_is_refused() -> None:
    functions = {"shape": {"handler": "app.handler.transform", "triggers": [
        {"type": "kinesis", "stream": "events", "starting_position": "LATEST"}]}}  # fmt: skip
    with pytest.raises(
        ConfigError, match=re.escape("delivery_streams.ingest.transform: function 'shape' has triggers")
    ):
        _parse(
            functions=functions,
            delivery_streams={
                "ingest": {"source_stream": "events", "bucket": "raw-data", "transform": "shape"}
            },
        )


# -- keys, record ids, the transform's answer -----------------------------------------------------------------


def test_object_names_are_firehoses_with_a_uuid_fixed_by_the_records() -> None:
    ranges = {"shardId-000000000000": ("1", "9")}
    unique = delivery_uuid("ingest", ranges, "data")
    assert unique == delivery_uuid("ingest", dict(ranges), "data")
    assert unique != delivery_uuid("ingest", {"shardId-000000000000": ("1", "10")}, "data")
    assert unique != delivery_uuid("ingest", ranges, "processing-failed")
    assert object_name("ingest", JULY_6, unique, ".gz") == f"ingest-1-2018-07-06-23-05-00-{unique}.gz"


def test_a_record_id_is_the_shard_and_sequence_number() -> None:
    assert (
        record_id("shardId-000000000002", "49669")
        == "shardId-000000000002" + "49669".rjust(128, "0") + "0" * 12
    )


def _record(n: int, size: int = 10) -> SourceRecord:
    return SourceRecord("shardId-000000000000", str(n), "k", b"x" * size, 1_600_000_000_000)


def _ok(identifier: str, data: bytes = b"y") -> dict[str, str]:
    return {"recordId": identifier, "result": "Ok", "data": base64.b64encode(data).decode()}


def test_an_answer_in_the_status_model_gives_each_records_outcome() -> None:
    a, b, c = (_record(n).record_id for n in range(3))
    answer = {
        "records": [
            _ok(a, b"A\n"),
            {"recordId": b, "result": "Dropped"},
            {"recordId": c, "result": "ProcessingFailed"},
        ]
    }
    outcomes = read_response(answer, [a, b, c])
    assert not isinstance(outcomes, tuple)
    assert (outcomes[a].result, outcomes[a].data) == ("Ok", b"A\n")
    assert outcomes[b].result == "Dropped"
    assert (outcomes[c].result, outcomes[c].error_code) == (
        "ProcessingFailed",
        "Lambda.ProcessingFailedStatus",
    )


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"records": [_ok("a")]}, "Lambda.MissingRecordId"),
        ({"records": [_ok("a"), _ok("b"), _ok("c")]}, "Lambda.MissingRecordId"),
        ({"records": [_ok("a"), _ok("a"), _ok("b")]}, "Lambda.DuplicatedRecordId"),
        ({"records": [_ok("a"), {"recordId": "b", "result": "Fine"}]}, "Lambda.JsonProcessingException"),
        ({"records": [_ok("a"), {"recordId": "b", "result": "Ok", "data": "not base64!"}]}, "Lambda.JsonProcessingException"),
        ({"items": []}, "Lambda.JsonProcessingException"),
        (None, "Lambda.JsonProcessingException"),
    ],
)  # fmt: skip
def test_an_answer_that_breaks_the_status_model_fails_the_batch(answer: object, code: str) -> None:
    failure = read_response(answer, ["a", "b"])
    assert isinstance(failure, tuple) and failure[0] == code


def test_invocations_are_cut_at_the_processors_buffer_size() -> None:
    records = [_record(n, size=400_000) for n in range(6)]
    batches = invocation_batches(records, size_mb=1)
    assert [len(b) for b in batches] == [2, 2, 2]
    assert [r for b in batches for r in b] == records
