"""Files: presigned S3 URLs inside the caller's private folder."""

from __future__ import annotations

import strawberry

from schema.aws_directives import aws_cognito_user_pools
from schema.aws_scalars import AWSURL, AWSDateTime


@strawberry.type(
    description="A short-lived presigned S3 URL inside the caller's private folder users/<sub>/.",
    directives=[aws_cognito_user_pools()],
)
class FileUrl:
    key: str = strawberry.field(description="The object's key, relative to the caller's folder.")
    url: AWSURL
    method: str = strawberry.field(description="The HTTP method to use: PUT for uploads, GET for downloads.")
    expires_at: AWSDateTime


@strawberry.type
class FileQueries:
    """The Query fields about files."""

    @strawberry.field(description="A URL to download one of the caller's files.")
    def file_download_url(self, key: str) -> FileUrl: ...


@strawberry.type
class FileMutations:
    """The Mutation fields about files."""

    @strawberry.field(description="A URL to upload a file into the caller's folder.")
    def create_file_upload_url(
        self, file_name: str, content_type: str | None = strawberry.UNSET
    ) -> FileUrl: ...
