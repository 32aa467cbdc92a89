"""The local AWS parts: DynamoDB Local, provisioning, seeding and persistence across restarts."""

from __future__ import annotations

import json
import re
import socket
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from appdef import AppConfig, parse_config
from appsync_local.local_aws import (
    DynamoDBLocal,
    Endpoints,
    LocalAws,
    LocalAwsError,
    S3Persistence,
    client,
    local_session,
    provision,
    seed,
)
from tests.fixtures.moto_process import moto_process

PROJECT_ROOT = Path(__file__).resolve().parents[2]
JAR_DIR = PROJECT_ROOT / "node_modules" / "amplify-dynamodb-simulator" / "emulator"


def app_config(
    tmp_path: Path, tables: dict[str, Any], seed_items: dict[str, list[Any]] | None = None
) -> AppConfig:
    """A small app description of its own, with a seed file when `seed_items` is given.

    Its root is the project's (where DynamoDB Local is installed); its data and seed live in `tmp_path`.
    """
    local: dict[str, Any] = {"data_dir": str(tmp_path / "data")}
    if seed_items is not None:
        (tmp_path / "seed.json").write_text(json.dumps({"tables": seed_items}))
        local["seed"] = str(tmp_path / "seed.json")
    raw = {"api": {"schema": "schema:schema", "default_auth": "API_KEY"}, "tables": tables, "local": local}
    return parse_config(raw, PROJECT_ROOT)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def scratch_endpoints(local_aws: LocalAws) -> Iterator[Endpoints]:
    """A DynamoDB Local of this module's own (so its tables stay out of the shared one), and the shared moto."""
    dynamodb = DynamoDBLocal(JAR_DIR, None, quick_start=True)
    endpoint = dynamodb.start()
    yield Endpoints(
        dynamodb=endpoint,
        s3=local_aws.endpoints.s3,
        sts=local_aws.endpoints.sts,
        moto=local_aws.endpoints.moto,
    )
    dynamodb.stop()


def test_dynamodb_local_answers_through_the_standard_variables(local_aws: LocalAws) -> None:
    # GIVEN the session's local AWS, whose endpoints the fixture put into AWS_ENDPOINT_URL_*
    # WHEN a plain boto3 client, given no endpoint, lists tables
    tables = boto3.client("dynamodb").list_tables()["TableNames"]

    # THEN DynamoDB Local answers with the app's tables
    assert {"Users", "Todos"} <= set(tables)
    assert local_aws.endpoints.dynamodb != local_aws.endpoints.moto


def test_provisioned_tables_have_keys_indexes_stream_and_ttl(local_aws: LocalAws) -> None:
    # GIVEN the app's tables, provisioned when the session's local AWS started
    dynamodb = client(local_aws.session(), "dynamodb", local_aws.endpoints.dynamodb)

    # WHEN the Todos table is described
    table = dynamodb.describe_table(TableName="Todos")["Table"]
    ttl = dynamodb.describe_time_to_live(TableName="Todos")["TimeToLiveDescription"]

    # THEN it has the configured keys, index, on-demand billing, stream and TTL
    assert table["KeySchema"] == [
        {"AttributeName": "ownerId", "KeyType": "HASH"},
        {"AttributeName": "id", "KeyType": "RANGE"},
    ]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "byOwnerCreatedAt"
    assert index["KeySchema"][1] == {"AttributeName": "createdAt", "KeyType": "RANGE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


def test_provisioned_bucket_allows_browser_uploads(local_aws: LocalAws) -> None:
    # GIVEN the app's bucket with cors = true
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)

    # WHEN its CORS rules are read
    [rule] = s3.get_bucket_cors(Bucket="user-files")["CORSRules"]

    # THEN any origin may PUT and GET
    assert rule["AllowedOrigins"] == ["*"]
    assert {"PUT", "GET"} <= set(rule["AllowedMethods"])


