"""Load demo data into the tables and buckets once, never over an item or object a user has since changed."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from appsync_local.local_aws.endpoints import Endpoints, client
from appsync_local.local_aws.errors import LocalAwsError

if TYPE_CHECKING:
    import boto3

    from appdef import AppConfig

# Placeholders look like ${kind:name} (e.g. ${sub:alice}); other ${...} text, such as JS template code
# inside a post, is left as written.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_-]*:[^}]+)\}")


def seed(
    config: AppConfig,
    session: boto3.Session,
    endpoints: Endpoints,
    substitutions: Mapping[str, str],
    *,
    done_marker: Path | None = None,
) -> int:
    """Write each item of `config.seed_file` that is not in its table yet; return how many were written.

    The file is ``{"tables": {"TableName": [item, ...]}, "objects": {"bucket": [object, ...]}}`` with plain
    JSON items; an object is ``{"key": …, "file": <path from the seed file's folder>, "contentType": …}``.
    String values may hold placeholders such as ``${sub:alice}``, replaced from `substitutions`
    (``{"sub:alice": "<uuid>"}``). An item or object is written only when none with its key exists, so a
    second run changes nothing. Objects count among what was written.

    With `done_marker` (a file beside persistent tables), a seed that already ran with the same seed file is
    not run again: a warm start makes no calls at all. A changed seed file runs again. (The substitutions are
    not part of it: a user's sub is the same on every start, and a URL that moved with the port changes no
    item the seed wrote before either way.)
    """
    if config.seed_file is None:
        return 0
    digest = seed_digest(config.seed_file)
    if done_marker is not None and _read(done_marker) == digest:
        return 0
    written = _seed(config, session, endpoints, substitutions)
    if done_marker is not None:
        done_marker.parent.mkdir(parents=True, exist_ok=True)
        done_marker.write_text(digest)
    return written


def seed_digest(seed_file: Path) -> str:
    """The seed file's SHA-256: what a finished seed is recorded with."""
    try:
        content = seed_file.read_bytes()
    except FileNotFoundError:
        raise LocalAwsError(f"seed file {seed_file} not found (appsync.toml [local] seed names it)") from None
    return hashlib.sha256(content).hexdigest()


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _seed(
    config: AppConfig, session: boto3.Session, endpoints: Endpoints, substitutions: Mapping[str, str]
) -> int:
    assert config.seed_file is not None
    tables = load_seed_file(config.seed_file)
    written = seed_objects(config, client(session, "s3", endpoints.s3))
    items_by_table = {
        name: [
            substitute(item, substitutions, where=f"{config.seed_file.name}: {name}[{i}]")
            for i, item in enumerate(items)
        ]
        for name, items in tables.items()
    }
    dynamodb = client(session, "dynamodb", endpoints.dynamodb)
    for name, items in items_by_table.items():
        try:
            table = config.table(name)
        except KeyError:
            raise LocalAwsError(
                f"{config.seed_file}: table {name!r} is not described in appsync.toml "
                f"(known tables: {', '.join(t.name for t in config.tables.values()) or 'none'})"
            ) from None
        for index, item in enumerate(items):
            for key in (table.partition_key, table.sort_key):
                if key is not None and key.name not in item:
                    raise LocalAwsError(
                        f"{config.seed_file}: {name}[{index}] lacks its key attribute {key.name!r}"
                    )
            written += _put_if_absent(dynamodb, name, table.partition_key.name, item)
    return written


def load_seed_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read and check the seed file; numbers come back as Decimal, as DynamoDB needs."""
    try:
        document = json.loads(
            path.read_text(), parse_float=Decimal, parse_int=Decimal, parse_constant=_reject
        )
    except FileNotFoundError:
        raise LocalAwsError(f"seed file {path} not found (appsync.toml [local] seed names it)") from None
    except json.JSONDecodeError as exc:
        raise LocalAwsError(f"seed file {path} is not valid JSON: {exc}") from None
    except ValueError as exc:
        raise LocalAwsError(f"seed file {path}: {exc}") from None
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict):
        raise LocalAwsError(f'seed file {path} must be {{"tables": {{"TableName": [items...]}}}}')
    for name, items in tables.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise LocalAwsError(f"seed file {path}: tables.{name} must be a list of JSON objects")
    return tables


def seed_objects(config: AppConfig, s3: Any) -> int:
    """Put each object of the seed file's `objects` that its bucket lacks; how many were put."""
    assert config.seed_file is not None
    path = config.seed_file
    document = json.loads(path.read_text())
    objects = document.get("objects", {})
    if not isinstance(objects, dict):
        raise LocalAwsError(
            f'seed file {path}: objects must be {{"bucket": [{{"key", "file", "contentType"}}]}}'
        )
    written = 0
    for bucket, entries in objects.items():
        if bucket not in config.buckets:
            known = ", ".join(config.buckets) or "none"
            raise LocalAwsError(
                f"{path}: bucket {bucket!r} is not described in appsync.toml (known: {known})"
            )
        for index, entry in enumerate(entries if isinstance(entries, list) else [None]):
            where = f"{path}: objects.{bucket}[{index}]"
            if not isinstance(entry, dict) or not {"key", "file"} <= entry.keys():
                raise LocalAwsError(f"{where} must be an object with `key` and `file` (and `contentType`)")
            source = path.parent / str(entry["file"])
            if not source.is_file():
                raise LocalAwsError(f"{where}: {source} does not exist")
            key = str(entry["key"])
            try:
                s3.head_object(Bucket=bucket, Key=key)
                continue
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                    raise LocalAwsError(f"seeding s3://{bucket}/{key} failed: {exc}") from exc
            content_type = str(entry.get("contentType") or "application/octet-stream")
            s3.put_object(Bucket=bucket, Key=key, Body=source.read_bytes(), ContentType=content_type)
            written += 1
    return written


def substitute(value: Any, substitutions: Mapping[str, str], *, where: str = "seed") -> Any:
    """`value` with every ${kind:name} placeholder in its strings replaced; unknown placeholders are errors."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in substitutions:
                known = ", ".join(sorted(substitutions)) or "none"
                raise LocalAwsError(f"{where}: unknown placeholder ${{{name}}} (known: {known})")
            return substitutions[name]

        return PLACEHOLDER.sub(replace, value)
    if isinstance(value, list):
        return [substitute(element, substitutions, where=where) for element in value]
    if isinstance(value, dict):
        return {key: substitute(element, substitutions, where=where) for key, element in value.items()}
    return value


def _put_if_absent(dynamodb: Any, table: str, partition_key: str, item: dict[str, Any]) -> int:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    try:
        dynamodb.put_item(
            TableName=table,
            Item={name: serializer.serialize(value) for name, value in item.items()},
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": partition_key},
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            return 0
        if code == "ResourceNotFoundException":
            raise LocalAwsError(
                f"table {table!r} does not exist; provision the tables before seeding"
            ) from exc
        raise LocalAwsError(f"seeding {table!r} failed: {exc}") from exc
    return 1


def _reject(constant: str) -> Any:
    raise ValueError(f"{constant} is not a number DynamoDB can store")
