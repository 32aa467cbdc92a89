"""Request bodies checked as they stream in: the declared SHA-256, and aws-chunked framing, chunk signatures
and trailing checksums. What is read is kept in a spooled file (memory up to 1 MiB, then disk) and handed on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from appsync_local.local_aws.s3_gate.errors import S3Error, signature_mismatch

READ_SIZE = 256 * 1024
SPOOL_MEMORY = 1024 * 1024
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_MAX_LINE = 4096


def new_spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)


class TeeReader:
    """Reads `stream` and keeps a copy of every byte read in `spool`."""

    def __init__(self, stream: IO[bytes], spool: IO[bytes]) -> None:
        self._stream = stream
        self._spool = spool

    def read(self, size: int = READ_SIZE) -> bytes:
        data = self._stream.read(size)
        self._spool.write(data)
        return data

    def readline(self) -> bytes:
        line = self._stream.readline(_MAX_LINE)
        self._spool.write(line)
        return line

    def exactly(self, size: int) -> bytes:
        parts, left = [], size
        while left:
            data = self.read(min(left, READ_SIZE))
            if not data:
                raise incomplete_body()
            parts.append(data)
            left -= len(data)
        return b"".join(parts)


def incomplete_body() -> S3Error:
    return S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")


def spool_with_sha256(stream: IO[bytes], declared: str) -> IO[bytes]:
    """The body, once its SHA-256 is the one the client declared (and signed)."""
    spool = new_spool()
    digest = hashlib.sha256()
    for data in iter(lambda: stream.read(READ_SIZE), b""):
        digest.update(data)
        spool.write(data)
    computed = digest.hexdigest()
    if computed != declared.lower():
        spool.close()
        raise S3Error(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ClientComputedContentSHA256=declared,
            S3ComputedContentSHA256=computed,
        )
    spool.seek(0)
    return spool


@dataclass(frozen=True)
class ChunkSigner:
    """What signs each chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: the key, date and scope of the
    request's own signature (the seed), which the first chunk's signature chains from."""

    access_key_id: str
    amz_date: str
    scope: str
    seed_signature: str
    sign: Callable[[str], str]

    def chunk_signature(self, previous: str, chunk_sha256: str) -> tuple[str, str]:
        string_to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope, previous, EMPTY_SHA256, chunk_sha256]
        )
        return string_to_sign, self.sign(string_to_sign)

    def trailer_signature(self, previous: str, trailer: bytes) -> tuple[str, str]:
        string_to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256-TRAILER",
                self.amz_date,
                self.scope,
                previous,
                hashlib.sha256(trailer).hexdigest(),
            ]
        )
        return string_to_sign, self.sign(string_to_sign)


def spool_aws_chunked(stream: IO[bytes], signer: ChunkSigner | None, decoded_length: int | None) -> IO[bytes]:
    """The aws-chunked body as sent, once its framing, its chunk signatures (when `signer` is given), its
    decoded length and its trailing checksum (CRC32, SHA-1 or SHA-256) check out."""
    spool = new_spool()
    try:
        _check_aws_chunked(TeeReader(stream, spool), signer, decoded_length)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _check_aws_chunked(reader: TeeReader, signer: ChunkSigner | None, decoded_length: int | None) -> None:
    previous = signer.seed_signature if signer else ""
    checksums = _Checksums()
    total = 0
    while True:
        size, provided = _chunk_header(reader.readline(), signed=signer is not None)
        data = reader.exactly(size)
        if signer is not None:
            string_to_sign, expected = signer.chunk_signature(previous, hashlib.sha256(data).hexdigest())
            if not hmac.compare_digest(expected, provided):
                raise signature_mismatch(signer.access_key_id, string_to_sign, provided, "")
            previous = expected
        checksums.update(data)
        total += size
        if size == 0:
            break
        if reader.readline() != b"\r\n":
            raise incomplete_body()
    _check_trailer(reader, signer, previous, checksums)
    if decoded_length is not None and decoded_length != total:
        raise incomplete_body()


def _chunk_header(line: bytes, *, signed: bool) -> tuple[int, str]:
    if not line.endswith(b"\r\n"):
        raise incomplete_body()
    size_text, _, extension = line[:-2].decode("latin-1").partition(";")
    try:
        size = int(size_text, 16)
    except ValueError:
        raise incomplete_body() from None
    name, _, signature = extension.partition("=")
    if signed and name.strip() != "chunk-signature":
        raise S3Error(
            400, "InvalidChunkSignature", "The chunk signature is missing."
        )  # S3 refuses unsigned chunks
    return size, signature.strip()


def _check_trailer(
    reader: TeeReader, signer: ChunkSigner | None, previous: str, checksums: _Checksums
) -> None:
    trailer_lines: list[bytes] = []
    trailer_signature = ""
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.rstrip(b"\r\n").partition(b":")
        if name.strip().lower() == b"x-amz-trailer-signature":
            trailer_signature = value.strip().decode("latin-1")
        else:
            trailer_lines.append(name.strip().lower() + b":" + value.strip() + b"\n")
            checksums.expect(name.strip().lower().decode("latin-1"), value.strip().decode("latin-1"))
    if signer is not None and trailer_lines:
        string_to_sign, expected = signer.trailer_signature(previous, b"".join(trailer_lines))
        if not hmac.compare_digest(expected, trailer_signature):
            raise signature_mismatch(signer.access_key_id, string_to_sign, trailer_signature, "")
    checksums.verify()


_TRAILER_ALGORITHMS = {
    "x-amz-checksum-sha256": "SHA256",
    "x-amz-checksum-sha1": "SHA1",
    "x-amz-checksum-crc32": "CRC32",
}


class _Checksums:
    """The running checksums a trailer may declare (those the standard library computes)."""

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._sha1 = hashlib.sha1()
        self._crc32 = 0
        self._expected: dict[str, str] = {}

    def update(self, data: bytes) -> None:
        self._sha256.update(data)
        self._sha1.update(data)
        self._crc32 = zlib.crc32(data, self._crc32)

    def expect(self, name: str, value: str) -> None:
        if name in _TRAILER_ALGORITHMS:
            self._expected[name] = value

    def verify(self) -> None:
        computed = {
            "x-amz-checksum-sha256": base64.b64encode(self._sha256.digest()).decode(),
            "x-amz-checksum-sha1": base64.b64encode(self._sha1.digest()).decode(),
            "x-amz-checksum-crc32": base64.b64encode(self._crc32.to_bytes(4, "big")).decode(),
        }
        for name, value in self._expected.items():
            if computed[name] != value:
                algorithm = _TRAILER_ALGORITHMS[name]
                raise S3Error(
                    400, "BadDigest", f"The {algorithm} you specified did not match the calculated checksum."
                )