def test_provisioning_again_keeps_tables_and_their_items(
    tmp_path: Path, scratch_endpoints: Endpoints
) -> None:
    # GIVEN a provisioned table holding an item
    name = unique("Notes")
    config = app_config(
        tmp_path, {name: {"partition_key": {"name": "id", "type": "S"}, "ttl_attribute": "ttl"}}
    )
    session = local_session("us-east-1")
    provision(config, session, scratch_endpoints)
    dynamodb = client(session, "dynamodb", scratch_endpoints.dynamodb)
    dynamodb.put_item(TableName=name, Item={"id": {"S": "n1"}, "text": {"S": "kept"}})

    # WHEN provisioning runs again
    provision(config, session, scratch_endpoints)

    # THEN the table and its item are untouched
    item = dynamodb.get_item(TableName=name, Key={"id": {"S": "n1"}})["Item"]
    assert item["text"] == {"S": "kept"}
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"


def test_seed_writes_once_and_never_overwrites_an_edit(tmp_path: Path, scratch_endpoints: Endpoints) -> None:
    # GIVEN a seed file with placeholders and numbers, and a provisioned table
    name = unique("People")
    config = app_config(
        tmp_path,
        {name: {"partition_key": {"name": "id", "type": "S"}}},
        {
            name: [
                {
                    "id": "${sub:alice}",
                    "greeting": "hello ${sub:alice}!",
                    "age": 30,
                    "score": 1.5,
                    "tags": ["a", {"owner": "${sub:alice}"}],
                    "code": "`${name}` stays",
                },
                {"id": "fixed-id", "name": "Bob"},
            ]
        },
    )
    session = local_session("us-east-1")
    provision(config, session, scratch_endpoints)
    alice = str(uuid.uuid4())
    table = session.resource("dynamodb", endpoint_url=scratch_endpoints.dynamodb).Table(name)

    # WHEN the seed runs, a user edits an item, and the seed runs again
    first = seed(config, session, scratch_endpoints, {"sub:alice": alice})
    table.update_item(
        Key={"id": "fixed-id"},
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": "Robert"},
    )
    second = seed(config, session, scratch_endpoints, {"sub:alice": alice})

    # THEN both items were written once, with placeholders replaced and numbers as numbers, and the edit stands
    assert (first, second) == (2, 0)
    item = table.get_item(Key={"id": alice})["Item"]
    assert item["greeting"] == f"hello {alice}!"
    assert item["tags"] == ["a", {"owner": alice}]
    assert item["age"] == Decimal(30) and item["score"] == Decimal("1.5")
    assert item["code"] == "`${name}` stays"
    assert table.get_item(Key={"id": "fixed-id"})["Item"]["name"] == "Robert"


def test_a_warm_start_skips_a_finished_seed_and_keeps_its_data(
    tmp_path: Path, scratch_endpoints: Endpoints
) -> None:
    # GIVEN a seeded table whose seed was recorded in a marker, as a persistent `make run` records it
    name = unique("Notes")
    config = app_config(
        tmp_path,
        {name: {"partition_key": {"name": "id", "type": "S"}}},
        {name: [{"id": "n1", "text": "seeded"}, {"id": "n2", "text": "seeded"}]},
    )
    session = local_session("us-east-1")
    provision(config, session, scratch_endpoints)
    marker = tmp_path / "data" / "dynamodb" / ".seeded"
    table = session.resource("dynamodb", endpoint_url=scratch_endpoints.dynamodb).Table(name)
    first = seed(config, session, scratch_endpoints, {}, done_marker=marker)

    # WHEN a user deletes one seeded item and the server starts again on the same data
    table.delete_item(Key={"id": "n2"})
    warm = seed(config, session, scratch_endpoints, {}, done_marker=marker)

    # THEN the warm start wrote nothing (the deleted item stays deleted) and the other seed item is there
    assert (first, warm) == (2, 0)
    assert table.get_item(Key={"id": "n1"})["Item"]["text"] == "seeded"
    assert "Item" not in table.get_item(Key={"id": "n2"})

    # AND a changed seed file is seeded again, still never over what exists
    assert config.seed_file is not None
    config.seed_file.write_text(
        json.dumps({"tables": {name: [{"id": "n1", "text": "changed"}, {"id": "n3", "text": "new"}]}})
    )
    assert seed(config, session, scratch_endpoints, {}, done_marker=marker) == 1
    assert table.get_item(Key={"id": "n1"})["Item"]["text"] == "seeded"
    assert table.get_item(Key={"id": "n3"})["Item"]["text"] == "new"


