"""The local S3's checks one by one, against its own server on 127.0.0.1 (issue 12, item 4).

Each test talks HTTP to moto's S3 behind the gate, with boto3, requests, or bytes signed by botocore's own
signers; a second server whose clock runs ahead shows expiry. AWS's documented streaming-upload example
(sigv4-streaming: the 66,560-byte object in 64 KiB signed chunks) is replayed as AWS wrote it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import boto3
import pytest
import requests
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from appsync_local.local_aws.endpoints import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from appsync_local.local_aws.moto_server import MotoServer
from appsync_local.local_aws.provision import CORS_RULES

BUCKET = "gate-checks"
REGION = "us-east-1"
WEEK = 7 * 24 * 3600
SIGV4 = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1})


@dataclass
class LocalS3:
    endpoint: str
    server: MotoServer

    def client(self, key: str = DUMMY_ACCESS_KEY_ID, secret: str = DUMMY_SECRET_ACCESS_KEY, **kw: Any) -> Any:
        session = boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION, **kw)
        return session.client("s3", endpoint_url=self.endpoint, config=SIGV4)


@pytest.fixture(scope="module")
def s3() -> Iterator[LocalS3]:
    server = MotoServer(region=REGION)
    endpoint = server.start()
    try:
        local = LocalS3(endpoint, server)
        client = local.client()
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=CORS_RULES)
        yield local
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_a_day_later() -> Iterator[LocalS3]:
    """The same S3 (moto's state is the process's), its clock eight days ahead."""
    server = MotoServer(region=REGION, clock=lambda: time.time() + 8 * 24 * 3600)
    endpoint = server.start()
    try:
        yield LocalS3(endpoint, server)
    finally:
        server.stop()


def s3_error(response: requests.Response) -> tuple[int, str, str]:
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


def signed(
    method: str, url: str, body: bytes, headers: dict[str, str], secret: str = DUMMY_SECRET_ACCESS_KEY
) -> dict[str, str]:
    """Headers signed by botocore: its S3 signer declares the SHA-256 of `body`; given an X-Amz-Content-SHA256,
    its generic SigV4 signer signs that declaration instead (the paths here need no S3-specific encoding)."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    signer = SigV4Auth if "X-Amz-Content-SHA256" in headers else S3SigV4Auth
    signer(Credentials(DUMMY_ACCESS_KEY_ID, secret), "s3", REGION).add_auth(request)
    return dict(request.headers.items())


# ---- correctly signed calls keep working ----


def test_boto3_put_get_list_and_delete_work(s3: LocalS3) -> None:
    client = s3.client()
    client.put_object(Bucket=BUCKET, Key="docs/a.txt", Body=b"hello", ContentType="text/plain")
    assert client.get_object(Bucket=BUCKET, Key="docs/a.txt")["Body"].read() == b"hello"
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="docs/")["Contents"]]
    assert keys == ["docs/a.txt"]
    client.delete_object(Bucket=BUCKET, Key="docs/a.txt")
    assert client.list_objects_v2(Bucket=BUCKET, Prefix="docs/")["KeyCount"] == 0


def test_a_multipart_upload_and_upload_file_of_9_mb_work(s3: LocalS3, tmp_path: Path) -> None:
    client = s3.client()
    part = os.urandom(5 * 1024 * 1024)
    upload = client.create_multipart_upload(Bucket=BUCKET, Key="big/parts.bin")
    etags = [
        client.upload_part(
            Bucket=BUCKET, Key="big/parts.bin", UploadId=upload["UploadId"], PartNumber=n, Body=body
        )["ETag"]
        for n, body in ((1, part), (2, b"tail"))
    ]
    client.complete_multipart_upload(
        Bucket=BUCKET,
        Key="big/parts.bin",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": e, "PartNumber": n} for n, e in enumerate(etags, 1)]},
    )
    assert client.head_object(Bucket=BUCKET, Key="big/parts.bin")["ContentLength"] == len(part) + 4
    data = os.urandom(9 * 1024 * 1024)
    (tmp_path / "nine.bin").write_bytes(data)
    client.upload_file(str(tmp_path / "nine.bin"), BUCKET, "big/nine.bin")  # multipart above 8 MB
    out = io.BytesIO()
    client.download_fileobj(BUCKET, "big/nine.bin", out)
    assert hashlib.sha256(out.getvalue()).digest() == hashlib.sha256(data).digest()


