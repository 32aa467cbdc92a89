"""Browser POST uploads: the policy's signature, expiry and conditions, checked as S3 checks them.

The form is decoded as it streams (werkzeug's sans-IO multipart decoder). What goes on to moto, once the policy
allows it, is the form S3 acts on, written anew: each field before the file once, with the value that was
checked (a field sent twice, in any case, is one field of comma-joined values, as S3 matches it; `${filename}`
expanded, as S3 expands it before checking), then the file. Fields after the file are ignored, as S3 ignores
them; so is a second file. Sending the original bytes would let moto act on what was never checked: a second
`Key` field, or a `Content-Type` after the file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from appsync_local.local_aws.s3_gate.errors import (
    S3Error,
    access_denied,
    invalid_argument,
    policy_refusal,
    signature_mismatch,
)
from appsync_local.local_aws.s3_gate.keys import KeyRing
from appsync_local.local_aws.s3_gate.payload import READ_SIZE, new_spool
from appsync_local.local_aws.s3_gate.request import CredentialScope, GateRequest, parse_amz_date
from appsync_local.sigv4_signature import ALGORITHM, SignatureComputer

MAX_FIELDS_BYTES = 20 * 1024  # S3: the fields before the file may not exceed 20 KB
MAX_UNPARSED_BYTES = 1024 * 1024
# Fields the policy need not name (S3: the signature fields, the file, and x-ignore-* ones).
_UNCONDITIONED = ("policy", "x-amz-signature", "file")


def is_post_upload(request: GateRequest) -> bool:
    """A browser-style POST Object: a multipart form posted to the bucket itself."""
    return (
        request.method == "POST"
        and request.path.strip(b"/").count(b"/") == 0
        and request.headers.get("content-type", "").lower().startswith("multipart/form-data")
    )


@dataclass
class _Form:
    # names lower-cased; a field sent more than once holds its values joined by commas
    fields: dict[str, str] = field(default_factory=dict)
    file_size: int = 0
    has_file: bool = False
    md5: Any = field(default_factory=hashlib.md5)  # of the file's bytes


@dataclass(frozen=True)
class PostUpload:
    """A POST upload its policy allows: the form to pass on (`body`), and what S3's answer names."""

    body: IO[bytes]
    bucket: str
    key: str
    etag: str  # the file's MD5, quoted, as S3 gives a single-part upload
    status: str | None  # success_action_status, when S3 takes it (200, 201, 204)