def test_seed_objects_are_put_once_and_never_over_a_change(
    tmp_path: Path, scratch_endpoints: Endpoints
) -> None:
    # GIVEN a seed file naming a file of its folder for a bucket
    bucket = unique("seed-objects-")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "clip.webm").write_bytes(b"\x1aE\xdf\xa3 clip")
    (tmp_path / "seed.json").write_text(
        json.dumps(
            {
                "tables": {},
                "objects": {
                    bucket: [
                        {"key": "media/1/clip.webm", "file": "media/clip.webm", "contentType": "video/webm"}
                    ]
                },
            }
        )
    )
    raw = {
        "api": {"schema": "schema:schema", "default_auth": "API_KEY"},
        "buckets": {bucket: {}},
        "local": {"data_dir": str(tmp_path / "data"), "seed": str(tmp_path / "seed.json")},
    }
    config = parse_config(raw, PROJECT_ROOT)
    session = local_session("us-east-1")
    provision(config, session, scratch_endpoints)
    s3 = session.client("s3", endpoint_url=scratch_endpoints.s3)

    # WHEN the seed runs, the object is replaced by a user, and the seed runs again
    first = seed(config, session, scratch_endpoints, {})
    s3.put_object(Bucket=bucket, Key="media/1/clip.webm", Body=b"mine")
    second = seed(config, session, scratch_endpoints, {})

    # THEN the object was put once, with its type, and the user's version stands
    assert (first, second) == (1, 0)
    assert s3.get_object(Bucket=bucket, Key="media/1/clip.webm")["Body"].read() == b"mine"


def test_a_seed_object_for_an_unknown_bucket_or_file_is_named(
    tmp_path: Path, scratch_endpoints: Endpoints
) -> None:
    raw = {
        "api": {"schema": "schema:schema", "default_auth": "API_KEY"},
        "buckets": {"known-bucket": {}},
        "local": {"seed": str(tmp_path / "seed.json")},
    }
    (tmp_path / "seed.json").write_text("{}")
    config = parse_config(raw, PROJECT_ROOT)
    entry = {"key": "k", "file": "missing.webm"}
    (tmp_path / "seed.json").write_text(json.dumps({"tables": {}, "objects": {"other-bucket": [entry]}}))
    with pytest.raises(
        LocalAwsError, match=re.escape("bucket 'other-bucket' is not described in appsync.toml")
    ):
        seed(config, local_session("us-east-1"), scratch_endpoints, {})
    (tmp_path / "seed.json").write_text(json.dumps({"tables": {}, "objects": {"known-bucket": [entry]}}))
    with pytest.raises(
        LocalAwsError, match=re.escape(f"objects.known-bucket[0]: {tmp_path / 'missing.webm'} does not exist")
    ):
        seed(config, local_session("us-east-1"), scratch_endpoints, {})


@pytest.mark.parametrize(
    ("seed_items", "message"),
    [
        ({"T": [{"id": "${sub:zoe}"}]}, "unknown placeholder ${sub:zoe}"),
        ({"Nope": [{"id": "x"}]}, "table 'Nope' is not described"),
        ({"T": [{"other": "x"}]}, "lacks its key attribute 'id'"),
    ],
)
def test_bad_seed_files_are_reported_clearly(
    tmp_path: Path, scratch_endpoints: Endpoints, seed_items: dict[str, Any], message: str
) -> None:
    # GIVEN a seed file with a mistake
    config = app_config(tmp_path, {"T": {"partition_key": {"name": "id", "type": "S"}}}, seed_items)

    # WHEN it is loaded THEN the error names the mistake
    with pytest.raises(LocalAwsError, match=message.replace("$", r"\$").replace("{", r"\{")):
        seed(config, local_session("us-east-1"), scratch_endpoints, {"sub:alice": "a"})


