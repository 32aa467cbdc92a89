"""The blog: public reads of published posts, writes by members of the `authors` group on their own posts.

Served by APPSYNC_JS pipeline resolvers on DynamoDB (resolvers/js/pipelines/); `Post.author` has no resolver
of its own: each pipeline's last function fetches the page's distinct authors in one BatchGetItem.
A post's photo is uploaded with a presigned POST (`createPostImageUploadUrl`, the post-photos Lambda); the
event-driven functions make its thumbnails and report them with `attachPostImage` (IAM only).
"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.aws_directives import aws_api_key, aws_cognito_user_pools, aws_iam, aws_oidc, aws_subscribe
from schema.aws_scalars import AWSJSON, AWSURL, AWSDateTime
from schema.users import PublicProfile

# Who may read posts: the API key (public web pages), IAM (backends), any signed-in user and any caller
# with a token of the OIDC issuer (partners' apps).
_PUBLIC = [aws_api_key(), aws_iam(), aws_cognito_user_pools(), aws_oidc()]
# Who may write posts: signed-in members of the `authors` group, on their own posts only.
_AUTHORS = [aws_cognito_user_pools(cognito_groups=["authors"])]


@strawberry.enum(description="Where a post is in its life: drafts are visible to their author only.")
class PostStatus(Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


@strawberry.enum(
    description="Where a post's latest photo upload is: waiting, turned into thumbnails, or refused."
)
class PostImageStatus(Enum):
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


@strawberry.type(description="One size of a post's photo.", directives=_PUBLIC)
class PostThumbnail:
    width: int
    height: int
    url: AWSURL


@strawberry.type(description="A blog post.", directives=_PUBLIC)
class Post:
    id: strawberry.ID
    author_id: strawberry.ID = strawberry.field(description="The author's Cognito `sub`.")
    author: PublicProfile | None = strawberry.field(
        description="The author's public profile; null when the author has no profile yet."
    )
    title: str
    body: str
    tags: list[str] = strawberry.field(description="Lower-case, without repeats.")
    status: PostStatus
    created_at: AWSDateTime
    updated_at: AWSDateTime
    published_at: AWSDateTime | None = strawberry.field(description="When the post was first published.")
    photo_url: AWSURL | None = strawberry.field(description="The photo as it was uploaded (or as given).")
    thumbnail_url: AWSURL | None = strawberry.field(
        description="The smallest copy of the photo; null until it is made, and again when photoUrl changes."
    )
    thumbnails: list[PostThumbnail] | None = strawberry.field(
        description="Every size of the uploaded photo, smallest first; null until they are made."
    )
    image_status: PostImageStatus | None = strawberry.field(
        description="Where the latest photo upload is; null when none was asked for. photoUrl and the "
        "thumbnails keep the previous photo until a new one is READY."
    )
    image_error: str | None = strawberry.field(description="Why the latest upload was refused (FAILED).")


@strawberry.type(
    description="A presigned POST for a post's photo: send `fields` and then the file as multipart/form-data "
    "to `url` before `expiresAt`. The thumbnails follow; onUpdatePost tells when (published posts).",
    directives=[aws_cognito_user_pools()],
)
class PostImageUpload:
    url: AWSURL
    fields: AWSJSON = strawberry.field(
        description="The form fields to send before the file, as a JSON object."
    )
    key: str = strawberry.field(description="The photo's object key.")
    expires_at: AWSDateTime
    max_bytes: int = strawberry.field(description="The largest file S3 accepts with these fields.")


@strawberry.type(
    description="A page of posts, newest first; pass nextToken back for the next page (null on the last one).",
    directives=_PUBLIC,
)
class PostConnection:
    items: list[Post]
    next_token: str | None


@strawberry.input(description="A new post; it starts as a DRAFT.")
class CreatePostInput:
    title: str
    body: str
    tags: list[str] = strawberry.field(description="At most 10 tags of up to 40 characters.")
    photo_url: AWSURL | None = strawberry.UNSET


@strawberry.input(description="The post to change and the fields to change; omitted fields keep their value.")
class UpdatePostInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="null removes every tag.")
    photo_url: AWSURL | None = strawberry.field(
        default=strawberry.UNSET, description="null removes the photo."
    )


@strawberry.input(
    description="One size of a post's photo: its size and its object's key in the photos bucket."
)
class PostThumbnailInput:
    width: int
    height: int
    key: str


@strawberry.input(
    description="What became of the upload photoKey: READY with its thumbnails (the post shows the upload and "
    "them through the photos' CDN), or FAILED with error."
)
class AttachPostImageInput:
    post_id: strawberry.ID
    photo_key: str = strawberry.field(description="The upload's key; the post must still await this one.")
    status: PostImageStatus = strawberry.field(description="READY or FAILED.")
    thumbnails: list[PostThumbnailInput] | None = strawberry.UNSET
    error: str | None = strawberry.UNSET


@strawberry.type
class BlogQueries:
    """The Query fields about posts."""

    @strawberry.field(
        directives=_PUBLIC,
        description="A post; null when it is missing, or a draft and the caller is not its author.",
    )
    def get_post(self, id: strawberry.ID) -> Post | None: ...

    @strawberry.field(
        directives=_PUBLIC,
        description=(
            "Published posts, newest first; with authorId, that author's posts (their drafts too when the "
            "caller is that author). limit defaults to 20 and is clamped to 1..100. With tag, or with "
            "someone else's authorId, a page may hold fewer than limit posts while nextToken is not null: "
            "keep following nextToken."
        ),
    )
    def list_posts(
        self,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
        author_id: strawberry.ID | None = strawberry.UNSET,
        tag: str | None = strawberry.UNSET,
    ) -> PostConnection: ...


@strawberry.type
class BlogMutations:
    """The Mutation fields about posts: members of the `authors` group, on their own posts."""

    @strawberry.field(directives=_AUTHORS, description="Adds a DRAFT post by the caller.")
    def create_post(self, input: CreatePostInput) -> Post: ...

    @strawberry.field(
        directives=_AUTHORS,
        description="Changes one of the caller's posts; NotFoundError when it is missing or someone else's.",
    )
    def update_post(self, input: UpdatePostInput) -> Post: ...

    @strawberry.field(
        directives=_AUTHORS,
        description="Publishes one of the caller's posts; NotFoundError when it is missing or someone else's.",
    )
    def publish_post(self, id: strawberry.ID) -> Post: ...

    @strawberry.field(
        directives=_AUTHORS,
        description="Deletes one of the caller's posts and returns it; NotFoundError when it is missing or "
        "someone else's.",
    )
    def delete_post(self, id: strawberry.ID) -> Post | None: ...

    @strawberry.field(
        directives=_AUTHORS,
        description="A presigned POST for a new photo of one of the caller's posts (image/jpeg, image/png, "
        "image/webp or image/gif); the post's imageStatus becomes PENDING. NotFoundError when the post is "
        "missing or someone else's.",
    )
    def create_post_image_upload_url(self, post_id: strawberry.ID, content_type: str) -> PostImageUpload: ...

    @strawberry.field(
        directives=[aws_iam()],
        description="Records what became of a photo upload on its post (the thumbnail pipeline calls it; IAM "
        "only). NotFoundError when the post is missing, ConflictError when it awaits another upload.",
    )
    def attach_post_image(self, input: AttachPostImageInput) -> Post: ...


@strawberry.type
class BlogSubscriptions:
    """The Subscription fields about posts: only published posts ever reach subscribers."""

    @strawberry.field(
        directives=[aws_subscribe(mutations=["createPost", "publishPost"]), *_PUBLIC],
        description="Posts as they become public, optionally only one author's or those with one tag. "
        "The mutation must select status (and authorId/tags for those filters).",
    )
    def on_create_post(
        self, author_id: strawberry.ID | None = strawberry.UNSET, tag: str | None = strawberry.UNSET
    ) -> Post | None: ...

    @strawberry.field(
        directives=[aws_subscribe(mutations=["updatePost", "attachPostImage"]), *_PUBLIC],
        description="Published posts as they are edited or get their photo's thumbnails, optionally one post or "
        "one author's. The mutation must select status (and id/authorId for those filters).",
    )
    def on_update_post(
        self, id: strawberry.ID | None = strawberry.UNSET, author_id: strawberry.ID | None = strawberry.UNSET
    ) -> Post | None: ...