def spool_post_upload(
    request: GateRequest, stream: IO[bytes], keys: KeyRing, region: str, now: float
) -> PostUpload:
    """The form S3 acts on (the checked fields, then the file), once its policy allows it; S3's refusal
    otherwise. The whole request is read either way."""
    out = new_spool()
    try:
        form = _check_form(request, iter(lambda: stream.read(READ_SIZE), b""), keys, region, now, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    acted_on = _as_acted_on(form.fields)
    return PostUpload(
        out,
        request.bucket,
        acted_on["key"],
        f'"{form.md5.hexdigest()}"',
        acted_on.get("success_action_status"),
    )


class _FormWriter:
    """Writes a multipart form with the request's boundary (which none of its content holds)."""

    def __init__(self, out: IO[bytes], boundary: bytes) -> None:
        self.out = out
        self.boundary = boundary

    def fields(self, fields: dict[str, str]) -> None:
        for name, value in fields.items():
            self._part(f'form-data; name="{_quoted(name)}"', None)
            self.out.write(value.encode("utf-8") + b"\r\n")

    def file(self, event: File) -> None:
        disposition = f'form-data; name="{_quoted(event.name)}"; filename="{_quoted(event.filename or "")}"'
        self._part(disposition, event.headers.get("content-type"))

    def end_file(self) -> None:
        self.out.write(b"\r\n--" + self.boundary + b"--\r\n")

    def _part(self, disposition: str, content_type: str | None) -> None:
        head = f"--{self.boundary.decode('latin-1')}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        self.out.write(head.encode("utf-8") + b"\r\n")


def _quoted(text: str) -> str:
    """A name for a quoted header parameter, escaped as browsers escape a file's name."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _expanded(fields: dict[str, str], filename: str | None) -> dict[str, str]:
    """`${filename}` in every field replaced by the file's name after its last / or \\ (S3 expands the
    variables before it checks the policy)."""
    name = (filename or "").replace("\\", "/").rpartition("/")[2]
    return {key: value.replace("${filename}", name) for key, value in fields.items()}


def _check_form(
    request: GateRequest, chunks: Iterator[bytes], keys: KeyRing, region: str, now: float, out: IO[bytes]
) -> _Form:
    boundary = _boundary(request.headers.get("content-type", ""))
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    writer = _FormWriter(out, boundary.encode("latin-1"))
    form = _Form()
    range_: tuple[int, int] | None = None
    name, value, in_file, fields_bytes = "", bytearray(), False, 0
    for chunk in chunks:
        decoder.receive_data(chunk)
        for event in _events(decoder):
            if isinstance(event, Field) and not form.has_file:
                name, value, in_file = event.name.lower(), bytearray(), False
            elif isinstance(event, File) and not form.has_file:
                form.has_file, in_file = True, True
                form.fields = _expanded(form.fields, event.filename)
                range_ = _check_policy(request, form.fields, keys, region, now)
                writer.fields(_as_acted_on(form.fields))
                writer.file(event)
            elif isinstance(event, Data) and in_file:
                form.file_size += len(event.data)
                _check_upper(range_, form.file_size)
                form.md5.update(event.data)
                out.write(event.data)
                if not event.more_data:
                    in_file = False
                    writer.end_file()
            elif isinstance(event, Data) and not form.has_file:
                value += event.data
                fields_bytes += len(event.data)
                if fields_bytes > MAX_FIELDS_BYTES:
                    raise S3Error(
                        400,
                        "MaxPostPreDataLengthExceeded",
                        "Your POST request fields preceeding the upload file was too large.",
                    )
                if not event.more_data:
                    text = value.decode("utf-8", "replace")
                    form.fields[name] = f"{form.fields[name]},{text}" if name in form.fields else text
    if not form.has_file:
        raise invalid_argument("POST requires exactly one file upload per request.", ArgumentName="file")
    if in_file:  # the body ended inside the file
        raise invalid_argument("The body of your POST request is not well-formed multipart/form-data.")
    if range_ is not None and form.file_size < range_[0]:
        raise S3Error(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            ProposedSize=str(form.file_size),
            MinSizeAllowed=str(range_[0]),
        )
    return form


# S3 answers a POST with 200, 201 or 204 (the default, and what any other success_action_status gets).
_SUCCESS_STATUSES = ("200", "201", "204")


def _as_acted_on(fields: dict[str, str]) -> dict[str, str]:
    """The fields as S3 acts on them: a success_action_status S3 does not take is as if not given."""
    return {
        name: value
        for name, value in fields.items()
        if name != "success_action_status" or value in _SUCCESS_STATUSES
    }


def _events(decoder: MultipartDecoder) -> Iterator[Any]:
    if len(decoder.buffer) > MAX_UNPARSED_BYTES:  # no part boundary or header end in sight: not a form
        raise invalid_argument("The body of your POST request is not well-formed multipart/form-data.")
    while True:
        event = decoder.next_event()
        if isinstance(event, NeedData | Epilogue):
            return
        yield event


def _boundary(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"')
    raise invalid_argument("The body of your POST request is not well-formed multipart/form-data.")


def _check_upper(range_: tuple[int, int] | None, size: int) -> None:
    if range_ is not None and size > range_[1]:
        raise S3Error(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            ProposedSize=str(size),
            MaxSizeAllowed=str(range_[1]),
        )


def _required(fields: dict[str, str], name: str) -> str:
    value = fields.get(name.lower())
    if value is None:
        raise invalid_argument(
            f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
            ArgumentName=name,
        )
    return value


def _check_policy(
    request: GateRequest, fields: dict[str, str], keys: KeyRing, region: str, now: float
) -> tuple[int, int] | None:
    """Check the policy's signature, expiry and conditions; return its content-length-range, if any."""
    _required(fields, "key")
    if "policy" not in fields:
        raise access_denied()  # no policy, no signature: an anonymous upload into a private bucket
    algorithm = _required(fields, "x-amz-algorithm")
    if algorithm != ALGORITHM:
        raise invalid_argument(
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', ArgumentName="x-amz-algorithm"
        )
    credential, amz_date = _required(fields, "x-amz-credential"), _required(fields, "x-amz-date")
    provided = _required(fields, "x-amz-signature")
    scope = CredentialScope.parse(credential)
    if scope is None or scope.region != region or scope.service != "s3" or scope.date != amz_date[:8]:
        raise invalid_argument(f"Invalid X-Amz-Credential: {credential}", ArgumentName="x-amz-credential")
    if parse_amz_date(amz_date) is None:
        raise invalid_argument("Invalid X-Amz-Date", ArgumentName="x-amz-date")
    key = keys.find(scope.access_key_id, fields.get("x-amz-security-token"))
    computer = SignatureComputer(key.access_key_id, key.secret_access_key, key.session_token, "s3", region)
    encoded = fields["policy"]
    expected = computer.sign(encoded, amz_date)
    if not hmac.compare_digest(expected, provided.lower()):
        raise signature_mismatch(key.access_key_id, encoded, provided, "")
    policy = _decode(encoded)
    _check_expiration(policy, now)
    return _check_conditions(policy.get("conditions"), fields, request.bucket)


