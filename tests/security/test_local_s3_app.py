"""The local S3 checks what S3 checks, seen through the app's own URLs (issue 12, item 4).

Before: a presigned PUT moved to another user's folder still stored the file (200), a presigned GET whose
signature was replaced by ``0000`` still downloaded, and an unsigned ``GET /user-files?list-type=2`` listed
every user's files. Code that misused URLs passed locally and failed on AWS. Now each is refused with S3's
own error, and the URLs the API hands out keep working, from scripts and from browsers (CORS) alike.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from xml.etree import ElementTree

import requests
from gql import Client

from tests.contract.clients import run, user_client
from tests.contract.test_post_photos_contract import UPLOAD_URL, a_post
from tests.fixtures.live_server import LiveServer
from tests.functional.images import jpeg

UPLOAD = """
mutation($name: String!, $type: String) {
  createFileUploadUrl(fileName: $name, contentType: $type) { key url }
}"""
DOWNLOAD = "query($k: String!) { fileDownloadUrl(key: $k) { url } }"


def s3_error(response: requests.Response) -> tuple[int, str, str]:
    """The status, S3 error code and message of a refusal."""
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


def new_user(live_server: LiveServer, groups: list[str] | None = None) -> tuple[Client, str]:
    name = f"s3-{uuid.uuid4().hex[:8]}"
    return user_client(live_server.url, live_server.token(name, groups=groups)), live_server.sub(name)


def upload_url(client: Client, name: str, content_type: str | None = "text/plain") -> str:
    return str(run(client, UPLOAD, name=name, type=content_type)["createFileUploadUrl"]["url"])


def test_a_presigned_put_moved_to_another_users_folder_is_refused(live_server: LiveServer) -> None:
    # GIVEN Mallory's upload URL, and Alice's folder
    mallory, mallory_sub = new_user(live_server)
    alice, alice_sub = new_user(live_server)
    url = upload_url(mallory, "notes.txt")
    # WHEN Mallory points it at Alice's folder
    moved = url.replace(f"/users/{mallory_sub}/", f"/users/{alice_sub}/")
    assert moved != url
    answer = requests.put(moved, data=b"planted", headers={"content-type": "text/plain"}, timeout=10)
    # THEN S3 refuses it, and nothing was stored there; the URL as given still works
    assert s3_error(answer)[:2] == (403, "SignatureDoesNotMatch")
    assert (
        requests.put(url, data=b"mine", headers={"content-type": "text/plain"}, timeout=10).status_code == 200
    )
    alice_file = run(alice, DOWNLOAD, k="notes.txt")["fileDownloadUrl"]["url"]
    assert s3_error(requests.get(alice_file, timeout=10))[:2] == (404, "NoSuchKey")


def test_a_presigned_get_with_a_forged_signature_is_refused(live_server: LiveServer) -> None:
    # GIVEN a user's stored file and its download URL
    client, _ = new_user(live_server)
    assert requests.put(
        upload_url(client, "a.txt"), data=b"secret", headers={"content-type": "text/plain"}
    ).ok
    url = run(client, DOWNLOAD, k="a.txt")["fileDownloadUrl"]["url"]
    assert requests.get(url, timeout=10).content == b"secret"
    # WHEN its signature is replaced
    forged = re.sub(r"X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=0000", url)
    answer = requests.get(forged, timeout=10)
    # THEN S3 refuses it
    assert s3_error(answer)[:2] == (403, "SignatureDoesNotMatch")
    assert b"secret" not in answer.content


def test_an_unsigned_listing_of_the_user_files_bucket_is_refused(live_server: LiveServer) -> None:
    # GIVEN a file in some user's folder
    client, sub = new_user(live_server)
    assert requests.put(upload_url(client, "b.txt"), data=b"x", headers={"content-type": "text/plain"}).ok
    endpoint = urllib.parse.urlsplit(upload_url(client, "c.txt"))
    # WHEN anyone lists the bucket, or reads the file, without signing
    listing = requests.get(f"{endpoint.scheme}://{endpoint.netloc}/user-files?list-type=2", timeout=10)
    read = requests.get(f"{endpoint.scheme}://{endpoint.netloc}/user-files/users/{sub}/b.txt", timeout=10)
    # THEN both are AccessDenied (the bucket is private), and no key is revealed
    assert s3_error(listing) == (403, "AccessDenied", "Access Denied")
    assert s3_error(read) == (403, "AccessDenied", "Access Denied")
    assert sub not in listing.text


def test_a_presigned_put_with_another_content_type_than_signed_is_refused(live_server: LiveServer) -> None:
    # GIVEN an upload URL signed for text/plain
    client, _ = new_user(live_server)
    url = upload_url(client, "page.txt", "text/plain")
    # WHEN the upload says it is HTML
    answer = requests.put(url, data=b"<script>", headers={"content-type": "text/html"}, timeout=10)
    # THEN S3 refuses it
    assert s3_error(answer)[:2] == (403, "SignatureDoesNotMatch")


def test_a_photo_post_outside_its_policy_is_refused(live_server: LiveServer) -> None:
    # GIVEN an author's upload form for a post's photo (at most maxBytes, for one key)
    author, sub = new_user(live_server, groups=["authors"])
    upload = run(author, UPLOAD_URL, postId=a_post(author), contentType="image/jpeg")[
        "createPostImageUploadUrl"
    ]
    fields = json.loads(upload["fields"])
    # WHEN the file is larger than the policy allows, or the key is moved out of the author's folder
    too_large = requests.post(
        upload["url"], data=fields, files={"file": ("p.jpg", b"\xff" * (upload["maxBytes"] + 1))}, timeout=30
    )
    moved = requests.post(
        upload["url"],
        data={**fields, "key": upload["key"].replace(sub, "someone-else")},
        files={"file": ("p.jpg", jpeg(8, 8))},
        timeout=10,
    )
    # THEN S3 refuses both, saying why
    assert s3_error(too_large)[:2] == (400, "EntityTooLarge")
    status, code, message = s3_error(moved)
    assert (status, code) == (403, "AccessDenied")
    assert message.startswith("Invalid according to Policy: Policy Condition failed: ")
    assert '"$key"' in message


def test_a_refusal_carries_the_buckets_cors_headers_so_a_page_can_read_it(live_server: LiveServer) -> None:
    # GIVEN an upload URL, used from a web page (an Origin)
    client, _ = new_user(live_server)
    url = upload_url(client, "d.txt")
    origin = {"origin": "http://127.0.0.1:9999"}
    # WHEN the browser's preflight, and then a PUT the signature does not cover, are sent
    preflight = requests.options(
        url,
        headers={
            **origin,
            "access-control-request-method": "PUT",
            "access-control-request-headers": "content-type",
        },
    )
    refused = requests.put(url, data=b"x", headers={**origin, "content-type": "application/json"}, timeout=10)
    # THEN the preflight is allowed, and the refusal is readable by the page
    assert preflight.status_code == 200
    assert refused.status_code == 403
    assert refused.headers["access-control-allow-origin"] in ("*", origin["origin"])