def test_seed_file_that_is_not_json_is_reported_clearly(tmp_path: Path, scratch_endpoints: Endpoints) -> None:
    # GIVEN a seed file that is not JSON
    config = app_config(tmp_path, {"T": {"partition_key": {"name": "id", "type": "S"}}}, {})
    (tmp_path / "seed.json").write_text("{tables: oops")

    # WHEN it is loaded THEN the error names the file
    with pytest.raises(LocalAwsError, match=re.escape("seed.json is not valid JSON")):
        seed(config, local_session("us-east-1"), scratch_endpoints, {})


def test_tables_survive_a_restart_of_dynamodb_local(tmp_path: Path) -> None:
    # GIVEN DynamoDB Local on disk, with a table and an item
    db_path = tmp_path / "dynamodb"
    session = local_session("us-east-1")
    first = DynamoDBLocal(JAR_DIR, db_path, quick_start=True)
    dynamodb = client(session, "dynamodb", first.start())
    dynamodb.create_table(
        TableName="Kept",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    dynamodb.put_item(TableName="Kept", Item={"id": {"S": "1"}, "v": {"N": "42"}})

    # WHEN it stops and a new one starts on the same folder
    first.stop()
    second = DynamoDBLocal(JAR_DIR, db_path, quick_start=True)
    try:
        dynamodb = client(session, "dynamodb", second.start())
        # THEN the item is still there
        assert dynamodb.get_item(TableName="Kept", Key={"id": {"S": "1"}})["Item"]["v"] == {"N": "42"}
    finally:
        second.stop()
    assert not second.running


def test_s3_objects_survive_a_restart_of_moto(tmp_path: Path) -> None:
    # GIVEN a moto server with two objects, mirrored to a folder
    session = local_session("us-east-1")
    with moto_process() as endpoint:
        s3 = client(session, "s3", endpoint)
        s3.create_bucket(Bucket="photos")
        s3.put_object(
            Bucket="photos",
            Key="users/u1/cat.png",
            Body=b"\x89PNG...",
            ContentType="image/png",
            Metadata={"owner": "u1"},
        )
        s3.put_object(Bucket="photos", Key="users/u1/old.txt", Body=b"gone soon")
        persistence = S3Persistence(tmp_path / "s3", session, endpoint)
        assert persistence.save() == 2
        # an unchanged store downloads nothing; a deleted object leaves the mirror too
        assert persistence.save() == 0
        s3.delete_object(Bucket="photos", Key="users/u1/old.txt")
        assert persistence.save() == 1

    # WHEN a fresh moto server starts and the folder is restored into it
    with moto_process() as endpoint:
        restored = S3Persistence(tmp_path / "s3", session, endpoint).restore()
        s3 = client(session, "s3", endpoint)

        # THEN the remaining object is back with its content type and metadata
        assert restored == 1
        obj = s3.get_object(Bucket="photos", Key="users/u1/cat.png")
        assert obj["Body"].read() == b"\x89PNG..."
        assert obj["ContentType"] == "image/png"
        assert obj["Metadata"] == {"owner": "u1"}
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="photos").get("Contents", [])]
        assert keys == ["users/u1/cat.png"]


def test_missing_java_is_reported_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a PATH without java
    monkeypatch.setenv("PATH", str(tmp_path))

    # WHEN DynamoDB Local is started THEN the error says to install Java or choose moto
    with pytest.raises(LocalAwsError, match="Java") as error:
        DynamoDBLocal(JAR_DIR, None).start()
    assert "APPSYNC_LOCAL_DYNAMODB=moto" in str(error.value)


def test_a_taken_port_is_reported_with_the_servers_output() -> None:
    # GIVEN a port something else already listens on
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # WHEN DynamoDB Local is asked to use it THEN the error says so and shows what the server printed
        with pytest.raises(LocalAwsError, match=f"could not listen on port {port}") as error:
            DynamoDBLocal(JAR_DIR, None, port=port, quick_start=True).start()
    assert "Address already in use" in str(error.value)


def test_missing_jar_is_reported_with_what_to_do(tmp_path: Path) -> None:
    # GIVEN a folder without DynamoDB Local
    # WHEN it is started THEN the error names the missing jar and how to get it
    with pytest.raises(LocalAwsError, match="DynamoDB Local was not found") as error:
        DynamoDBLocal(tmp_path, None).start()
    assert "make setup" in str(error.value)


