"""Fields of ``Mutation`` served by the post-photos function."""

from __future__ import annotations

from typing import Any

from resolvers.post_photos import presenters
from resolvers.post_photos.bootstrap import services
from resolvers.post_photos.routers.identity import caller_sub
from resolvers.routing import Router

router = Router()


@router.resolver(type_name="Mutation", field_name="createPostImageUploadUrl")
def create_post_image_upload_url(postId: str, contentType: str) -> dict[str, Any]:
    """A presigned POST for a new photo of one of the caller's posts."""
    upload = services().photos.create_upload_url(caller_sub(router.current_event), postId, contentType)
    return presenters.post_image_upload(upload)