def test_temporary_credentials_from_the_local_sts_work_only_with_their_token(s3: LocalS3) -> None:
    # GIVEN credentials the local STS hands out
    sts = boto3.client(
        "sts",
        endpoint_url=s3.endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
    )
    creds = sts.assume_role(
        RoleArn="arn:aws:iam::123456789012:role/reader", RoleSessionName="reader-session"
    )["Credentials"]
    key, secret, token = creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    # THEN they sign S3 calls with their token, and are refused without it or with another
    assert s3.client(key, secret, aws_session_token=token).list_objects_v2(Bucket=BUCKET)["Name"] == BUCKET
    with pytest.raises(ClientError) as without:
        s3.client(key, secret).list_objects_v2(Bucket=BUCKET)
    with pytest.raises(ClientError) as wrong:
        s3.client(key, secret, aws_session_token="forged").list_objects_v2(Bucket=BUCKET)
    assert without.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    assert wrong.value.response["Error"]["Code"] == "InvalidToken"


# ---- the Authorization header ----


def test_an_unknown_access_key_and_a_wrong_secret_are_refused(s3: LocalS3) -> None:
    with pytest.raises(ClientError) as unknown:
        s3.client("AKIAUNKNOWN000000000", "whatever").list_objects_v2(Bucket=BUCKET)
    with pytest.raises(ClientError) as wrong:
        s3.client(DUMMY_ACCESS_KEY_ID, "not-the-secret").list_objects_v2(Bucket=BUCKET)
    assert unknown.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    assert unknown.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert wrong.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_a_body_other_than_the_signed_hash_is_refused_and_not_stored(s3: LocalS3) -> None:
    url = f"{s3.endpoint}/{BUCKET}/hash/a.txt"
    headers = signed("PUT", url, b"the signed body", {})
    answer = requests.put(url, data=b"another body!!!", headers=headers, timeout=10)
    assert s3_error(answer)[:2] == (400, "XAmzContentSHA256Mismatch")
    assert requests.put(url, data=b"the signed body", headers=headers, timeout=10).status_code == 200
    assert s3.client().get_object(Bucket=BUCKET, Key="hash/a.txt")["Body"].read() == b"the signed body"