def _decode(encoded: str) -> dict[str, Any]:
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise S3Error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(policy, dict):
        raise S3Error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    return policy


def _check_expiration(policy: dict[str, Any], now: float) -> None:
    text = policy.get("expiration")
    if not isinstance(text, str):
        raise S3Error(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.")
    try:
        expires = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise S3Error(
            400, "InvalidPolicyDocument", f"Invalid Policy: Invalid 'expiration' value: '{text}'"
        ) from None
    if now > expires:
        raise policy_refusal("Policy expired.")


def _check_conditions(conditions: Any, fields: dict[str, str], bucket: str) -> tuple[int, int] | None:
    if not isinstance(conditions, list):
        raise S3Error(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.")
    values = {**fields, "bucket": bucket}
    covered: set[str] = set()
    range_: tuple[int, int] | None = None
    for condition in conditions:
        operator, name, expected = _condition(condition)
        if operator == "content-length-range":
            range_ = (int(name), int(expected))
            continue
        covered.add(name)
        actual = values.get(name)
        ok = actual is not None and (
            actual == expected
            if operator == "eq"
            else all(part.strip().startswith(expected) for part in actual.split(","))
            if name == "content-type"
            else actual.startswith(expected)
        )
        if not ok:
            raise policy_refusal(f"Policy Condition failed: {json.dumps(_shown(condition))}")
    extra = [
        name
        for name in fields
        if name not in covered and name not in _UNCONDITIONED and not name.startswith("x-ignore-")
    ]
    if extra:
        raise policy_refusal(f"Extra input fields: {', '.join(extra)}")
    return range_


def _condition(condition: Any) -> tuple[str, str, str]:
    """(operator, lower-cased field name or range minimum, expected value or range maximum)."""
    if isinstance(condition, dict) and len(condition) == 1:
        [(name, value)] = condition.items()
        return "eq", str(name).lower(), str(value)
    if isinstance(condition, list) and len(condition) == 3:
        operator = str(condition[0]).lower()
        if operator == "content-length-range":
            try:
                return operator, str(int(condition[1])), str(int(condition[2]))
            except (TypeError, ValueError):
                pass
        elif operator in ("eq", "starts-with") and str(condition[1]).startswith("$"):
            return operator, str(condition[1])[1:].lower(), str(condition[2])
    raise S3Error(400, "InvalidPolicyDocument", f"Invalid Policy: Invalid Condition: {json.dumps(condition)}")


def _shown(condition: Any) -> list[Any]:
    if isinstance(condition, dict):
        [(name, value)] = condition.items()
        return ["eq", f"${name}", value]
    return list(condition)
