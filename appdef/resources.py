"""`[tables]`, `[buckets]`, `[data_sources]` and `[pipelines]`: what resolvers read and write."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from .base import Definition, Name, StrictBool, StrictInt, StrictStr, Text, named
from .caching import ResolverCachingConfig
from .events import BucketNotification


class KeyAttribute(Definition):
    """A key attribute: its name and DynamoDB type."""

    name: Annotated[StrictStr, Field(min_length=1, max_length=255)]
    type: Literal["S", "N", "B"]


class IndexConfig(Definition):
    """A global secondary index."""

    name: SkipJsonSchema[str] = named()
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"


class TableConfig(Definition):
    """A DynamoDB table: keys, GSIs, stream and TTL (the same definition locally and deployed)."""

    name: SkipJsonSchema[str] = named()
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    global_secondary_indexes: dict[Name, IndexConfig] = Field(default_factory=dict)
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = Field(
        None, description="The table's stream view type; none = no stream."
    )
    ttl_attribute: StrictStr | None = Field(
        None, description="An epoch-seconds attribute DynamoDB expires items by."
    )

    @property
    def indexes(self) -> tuple[IndexConfig, ...]:
        return tuple(self.global_secondary_indexes.values())

    def attribute_definitions(self) -> list[dict[str, str]]:
        """Every key attribute of the table and its indexes, once each (DynamoDB's CreateTable form)."""
        seen: dict[str, str] = {}
        keys = [self.partition_key, self.sort_key]
        for index in self.indexes:
            keys += [index.partition_key, index.sort_key]
        for key in keys:
            if key is not None:
                seen.setdefault(key.name, key.type)
        return [{"AttributeName": n, "AttributeType": t} for n, t in seen.items()]


# S3's rules: 3-63 characters, lower-case letters, digits, dots and hyphens, a letter or digit at each end.
BucketName = Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]


PathPattern = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.\-*?][A-Za-z0-9_.\-/*?]*$", max_length=255)]


class SignedUrlsConfig(Definition):
    """CloudFront signed URLs for a `cdn = true` bucket: only requests signed with a trusted key are served.

    Deployed, the stack makes the key pair: the private key goes into the secret, the public key into a
    CloudFront key group the distribution trusts. Locally, the runtime makes a pair under the data folder,
    puts the private key into the local Secrets Manager under the same name, and its CDN trusts the public key.
    """

    secret: Name = Field(
        description="The Secrets Manager secret holding the private key (PEM) that signs URLs."
    )
    public_paths: tuple[PathPattern, ...] = Field(
        (),
        description="CloudFront path patterns (`*` any characters, `?` one) served without a signature: "
        "`posters/*`.",
    )


ConfigKey = Annotated[StrictStr, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
ConfigFile = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.\-]+\.json$")]


class BucketContent(Definition):
    """Files a bucket serves, from a folder of the project (a static site): deployed with the stack, synced
    into the local bucket when the runtime starts (removed files are removed)."""

    folder: StrictStr = Field(description="The folder, relative to appsync.toml.")
    cache_control: StrictStr = Field(
        "public, max-age=300", description="The Cache-Control header every file is served with."
    )
    config_file: ConfigFile | None = Field(
        None, description="A JSON file written next to the files, holding `config` with references resolved."
    )
    config: dict[ConfigKey, StrictStr] = Field(
        default_factory=dict,
        description='What the site needs to know, by reference: `{ graphqlUrl = "${api:graphql_url}" }`.',
    )


class ExpirationRule(Definition):
    """An S3 lifecycle rule: objects under `prefix` are deleted `days` after they were written."""

    prefix: Annotated[StrictStr, Field(max_length=1024)] = ""
    days: StrictInt = Field(ge=1, le=36_500)


class BucketConfig(Definition):
    """An S3 bucket: private always; served through CloudFront when `cdn` is true."""

    name: SkipJsonSchema[str] = named()
    description: Text = ""
    cors: StrictBool = Field(False, description="Browsers may PUT/GET with presigned URLs from any origin.")
    cdn: StrictBool = Field(False, description="Served only through CloudFront (origin access control).")
    signed_urls: SignedUrlsConfig | None = Field(
        None, description="CloudFront serves only signed URLs (a trusted key group), but for `public_paths`."
    )
    content: BucketContent | None = Field(None, description="Files the bucket serves, from a project folder.")
    expire: tuple[ExpirationRule, ...] = Field(
        (),
        description='Lifecycle rules, deployed: `[{ prefix = "athena/", days = 7 }]`. The local S3 keeps every '
        "object (delete `.data/s3/` to start afresh).",
    )
    notifications: tuple[BucketNotification, ...] = Field(
        (), description="S3 event notifications to queues (`[[buckets.<name>.notifications]]`)."
    )


FieldKey = Annotated[StrictStr, Field(pattern=r"^[_A-Za-z]\w*\.[_A-Za-z]\w*$")]


class DataSourceConfig(Definition):
    """A data source of the APPSYNC_JS resolvers (Lambda functions are data sources of their own)."""

    name: SkipJsonSchema[str] = named()
    type: Literal["AMAZON_DYNAMODB", "NONE"]
    table: StrictStr | None = Field(None, description="AMAZON_DYNAMODB: a table of `[tables]`.")
    access: tuple[Annotated[StrictStr, Field(pattern=r"^dynamodb:[A-Za-z]+$")], ...] | None = Field(
        None,
        description="Least privilege, deployed: the DynamoDB actions the data source's role may use on its table "
        '(e.g. `["dynamodb:BatchGetItem"]`); without it, read and write.',
    )
    caching: dict[FieldKey, ResolverCachingConfig] = Field(
        default_factory=dict,
        description="Per-resolver caching of the unit resolvers under `resolvers/js/<this data source>/`, by "
        'field: `{ "Query.getMedia" = { ttl_seconds = 60, caching_keys = ["$context.arguments.id"] } }`.',
    )


class PipelineConfig(Definition):
    """A pipeline resolver (`[pipelines."Type.field"]`): the AppSync functions it runs, in order."""

    field: SkipJsonSchema[str] = named()
    functions: tuple[Name, ...] = Field(min_length=1, max_length=10)
    caching: ResolverCachingConfig | None = Field(
        None, description="Per-resolver caching of this resolver (`[api.cache]` PER_RESOLVER_CACHING)."
    )
