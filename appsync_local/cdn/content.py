"""A bucket's `content`: the files of a project folder (a static site), put into the local bucket at start.

As the stack's deployment does: each file under its path, with its content type and the configured
Cache-Control; the `config_file` written beside them with the references of `config` resolved (the local
API's URL and key); what the folder no longer has is removed. Files already there unchanged are left alone.
While the server runs, `SiteConfigs` rewrites a config file whose values changed (a renewed API key) when it is
requested.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from appdef import AppConfig, BucketConfig
from appdef.references import Reference, substitute
from appdef.resources import BucketContent

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


def config_body(content: BucketContent, resolve: Callable[[Reference], str]) -> bytes:
    """The config file's bytes: `config` with its references resolved as they are now."""
    values = {name: substitute(value, resolve) for name, value in content.config.items()}
    return (json.dumps(values, indent=2) + "\n").encode()


class SiteConfigs:
    """Keeps each site's config file in step with what its references are now, as the file is requested.

    The values can change while the server runs: the API key is renewed when it expires, by this server or by
    another process on the same data folder (`make api-key`). A page reads the config file before it calls the
    API, so the file is brought up to date when it is asked for, and always carries the key the server accepts.

    Parameters
    ----------
    config
        The app: which buckets have a `content` config file.
    s3
        A boto3 S3 client for the local S3.
    resolve
        A reference's local value, read at each request (`LocalReferences`).
    """

    def __init__(self, config: AppConfig, s3: Any, resolve: Callable[[Reference], str]) -> None:
        self._files = {
            bucket.name: bucket.content
            for bucket in config.buckets.values()
            if bucket.content is not None and bucket.content.config_file is not None
        }
        self._s3 = s3
        self._resolve = resolve
        self._lock = threading.Lock()

    def refresh(self, bucket: str, key: str) -> bool:
        """Rewrite `key` when it is `bucket`'s config file and a value changed; whether it was rewritten."""
        content = self._files.get(bucket)
        if content is None or key != content.config_file:
            return False
        with self._lock:
            body = config_body(content, self._resolve)
            try:
                etag = self._s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
            except self._s3.exceptions.ClientError:
                etag = None  # not there (yet): write it
            if etag == hashlib.md5(body, usedforsecurity=False).hexdigest():
                return False
            self._s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=body,
                ContentType=content_type(key),
                CacheControl=content.cache_control,
            )
            return True


def _sync(bucket: BucketConfig, root: Path, s3: Any, resolve: Callable[[Reference], str]) -> int:
    assert bucket.content is not None
    content = bucket.content
    wanted = {key: path.read_bytes() for key, path in _files(root / content.folder)}
    if content.config_file is not None:
        wanted[content.config_file] = config_body(content, resolve)
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