def test_unsigned_payload_is_accepted_when_signed_as_such(s3: LocalS3) -> None:
    url = f"{s3.endpoint}/{BUCKET}/hash/unsigned.txt"
    headers = signed("PUT", url, b"", {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert requests.put(url, data=b"anything", headers=headers, timeout=10).status_code == 200


def test_a_request_signed_for_another_region_or_unsigned_x_amz_header_is_refused(s3: LocalS3) -> None:
    url = f"{s3.endpoint}/{BUCKET}?list-type=2"
    request = AWSRequest(method="GET", url=url)
    S3SigV4Auth(Credentials(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY), "s3", "eu-west-1").add_auth(
        request
    )
    other_region = requests.get(url, headers=dict(request.headers.items()), timeout=10)
    assert s3_error(other_region)[:2] == (400, "AuthorizationHeaderMalformed")
    added = {**signed("GET", url, b"", {}), "x-amz-acl": "public-read"}
    assert s3_error(requests.get(url, headers=added, timeout=10))[:3] == (
        403,
        "AccessDenied",
        "There were headers present in the request which were not signed",
    )


def test_an_unsigned_trailer_upload_checks_its_checksum(s3: LocalS3) -> None:
    # GIVEN aws-chunked bodies with a CRC32 trailer, as SDKs send over TLS (STREAMING-UNSIGNED-PAYLOAD-TRAILER)
    data = os.urandom(200_000)

    def body(checksum: str | None = None) -> bytes:
        raw = AwsChunkedWrapper(
            io.BytesIO(data), checksum_cls=Crc32Checksum, checksum_name="x-amz-checksum-crc32"
        ).read()
        return raw if checksum is None else raw.replace(crc32(data).encode(), checksum.encode())

    url = f"{s3.endpoint}/{BUCKET}/chunked/trailer.bin"
    headers = {
        "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "Content-Encoding": "aws-chunked",
        "X-Amz-Trailer": "x-amz-checksum-crc32",
        "X-Amz-Decoded-Content-Length": str(len(data)),
    }
    # WHEN it is sent intact, and with another checksum
    good = requests.put(url, data=body(), headers=signed("PUT", url, b"", headers), timeout=10)
    bad = requests.put(url, data=body(crc32(b"other")), headers=signed("PUT", url, b"", headers), timeout=10)
    # THEN the first is stored as decoded, the second refused
    assert good.status_code == 200, good.text
    assert s3.client().get_object(Bucket=BUCKET, Key="chunked/trailer.bin")["Body"].read() == data
    assert s3_error(bad)[:2] == (400, "BadDigest")


def crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


# AWS's example (Signature Version 4, "Transferring Payload in Multiple Chunks"): its keys, date, headers and
# every signature, as published.
EXAMPLE_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
EXAMPLE_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
EXAMPLE_CHUNKS = (
    (65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"),
    (1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"),
    (0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"),
)


@pytest.fixture(scope="module")
def s3_in_2013(s3: LocalS3) -> Iterator[LocalS3]:
    """The same S3 on 24 May 2013, knowing AWS's example key; the example's bucket exists."""
    server = MotoServer(region=REGION, clock=lambda: 1369353600.0 + 60)
    from appsync_local.local_aws.s3_gate import LocalKey

    server.trust(LocalKey(*EXAMPLE_KEY))
    endpoint = server.start()
    s3.client().create_bucket(Bucket="examplebucket")
    try:
        yield LocalS3(endpoint, server)
    finally:
        server.stop()


def example_request(s3: LocalS3, chunk_signatures: list[str]) -> requests.Response:
    body = b"".join(
        f"{size:x};chunk-signature={signature}\r\n".encode() + b"a" * size + b"\r\n"
        for (size, _), signature in zip(EXAMPLE_CHUNKS, chunk_signatures, strict=True)
    )
    assert len(body) == 66824
    headers = {
        "Host": "s3.amazonaws.com",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
        f"x-amz-decoded-content-length;x-amz-storage-class,Signature={EXAMPLE_SEED}",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        "Content-Length": "66824",
    }
    return requests.put(
        f"{s3.endpoint}/examplebucket/chunkObject.txt", data=body, headers=headers, timeout=10
    )


def test_awss_signed_chunk_example_is_accepted_and_a_changed_chunk_signature_is_not(
    s3_in_2013: LocalS3, s3: LocalS3
) -> None:
    good = [signature for _, signature in EXAMPLE_CHUNKS]
    assert example_request(s3_in_2013, good).status_code == 200
    stored = s3.client().get_object(Bucket="examplebucket", Key="chunkObject.txt")["Body"].read()
    assert stored == b"a" * 66560
    tampered = [good[0], "0" * 64, good[2]]
    assert s3_error(example_request(s3_in_2013, tampered))[:2] == (403, "SignatureDoesNotMatch")


# ---- presigned URLs ----


def test_an_expired_presigned_url_is_refused(s3: LocalS3, s3_a_day_later: LocalS3) -> None:
    # GIVEN a one-hour download URL, signed now for the S3 whose clock is eight days ahead
    s3.client().put_object(Bucket=BUCKET, Key="presigned/old.txt", Body=b"x")
    url = s3_a_day_later.client().generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "presigned/old.txt"}, ExpiresIn=3600
    )
    # WHEN it is used there, THEN it has expired
    answer = requests.get(url, timeout=10)
    assert s3_error(answer) == (403, "AccessDenied", "Request has expired")
    assert ElementTree.fromstring(answer.content).findtext("X-Amz-Expires") == "3600"


def test_presigned_url_parameters_are_checked_as_s3_checks_them(s3: LocalS3) -> None:
    client = s3.client()
    url = client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "p.txt"}, ExpiresIn=60)
    too_long = url.replace("X-Amz-Expires=60", f"X-Amz-Expires={WEEK + 1}")
    missing = url.replace("X-Amz-SignedHeaders=", "X-Amz-Nothing=")
    assert s3_error(requests.get(too_long, timeout=10)) == (
        400,
        "AuthorizationQueryParametersError",
        "X-Amz-Expires must be less than a week (in seconds) that is 604800",
    )
    assert s3_error(requests.get(missing, timeout=10))[:2] == (400, "AuthorizationQueryParametersError")


def test_a_presigned_url_signed_for_a_content_length_refuses_another(s3: LocalS3) -> None:
    url = s3.client().generate_presigned_url(
        "put_object",
        Params={"Bucket": BUCKET, "Key": "presigned/sized.bin", "ContentLength": 4},
        ExpiresIn=60,
    )
    assert requests.put(url, data=b"four", timeout=10).status_code == 200
    assert s3_error(requests.put(url, data=b"five!", timeout=10))[:2] == (403, "SignatureDoesNotMatch")


# ---- POST policies ----


def post_form(s3: LocalS3, key: str, conditions: list[Any], expires_in: int = 60) -> dict[str, Any]:
    return dict(
        s3.client().generate_presigned_post(
            BUCKET, key, Fields={"Content-Type": "image/png"}, Conditions=conditions, ExpiresIn=expires_in
        )
    )


def test_a_post_policy_checks_its_length_range_key_prefix_and_fields(s3: LocalS3) -> None:
    # GIVEN a form for keys under uploads/ of 2 to 10 bytes of image/png
    conditions = [
        ["starts-with", "$key", "uploads/"],
        {"Content-Type": "image/png"},
        ["content-length-range", 2, 10],
    ]
    form = post_form(s3, "uploads/${filename}", conditions)
    fields = {**form["fields"], "key": "uploads/a.png"}

    def post(data: dict[str, str], file: bytes) -> requests.Response:
        return requests.post(form["url"], data=data, files={"file": ("a.png", file)}, timeout=10)

    # THEN only uploads inside the policy are stored
    assert post(fields, b"12345").status_code == 204
    assert s3_error(post(fields, b"1"))[:2] == (400, "EntityTooSmall")
    assert s3_error(post(fields, b"12345678901"))[:2] == (400, "EntityTooLarge")
    outside = s3_error(post({**fields, "key": "other/a.png"}, b"12345"))
    assert outside == (
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]',
    )
    html = s3_error(post({**fields, "Content-Type": "text/html"}, b"12345"))
    assert html[:2] == (403, "AccessDenied") and "Content-Type" in html[2]
    extra = s3_error(post({**fields, "x-amz-meta-owner": "me"}, b"12345"))
    assert extra == (403, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-owner")
    forged = s3_error(post({**fields, "x-amz-signature": "0" * 64}, b"12345"))
    assert forged[:2] == (403, "SignatureDoesNotMatch")
    names = [o["Key"] for o in s3.client().list_objects_v2(Bucket=BUCKET, Prefix="")["Contents"]]
    assert "uploads/a.png" in names and "other/a.png" not in names


def test_an_expired_post_policy_and_an_anonymous_post_are_refused(
    s3: LocalS3, s3_a_day_later: LocalS3
) -> None:
    form = post_form(s3, "uploads/late.png", [{"Content-Type": "image/png"}], expires_in=3600)
    late = requests.post(
        form["url"].replace(s3.endpoint, s3_a_day_later.endpoint),
        data=form["fields"],
        files={"file": ("a.png", b"png")},
        timeout=10,
    )
    assert s3_error(late) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    anonymous = requests.post(
        f"{s3.endpoint}/{BUCKET}",
        data={"key": "uploads/anon.png"},
        files={"file": ("a.png", b"png")},
        timeout=10,
    )
    assert s3_error(anonymous) == (403, "AccessDenied", "Access Denied")


def multipart(url: str, parts: list[tuple[str, Any]]) -> requests.Response:
    """A form whose parts go in the given order: (name, value) fields, and ("file", (name, bytes))."""
    files = [(name, value if isinstance(value, tuple) else (None, value)) for name, value in parts]
    return requests.post(url, files=files, timeout=10)


def test_a_field_sent_twice_in_another_case_cannot_change_the_checked_key(s3: LocalS3) -> None:
    form = post_form(s3, "uploads/avatar.png", [{"Content-Type": "image/png"}])
    signed = [(name, value) for name, value in form["fields"].items() if name != "key"]
    # GIVEN the signed form's key sent as `Key`, and then a `key` field naming another object
    response = multipart(
        form["url"],
        [("Key", "uploads/avatar.png"), *signed, ("key", "admin/config.json"), ("file", ("a.png", b"pwned"))],
    )
    # THEN S3 matches the two values joined (as it joins repeated fields), which the policy refuses
    assert s3_error(response)[:2] == (403, "AccessDenied")
    listed = s3.client().list_objects_v2(Bucket=BUCKET, Prefix="admin/").get("Contents", [])
    assert listed == []


def test_fields_after_the_file_are_ignored(s3: LocalS3) -> None:
    form = post_form(s3, "uploads/after.png", [{"Content-Type": "image/png"}])
    # GIVEN a signed form whose file is followed by a Content-Type and a metadata field the policy never allowed
    response = multipart(
        form["url"],
        [
            *form["fields"].items(),
            ("file", ("a.png", b"png!")),
            ("Content-Type", "text/html"),
            ("x-amz-meta-role", "admin"),
        ],
    )
    # THEN the upload is stored as the policy allowed it, without what followed the file
    assert response.status_code == 204
    stored = s3.client().head_object(Bucket=BUCKET, Key="uploads/after.png")
    assert stored["ContentType"] == "image/png" and stored["Metadata"] == {}
    assert s3.client().get_object(Bucket=BUCKET, Key="uploads/after.png")["Body"].read() == b"png!"


def test_the_file_name_is_put_in_the_key_before_the_policy_is_checked(s3: LocalS3) -> None:
    # GIVEN a policy for exactly uploads/photo.png, and a form whose key is uploads/${filename}
    form = post_form(
        s3, "uploads/${filename}", [["eq", "$key", "uploads/photo.png"], {"Content-Type": "image/png"}]
    )
    ok = multipart(form["url"], [*form["fields"].items(), ("file", ("pictures/photo.png", b"png"))])
    # THEN the key as expanded (the name after its last separator) is what the policy checks, and what is stored
    assert ok.status_code == 204, ok.text
    assert s3.client().get_object(Bucket=BUCKET, Key="uploads/photo.png")["Body"].read() == b"png"
    other = multipart(form["url"], [*form["fields"].items(), ("file", ("other.png", b"png"))])
    assert s3_error(other)[:2] == (403, "AccessDenied")


def test_success_action_status_201_answers_with_s3s_document(s3: LocalS3) -> None:
    key = "uploads/created file.png"
    form = post_form(s3, key, [{"success_action_status": "201"}, {"Content-Type": "image/png"}])
    fields = {**form["fields"], "success_action_status": "201"}
    response = multipart(form["url"], [*fields.items(), ("file", ("a.png", b"png!"))])
    assert response.status_code == 201
    document = ElementTree.fromstring(response.content)
    etag = f'"{hashlib.md5(b"png!").hexdigest()}"'
    assert document.tag == "PostResponse"
    assert (document.findtext("Bucket"), document.findtext("Key"), document.findtext("ETag")) == (
        BUCKET,
        key,
        etag,
    )
    assert document.findtext("Location", "").endswith(f"/{BUCKET}/uploads/created%20file.png")
    assert response.headers["ETag"] == etag == s3.client().head_object(Bucket=BUCKET, Key=key)["ETag"]


@pytest.mark.parametrize(("asked", "answered"), [("200", 200), ("201", 201), ("500", 204), ("302", 204)])
def test_success_action_status_is_200_201_or_else_204(s3: LocalS3, asked: str, answered: int) -> None:
    form = post_form(
        s3, f"uploads/status-{asked}.png", [{"success_action_status": asked}, {"Content-Type": "image/png"}]
    )
    fields = {**form["fields"], "success_action_status": asked}
    response = multipart(form["url"], [*fields.items(), ("file", ("a.png", b"png"))])
    assert response.status_code == answered


# ---- anonymous requests ----


def test_anonymous_requests_are_refused_but_cors_preflights_are_answered(s3: LocalS3) -> None:
    s3.client().put_object(Bucket=BUCKET, Key="anon/a.txt", Body=b"x")
    for method, path in (
        ("GET", f"/{BUCKET}?list-type=2"),
        ("GET", f"/{BUCKET}/anon/a.txt"),
        ("GET", "/"),
        ("PUT", f"/{BUCKET}/anon/b.txt"),
        ("DELETE", f"/{BUCKET}/anon/a.txt"),
    ):
        answer = requests.request(method, s3.endpoint + path, data=b"", timeout=10)
        assert s3_error(answer) == (403, "AccessDenied", "Access Denied"), (method, path)
    head = requests.head(f"{s3.endpoint}/{BUCKET}/anon/a.txt", timeout=10)
    assert (head.status_code, head.content) == (403, b"")
    preflight = requests.options(
        f"{s3.endpoint}/{BUCKET}/anon/a.txt",
        headers={"Origin": "http://127.0.0.1:1", "Access-Control-Request-Method": "PUT"},
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://127.0.0.1:1")
    assert s3.client().get_object(Bucket=BUCKET, Key="anon/a.txt")["Body"].read() == b"x"


def test_only_the_s3_part_of_moto_is_gated(s3: LocalS3) -> None:
    # GIVEN moto's SQS on the same port, THEN it answers signed requests as before
    sqs = boto3.client(
        "sqs",
        endpoint_url=s3.endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
    )
    assert "QueueUrl" in sqs.create_queue(QueueName="gate-neighbour")
    assert urlsplit(s3.endpoint).hostname == "127.0.0.1"
