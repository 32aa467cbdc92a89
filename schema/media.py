"""Premium media: a public catalog, files behind short-lived CloudFront signed URLs, and admin writes.

The catalog and its admin writes are APPSYNC_JS resolvers on the Media table (resolvers/js/media/); the
fields that sign something are the `media` Lambda (resolvers/media/): a playback URL (a CloudFront signed
URL, for entitled users only) and an upload URL (a presigned S3 PUT, for admins). A media item's file is
never public: the catalog holds no URL to it, and the bucket is read only by the CDN.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.aws_directives import aws_api_key, aws_cognito_user_pools, aws_iam
from schema.aws_scalars import AWSURL, AWSDateTime

# Who may read the catalog: the API key (public pages), IAM (backends) and any signed-in user.
_PUBLIC = [aws_api_key(), aws_iam(), aws_cognito_user_pools()]
# Who may change it: signed-in members of the `admins` group.
_ADMINS = [aws_cognito_user_pools(cognito_groups=["admins"])]


@strawberry.enum(
    description="Where a media item is: PENDING_UPLOAD until its file has arrived and been checked (also "
    "after a new upload URL is asked for), READY to play, or FAILED (statusReason says why)."
)
class MediaStatus(Enum):
    PENDING_UPLOAD = "PENDING_UPLOAD"
    READY = "READY"
    FAILED = "FAILED"


@strawberry.type(
    description="A video (or audio, or image) of the catalog. Its file is played through a signed URL "
    "(mediaPlaybackUrl), never from the catalog.",
    directives=_PUBLIC,
)
class Media:
    id: strawberry.ID
    title: str
    description: str | None
    duration_seconds: int | None
    content_type: str | None = strawberry.field(
        description="The file's media type (video/mp4, video/webm, …); null until a file is READY."
    )
    size: int | None = strawberry.field(description="The file's size in bytes; null until a file is READY.")
    thumbnail_url: AWSURL | None = strawberry.field(
        description="A public poster image on the CDN, made from an image upload; null otherwise."
    )
    premium: bool = strawberry.field(
        description="true: only premium subscribers and buyers of this item may play it; false: any "
        "signed-in user may."
    )
    status: MediaStatus
    status_reason: str | None = strawberry.field(description="Why the latest upload was refused (FAILED).")
    created_at: AWSDateTime
    updated_at: AWSDateTime


@strawberry.type(
    description="A page of the catalog, newest first; pass nextToken back for the next page (null on the "
    "last one).",
    directives=_PUBLIC,
)
class MediaConnection:
    items: list[Media]
    next_token: str | None


@strawberry.type(
    description="A CloudFront signed URL (custom policy) for one media file: it plays until expiresAt, and "
    "only that file.",
    directives=[aws_cognito_user_pools()],
)
class SignedUrl:
    url: AWSURL
    expires_at: AWSDateTime


@strawberry.type(
    description="A presigned S3 PUT for a media item's file: send exactly `size` bytes with the header "
    "Content-Type: `contentType` to `url` before `expiresAt`. The item is READY once the file is checked.",
    directives=_ADMINS,
)
class MediaUploadUrl:
    url: AWSURL
    method: str = strawberry.field(description="Always PUT.")
    content_type: str = strawberry.field(description="The Content-Type header the upload must carry.")
    size: int = strawberry.field(description="The number of bytes the upload must have.")
    expires_at: AWSDateTime


@strawberry.input(description="A new media item; it is PENDING_UPLOAD until its file arrives.")
class CreateMediaInput:
    title: str = strawberry.field(description="1 to 200 characters.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 5000 characters."
    )
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description="0 to 86400 (a day)."
    )
    premium: bool = strawberry.field(default=True, description="false makes it free for signed-in users.")


@strawberry.input(
    description="The media item to change and the fields to change; omitted fields keep their value."
)
class UpdateMediaInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.field(default=strawberry.UNSET, description="null removes it.")
    duration_seconds: int | None = strawberry.field(default=strawberry.UNSET, description="null removes it.")
    premium: bool | None = strawberry.UNSET


@strawberry.type
class MediaQueries:
    """The Query fields about media."""

    @strawberry.field(
        directives=_PUBLIC,
        description="A media item; null when it is missing, or not READY and the caller is not an admin.",
    )
    def get_media(self, id: strawberry.ID) -> Media | None: ...

    @strawberry.field(
        directives=_PUBLIC,
        description=(
            "The catalog, newest first: READY media. With status, admins list the PENDING_UPLOAD or FAILED "
            "items (Unauthorized for anyone else). limit defaults to 20 and is clamped to 1..100."
        ),
    )
    def list_media(
        self,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
        status: MediaStatus | None = strawberry.UNSET,
    ) -> MediaConnection: ...

    @strawberry.field(
        description=(
            "A short-lived signed URL that plays a READY media item's file through the CDN. Free items "
            "(premium: false) play for any signed-in user; premium ones for an active premium subscriber or "
            "a buyer of that item, and for anyone else the field is Unauthorized. NotFoundError when the item "
            "is missing; MediaNotReadyError while it is not READY."
        ),
    )
    def media_playback_url(self, id: strawberry.ID) -> SignedUrl | None: ...


@strawberry.type
class MediaMutations:
    """The Mutation fields about media: the catalog's writes are for members of `admins`."""

    @strawberry.field(directives=_ADMINS, description="Adds a media item (PENDING_UPLOAD).")
    def create_media(self, input: CreateMediaInput) -> Media: ...

    @strawberry.field(
        directives=_ADMINS,
        description=(
            "A presigned PUT for a media item's file: video/mp4, video/webm, audio/mpeg, image/jpeg, image/png "
            "or image/webp, of 1 byte up to the configured limit (ValidationError otherwise). The item becomes "
            "PENDING_UPLOAD until that upload is checked; an image upload also becomes its poster "
            "(thumbnailUrl). NotFoundError when the item is missing."
        ),
    )
    def create_media_upload_url(self, id: strawberry.ID, content_type: str, size: int) -> MediaUploadUrl: ...

    @strawberry.field(
        directives=_ADMINS, description="Changes a media item's details; NotFoundError when it is missing."
    )
    def update_media(self, input: UpdateMediaInput) -> Media: ...

    @strawberry.field(
        directives=_ADMINS,
        description="Removes a media item from the catalog and returns it; NotFoundError when it is missing. "
        "Its files stay in the bucket, where nothing signs URLs for them any more.",
    )
    def delete_media(self, id: strawberry.ID) -> Media | None: ...
