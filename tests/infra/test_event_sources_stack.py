"""The stack deploys the event sources the local runtime polls, with the same settings (the events sample app)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synthesized

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")


def _one(events: Synthesized, type_name: str, **match: Any) -> dict[str, Any]:
    found = [
        r["Properties"]
        for r in events.resources(type_name).values()
        if all(r["Properties"].get(k) == v for k, v in match.items())
    ]
    assert len(found) == 1, f"{type_name} {match}: {len(found)} found"
    return found[0]


def _ref(events: Synthesized, construct_id: str) -> dict[str, str]:
    return {"Ref": events.logical_id(construct_id)}


def _arn(events: Synthesized, construct_id: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [events.logical_id(construct_id), "Arn"]}


def _mapping(events: Synthesized, function: str) -> dict[str, Any]:
    return _one(events, "AWS::Lambda::EventSourceMapping", FunctionName=_ref(events, f"{function}Function"))


def test_queues_have_their_settings_and_redrive_to_their_dead_letter_queue(events: Synthesized) -> None:
    jobs = events.json["Resources"][events.logical_id("EventJobsQueue")]["Properties"]
    assert jobs["VisibilityTimeout"] == 2
    assert jobs["RedrivePolicy"] == {
        "deadLetterTargetArn": _arn(events, "EventJobsDlqQueue"),
        "maxReceiveCount": 2,
    }
    assert jobs["SqsManagedSseEnabled"] is True


def test_the_sqs_mapping_has_the_triggers_settings_and_filters(events: Synthesized) -> None:
    mapping = _mapping(events, "jobs")
    assert mapping["EventSourceArn"] == _arn(events, "EventJobsQueue")
    assert mapping["BatchSize"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert patterns == [{"body": {"kind": ["job"]}}, {"body": [{"prefix": "plain"}]}]


def test_the_stream_mapping_retries_then_sends_failures_to_its_queue(events: Synthesized) -> None:
    mapping = _mapping(events, "things")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [events.logical_id("EventThingsTable"), "StreamArn"]}
    assert (mapping["StartingPosition"], mapping["BatchSize"], mapping["MaximumRetryAttempts"]) == (
        "LATEST",
        10,
        2,
    )
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": _arn(events, "EventFailuresQueue")}}


def test_the_kinesis_mapping_reads_the_stream_from_the_start_with_its_filter(events: Synthesized) -> None:
    mapping = _mapping(events, "clicks")
    assert mapping["EventSourceArn"] == _arn(events, "EventClicksStream")
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == [
        {"data": {"kind": ["click"]}}
    ]


def test_s3_notifies_the_queue_and_invokes_the_function_with_the_declared_filters(
    events: Synthesized,
) -> None:
    (notifications,) = events.resources("Custom::S3BucketNotifications").values()
    config = notifications["Properties"]["NotificationConfiguration"]
    (queue,) = config["QueueConfigurations"]
    assert queue["QueueArn"] == _arn(events, "EventUploadsQueue")
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "in/"}]
    (direct,) = config["LambdaFunctionConfigurations"]
    assert direct["LambdaFunctionArn"] == _arn(events, "directFunction")
    assert direct["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "direct/"}]
    invoke = _one(events, "AWS::Lambda::EventInvokeConfig", FunctionName=_ref(events, "directFunction"))
    assert invoke["MaximumRetryAttempts"] == 2
    assert invoke["DestinationConfig"] == {"OnFailure": {"Destination": _arn(events, "EventFailuresQueue")}}


def test_a_queue_reference_is_the_queues_url_and_lets_the_function_send_to_it(events: Synthesized) -> None:
    function = events.json["Resources"][events.logical_id("thingsFunction")]["Properties"]
    assert function["Environment"]["Variables"]["QUEUE"] == _ref(events, "EventJobsQueue")
    role = function["Role"]["Fn::GetAtt"][0]
    policy = next(
        p for p in events.resources("AWS::IAM::Policy").values() if {"Ref": role} in p["Properties"]["Roles"]
    )
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        "sqs:SendMessage" in s["Action"] and _arn(events, "EventJobsQueue") in _as_list(s["Resource"])
        for s in statements
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# -- the project's own flows --------------------------------------------------------------------------


def test_the_welcome_email_reads_inserts_of_the_users_stream_and_may_send_as_its_sender(
    project: Synthesized,
) -> None:
    mapping = _mapping(project, "welcome-email")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [project.logical_id("UsersTable"), "StreamArn"]}
    assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == [
        {"eventName": ["INSERT"]}
    ]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    project.template.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": "welcome@blog.example.com"}
    )
    role = project.logical_id("welcome-emailFunctionRole")
    statements = [
        s
        for p in project.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    ses = [s for s in statements if "ses:SendEmail" in _as_list(s["Action"])]
    assert len(ses) == 1 and "identity/welcome@blog.example.com" in json.dumps(ses[0]["Resource"])


def _queue_routes(project: Synthesized, bucket: str) -> dict[frozenset[tuple[str, str]], str]:
    """The bucket's S3 notifications to queues: each filter (prefix, suffix) -> the queue's logical id."""
    bucket_id = project.logical_id("".join(part.capitalize() for part in bucket.split("-")) + "Bucket")
    (notifications,) = [
        n
        for n in project.resources("Custom::S3BucketNotifications").values()
        if n["Properties"]["BucketName"] == {"Ref": bucket_id}
    ]
    queues = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    return {
        frozenset((r["Name"], r["Value"]) for r in q["Filter"]["Key"]["FilterRules"]): q["QueueArn"][
            "Fn::GetAtt"
        ][0]
        for q in queues
    }


def test_photo_uploads_and_manifests_notify_their_queues_and_post_images_may_attach(
    project: Synthesized,
) -> None:
    routes = _queue_routes(project, "post-photos")
    assert routes == {
        frozenset({("prefix", "originals/")}): project.logical_id("PostPhotoUploadsQueue"),
        frozenset({("prefix", "thumbnails/"), ("suffix", "manifest.json")}): project.logical_id(
            "PostThumbnailsQueue"
        ),
    }
    assert _mapping(project, "thumbnailer")["EventSourceArn"] == _arn(project, "PostPhotoUploadsQueue")
    assert _mapping(project, "post-images")["EventSourceArn"] == _arn(project, "PostThumbnailsQueue")
    # post-images calls the API: it may call the IAM-only mutations, attachPostImage among them
    role = project.logical_id("post-imagesFunctionRole")
    statements = [
        s
        for p in project.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    appsync = [s for s in statements if "appsync:GraphQL" in _as_list(s["Action"])]
    assert len(appsync) == 1 and "types/Mutation/fields/attachPostImage" in json.dumps(appsync[0]["Resource"])


def test_media_uploads_notify_their_queue_which_the_media_uploads_function_reads(
    project: Synthesized,
) -> None:
    assert _queue_routes(project, "premium-media") == {
        frozenset({("prefix", "media/")}): project.logical_id("MediaUploadsQueue")
    }
    assert _mapping(project, "media-uploads")["EventSourceArn"] == _arn(project, "MediaUploadsQueue")