def test_unknown_dynamodb_choice_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN APPSYNC_LOCAL_DYNAMODB set to something unknown
    monkeypatch.setenv("APPSYNC_LOCAL_DYNAMODB", "dynalite")

    # WHEN the local AWS parts are set up THEN the error lists the choices
    with pytest.raises(LocalAwsError, match="local, moto"):
        LocalAws(app_config(tmp_path, {}))


def test_moto_dynamodb_is_the_explicit_fallback(tmp_path: Path, local_aws: LocalAws) -> None:
    # GIVEN an app whose DynamoDB is chosen to be moto's
    name = unique("Moto")
    config = app_config(
        tmp_path, {name: {"partition_key": {"name": "id", "type": "S"}, "stream": "NEW_IMAGE"}}
    )

    # WHEN it starts
    with LocalAws(config, in_memory=True, dynamodb="moto") as aws:
        dynamodb = client(aws.session(), "dynamodb", aws.endpoints.dynamodb)
        table = dynamodb.describe_table(TableName=name)["Table"]

        # THEN DynamoDB is served by moto, with the table provisioned
        assert aws.endpoints.dynamodb == aws.endpoints.moto
        assert table["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
        assert not aws.persistent


def test_environment_always_names_the_local_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN endpoints, and a developer's real credentials in the environment
    endpoints = Endpoints(
        dynamodb="http://127.0.0.1:1",
        s3="http://127.0.0.1:2",
        sts="http://127.0.0.1:2",
        moto="http://127.0.0.1:2",
        region="eu-west-1",
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREAL")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    env = endpoints.environment()

    # THEN each service has its endpoint, and the credentials are the local ones (the local S3 verifies
    # signatures and knows no real secret; real credentials are never sent to local services)
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:1"
    assert env["AWS_ENDPOINT_URL_SQS"] == "http://127.0.0.1:2"
    assert env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("local", "local")
    assert env["AWS_SESSION_TOKEN"] == ""


def test_local_aws_keeps_tables_on_disk_between_runs(tmp_path: Path, local_aws: LocalAws) -> None:
    # GIVEN an app run on disk that writes an item
    config = app_config(tmp_path, {"Diary": {"partition_key": {"name": "day", "type": "S"}}})
    with LocalAws(config, dynamodb="local", quick_start=True) as aws:
        client(aws.session(), "dynamodb", aws.endpoints.dynamodb).put_item(
            TableName="Diary", Item={"day": {"S": "monday"}}
        )

    # WHEN the app runs again
    with LocalAws(config, dynamodb="local", quick_start=True) as aws:
        item = client(aws.session(), "dynamodb", aws.endpoints.dynamodb).get_item(
            TableName="Diary", Key={"day": {"S": "monday"}}
        )

    # THEN the item is still there, and the data lives under the app's data_dir
    assert item["Item"] == {"day": {"S": "monday"}}
    assert (config.data_dir / "dynamodb").is_dir()


def test_a_stopped_dynamodb_local_is_not_launched_again_by_a_late_start(tmp_path: Path) -> None:
    # GIVEN DynamoDB Local launched (`make run` does it first), then stopped by a stop during start-up before the
    # thread that waits for it and creates the tables got to run
    dynamodb = DynamoDBLocal(JAR_DIR, None, quick_start=True)
    dynamodb.launch()
    dynamodb.stop()
    # WHEN that thread starts it
    # THEN it refuses, instead of launching a JVM that the way out would then wait for
    with pytest.raises(LocalAwsError, match="stopped while starting"):
        dynamodb.start()
    assert not dynamodb.running


def test_tables_are_not_started_once_a_stop_during_start_up_closed_local_aws(tmp_path: Path) -> None:
    config = app_config(tmp_path, {"Diary": {"partition_key": {"name": "day", "type": "S"}}})
    aws = LocalAws(config, in_memory=True, dynamodb="local", quick_start=True)
    aws.launch()
    aws.close()
    # (without the check, the tables' thread would call a DynamoDB Local that is gone, and fail less clearly)
    with pytest.raises(LocalAwsError, match="stopped while starting"):
        aws.start_tables()
