"""`[tables]`, `[buckets]`, `[data_sources]` and `[pipelines]`: what resolvers read and write."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from .base import Definition, Name, StrictBool, StrictStr, Text, named
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


class BucketConfig(Definition):
    """An S3 bucket: private always; served through CloudFront when `cdn` is true."""

    name: SkipJsonSchema[str] = named()
    description: Text = ""
    cors: StrictBool = Field(False, description="Browsers may PUT/GET with presigned URLs from any origin.")
    cdn: StrictBool = Field(False, description="Served only through CloudFront (origin access control).")
    notifications: tuple[BucketNotification, ...] = Field(
        (), description="S3 event notifications to queues (`[[buckets.<name>.notifications]]`)."
    )


class DataSourceConfig(Definition):
    """A data source of the APPSYNC_JS resolvers (Lambda functions are data sources of their own)."""

    name: SkipJsonSchema[str] = named()
    type: Literal["AMAZON_DYNAMODB", "NONE"]
    table: StrictStr | None = Field(None, description="AMAZON_DYNAMODB: a table of `[tables]`.")


FieldKey = Annotated[StrictStr, Field(pattern=r"^[_A-Za-z]\w*\.[_A-Za-z]\w*$")]


class PipelineConfig(Definition):
    """A pipeline resolver (`[pipelines."Type.field"]`): the AppSync functions it runs, in order."""

    field: SkipJsonSchema[str] = named()
    functions: tuple[Name, ...] = Field(min_length=1, max_length=10)
