"""A post's photo, as an author's app adds one (Cognito user pools, a member of `authors`): create a draft post,
ask for an upload URL (createPostImageUploadUrl), POST the file to S3 with it, then wait for the thumbnails.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_ID_TOKEN=$(.venv/bin/python -m appsync_local token alice)   # alice is in `authors`
    .venv/bin/python client-examples/upload_post_photo.py --file photo.jpg [--title …] [--timeout 60]

The upload is an HTML-form style POST (multipart/form-data): the form fields the API returns, then the file.
S3 checks them against the signed policy: that key only, that content type only, at most maxBytes.
The thumbnails are made after the upload; the example reads the post until its imageStatus is READY or
FAILED (`--no-wait` stops after the upload). A published post's subscribers hear of it on onUpdatePost.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

import requests
from _env import arguments, graphql_url, host, id_token, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncJWTAuthentication

CREATE_POST = """
mutation CreatePost($input: CreatePostInput!) {
  createPost(input: $input) { id title status }
}
"""
UPLOAD_URL = """
mutation UploadUrl($postId: ID!, $contentType: String!) {
  createPostImageUploadUrl(postId: $postId, contentType: $contentType) { url fields key expiresAt maxBytes }
}
"""
GET_POST = """
query GetPost($id: ID!) {
  getPost(id: $id) { id imageStatus imageError photoUrl thumbnailUrl thumbnails { width height url } }
}
"""


def post_form(upload: dict[str, Any], photo: Path, content_type: str) -> None:
    """POST the form fields, then the file, to the presigned URL (S3 wants the file last)."""
    with photo.open("rb") as file:
        answer = requests.post(
            upload["url"],
            data=json.loads(upload["fields"]),
            files={"file": (photo.name, file, content_type)},
            timeout=60,
        )
    if answer.status_code not in (200, 201, 204):
        sys.exit(f"error: S3 refused the upload: HTTP {answer.status_code}: {answer.text[:500]}")


async def main(photo: Path | None, title: str, wait: bool, timeout: float) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=id_token())
    if photo is None or not photo.is_file():
        sys.exit("error: give the photo to upload with --file PATH (a JPEG, PNG, WebP or GIF)")
    content_type = mimetypes.guess_type(photo.name)[0] or "application/octet-stream"
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        draft = {"input": {"title": title, "body": f"A post about {photo.name}.", "tags": ["photos"]}}
        post = (await session.execute(GraphQLRequest(CREATE_POST, variable_values=draft)))["createPost"]
        asked = {"postId": post["id"], "contentType": content_type}
        upload = (await session.execute(GraphQLRequest(UPLOAD_URL, variable_values=asked)))[
            "createPostImageUploadUrl"
        ]
        await asyncio.to_thread(post_form, upload, photo, content_type)
        result: dict[str, Any] = {
            "post": post,
            "upload": {"key": upload["key"], "maxBytes": upload["maxBytes"]},
        }
        if wait:
            result["image"] = await thumbnails_of(session, post["id"], timeout)
        print_json(result)


async def thumbnails_of(session: Any, post_id: str, timeout: float) -> dict[str, Any]:
    """The post's image once the thumbnail pipeline is done with the upload (READY or FAILED)."""
    deadline = time.monotonic() + timeout
    while True:
        image = (await session.execute(GraphQLRequest(GET_POST, variable_values={"id": post_id})))["getPost"]
        if image["imageStatus"] in ("READY", "FAILED"):
            return dict(image)
        if time.monotonic() > deadline:
            sys.exit(
                f"error: no thumbnails after {timeout:g} seconds (imageStatus is {image['imageStatus']})"
            )
        await asyncio.sleep(1)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--file", type=Path, help="the photo to upload (JPEG, PNG, WebP or GIF)")
    parser.add_argument("--title", default="A post with a photo")
    parser.add_argument(
        "--no-wait", dest="wait", action="store_false", help="stop once the photo is uploaded"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="how long to wait for the thumbnails")
    args = parser.parse_args()
    run(main(args.file, args.title, args.wait, args.timeout))
