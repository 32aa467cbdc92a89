"""Keep moto's S3 objects on disk, so uploads survive a restart of the runtime."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.exceptions import ClientError

from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.errors import LocalAwsError

MANIFEST = "manifest.json"
OBJECTS = "objects"
# Object headers that a later GetObject should return as they were uploaded.
KEPT_HEADERS = ("ContentType", "CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage")
_CHUNK = 1024 * 1024


class S3Persistence:
    """Mirrors every bucket of an S3 endpoint to a folder, and puts them back.

    Layout: ``<directory>/<bucket>/manifest.json`` maps each key to its file under ``objects/`` (named by
    the key's SHA-256, so any key is a safe file name), its ETag, size, headers and metadata.
    `save` downloads only objects whose ETag or size changed since the last save or restore, so saving
    an unchanged store costs one listing per bucket.

    Parameters
    ----------
    directory:
        The folder to keep objects in (created when missing).
    session:
        The boto3 session to call S3 with.
    endpoint:
        The S3 endpoint (moto's server).
    """

    def __init__(self, directory: Path, session: boto3.Session, endpoint: str) -> None:
        self.directory = Path(directory)
        self._session = session
        self._s3 = client(session, "s3", endpoint)
        self._manifests: dict[str, dict[str, dict[str, Any]]] = {}
        # save() may run on a timer and at shutdown at once; one mirror pass at a time keeps files consistent.
        self._lock = threading.Lock()

    def restore(self) -> int:
        """Re-create the saved buckets and objects in S3; return how many objects were put back."""
        with self._lock:
            return self._restore()

    def save(self) -> int:
        """Mirror every bucket to the directory; return how many objects were written or removed."""
        with self._lock:
            return self._save()

    def _restore(self) -> int:
        restored = 0
        for bucket_dir in self._saved_bucket_dirs():
            bucket = bucket_dir.name
            manifest = self._read_manifest(bucket_dir)
            self._create_bucket(bucket)
            for key, entry in manifest.items():
                path = bucket_dir / OBJECTS / entry["file"]
                if not path.is_file():
                    continue  # a file lost by hand: skip it rather than refuse to start
                extra = {name: entry[name] for name in KEPT_HEADERS if entry.get(name)}
                with path.open("rb") as body:
                    response = self._call(
                        self._s3.put_object,
                        Bucket=bucket,
                        Key=key,
                        Body=body,
                        Metadata=entry.get("Metadata", {}),
                        **extra,
                    )
                # A multipart upload's ETag differs from a single put's; remember the new one so save skips it.
                entry["ETag"] = response["ETag"]
                restored += 1
            self._manifests[bucket] = manifest
            self._write_manifest(bucket_dir, manifest)
        return restored

    def _save(self) -> int:
        changes = 0
        buckets = [b["Name"] for b in self._call(self._s3.list_buckets).get("Buckets", [])]
        for bucket in buckets:
            changes += self._save_bucket(bucket)
        for bucket_dir in self._saved_bucket_dirs():
            if bucket_dir.name not in buckets:
                shutil.rmtree(bucket_dir)
                self._manifests.pop(bucket_dir.name, None)
                changes += 1
        return changes

    def _save_bucket(self, bucket: str) -> int:
        bucket_dir = self.directory / bucket
        (bucket_dir / OBJECTS).mkdir(parents=True, exist_ok=True)
        if bucket not in self._manifests:
            self._manifests[bucket] = (
                self._read_manifest(bucket_dir) if (bucket_dir / MANIFEST).is_file() else {}
            )
        saved = self._manifests[bucket]
        listed = self._list_objects(bucket)
        changes = 0
        for key, (etag, size) in listed.items():
            entry = saved.get(key)
            if entry is not None and entry.get("ETag") == etag and entry.get("Size") == size:
                continue
            saved[key] = self._download(bucket, key, bucket_dir)
            changes += 1
        for key in [key for key in saved if key not in listed]:
            entry = saved.pop(key)
            (bucket_dir / OBJECTS / entry["file"]).unlink(missing_ok=True)
            changes += 1
        if changes or not (bucket_dir / MANIFEST).is_file():
            self._write_manifest(bucket_dir, saved)
        return changes

    def _list_objects(self, bucket: str) -> dict[str, tuple[str, int]]:
        listed: dict[str, tuple[str, int]] = {}
        paginator = self._s3.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=bucket):
                for obj in page.get("Contents", []):
                    listed[obj["Key"]] = (obj["ETag"], int(obj["Size"]))
        except ClientError as exc:
            raise LocalAwsError(f"could not list s3://{bucket}: {exc}") from exc
        return listed

    def _download(self, bucket: str, key: str, bucket_dir: Path) -> dict[str, Any]:
        response = self._call(self._s3.get_object, Bucket=bucket, Key=key)
        name = hashlib.sha256(key.encode()).hexdigest()
        target = bucket_dir / OBJECTS / name
        with _atomic_file(target) as out:
            for chunk in response["Body"].iter_chunks(_CHUNK):
                out.write(chunk)
        entry: dict[str, Any] = {
            "file": name,
            "ETag": response["ETag"],
            "Size": int(response["ContentLength"]),
            "Metadata": response.get("Metadata", {}),
        }
        entry.update({header: response[header] for header in KEPT_HEADERS if response.get(header)})
        return entry

    def _create_bucket(self, bucket: str) -> None:
        region = self._session.region_name or "us-east-1"
        try:
            if region == "us-east-1":
                self._s3.create_bucket(Bucket=bucket)
            else:
                self._s3.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
                )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                raise LocalAwsError(f"could not re-create bucket {bucket!r}: {exc}") from exc

    def _saved_bucket_dirs(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        # Only folders this class wrote (they hold a manifest) are ever read or removed.
        return sorted(path for path in self.directory.iterdir() if (path / MANIFEST).is_file())

    def _read_manifest(self, bucket_dir: Path) -> dict[str, dict[str, Any]]:
        path = bucket_dir / MANIFEST
        try:
            manifest = json.loads(path.read_text())["objects"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LocalAwsError(
                f"{path} is unreadable ({exc}); remove {bucket_dir} to start that bucket afresh"
            ) from exc
        if not isinstance(manifest, dict):
            raise LocalAwsError(f"{path} is unreadable; remove {bucket_dir} to start that bucket afresh")
        return manifest

    def _write_manifest(self, bucket_dir: Path, manifest: dict[str, dict[str, Any]]) -> None:
        with _atomic_file(bucket_dir / MANIFEST) as out:
            out.write(json.dumps({"objects": manifest}, indent=1, sort_keys=True).encode())

    def _call(self, operation: Any, **kwargs: Any) -> Any:
        try:
            return operation(**kwargs)
        except ClientError as exc:
            raise LocalAwsError(f"S3 {operation.__name__} failed: {exc}") from exc


@contextmanager
def _atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """A binary file written under a temporary name and renamed into place only when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise
