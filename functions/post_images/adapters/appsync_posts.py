"""``PostImages`` on the AppSync API: `attachPostImage`, signed with SigV4 (IAM is the only mode it allows).

The mutation selects every field of the post, because `onUpdatePost` subscribers receive the mutation's
selection set (a field it does not select reaches them as null) and the subscription's filter reads `status`,
`id` and `authorId` from it.
"""

from __future__ import annotations

from typing import Any

from functions.post_images.domain.errors import StaleUpload
from functions.post_images.domain.models import PostImage
from subscriptions.appsync_client import AppSyncError, execute

ATTACH_POST_IMAGE = """
mutation AttachPostImage($input: AttachPostImageInput!) {
  attachPostImage(input: $input) {
    id authorId title body tags status createdAt updatedAt publishedAt
    photoUrl thumbnailUrl imageStatus imageError thumbnails { width height url }
    author { id name bio }
  }
}
"""
# What the API answers when the post is missing or awaits another upload (a condition of the write).
_STALE = frozenset({"NotFoundError", "ConflictError"})


class AppSyncPostImages:
    """Calls `attachPostImage` on one API.

    Parameters
    ----------
    graphql_url
        The API's GraphQL endpoint.
    region
        The region requests are signed for.
    """

    def __init__(self, graphql_url: str, region: str) -> None:
        self._url = graphql_url
        self._region = region

    def attach(self, image: PostImage) -> dict[str, Any]:
        try:
            data = execute(ATTACH_POST_IMAGE, {"input": image.to_input()}, url=self._url, region=self._region)
        except AppSyncError as exc:
            if exc.error_types and exc.error_types <= _STALE:
                raise StaleUpload(str(exc)) from None
            raise
        return dict(data["attachPostImage"])
