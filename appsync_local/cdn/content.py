"""A bucket's `content`: the files of a project folder (a static site), put into the local bucket at start.

As the stack's deployment does: each file under its path, with its content type and the configured
Cache-Control; the `config_file` written beside them with the references of `config` resolved (the local
API's URL and key); what the folder no longer has is removed. Files already there unchanged are left alone.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from appdef import AppConfig, BucketConfig
from appdef.references import Reference, substitute

# What browsers need that the platform's table may lack.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".webm": "video/webm",
    ".mp4": "video/mp4",
}


def content_type(name: str) -> str:
    """The Content-Type a file is served with, by its extension."""
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def sync_content(config: AppConfig, s3: Any, resolve: Callable[[Reference], str]) -> dict[str, int]:
    """Put every `content` bucket in step with its folder; bucket -> how many objects were put or removed."""
    return {
        bucket.name: _sync(bucket, config.root, s3, resolve)
        for bucket in config.buckets.values()
        if bucket.content
    }


def _sync(bucket: BucketConfig, root: Path, s3: Any, resolve: Callable[[Reference], str]) -> int:
    assert bucket.content is not None
    content = bucket.content
    wanted = {key: path.read_bytes() for key, path in _files(root / content.folder)}
    if content.config_file is not None:
        values = {name: substitute(value, resolve) for name, value in content.config.items()}
        wanted[content.config_file] = (json.dumps(values, indent=2) + "\n").encode()
    present = _etags(s3, bucket.name)
    changed = 0
    for key, body in wanted.items():
        if present.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest() and _served_as(
            s3, bucket.name, key, content.cache_control
        ):
            continue
        s3.put_object(
            Bucket=bucket.name,
            Key=key,
            Body=body,
            ContentType=content_type(key),
            CacheControl=content.cache_control,
        )
        changed += 1
    for key in present.keys() - wanted.keys():
        s3.delete_object(Bucket=bucket.name, Key=key)
        changed += 1
    return changed


def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Each file under `folder` by its key (its path there), hidden files and folders left out."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix(), path


def _served_as(s3: Any, bucket: str, key: str, cache_control: str) -> bool:
    """Whether the object already has the Cache-Control and Content-Type it would be put with."""
    head = s3.head_object(Bucket=bucket, Key=key)
    return bool(head.get("CacheControl") == cache_control and head.get("ContentType") == content_type(key))


def _etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            etags[item["Key"]] = item["ETag"].strip('"')
    return etags
