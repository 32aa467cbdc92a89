"""`[delivery_streams.<name>]`: Firehose delivery streams from a Kinesis stream of `[streams]`, through an
optional Lambda transform, to a bucket of `[buckets]` (D13).

Deployed, each is a Firehose delivery stream (KinesisStreamAsSource, ExtendedS3DestinationConfiguration with a
Lambda processor); locally, the event engine reads the stream, buffers, invokes the transform with Firehose's
event and writes the objects Firehose would write. The settings and their ranges are Firehose's: S3
BufferingHints 1-128 MB (5) and 0-900 s (300) (fh-buffer); the Lambda processor's BufferSizeInMBs 0.2-3 (1),
BufferIntervalInSeconds 0-900 (60) and NumberOfRetries (3) (fh-transform, API ProcessorParameter).
`[local.delivery_streams.<name>]` shortens the buffering for local runs only.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictFloat, model_validator
from pydantic.json_schema import SkipJsonSchema

from .base import Definition, Name, StrictInt, StrictStr, named
from .firehose_prefixes import PrefixError, S3Prefixes

COMPRESSION_EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz"}


class DeliveryStreamConfig(Definition):
    """A Firehose delivery stream: a Kinesis stream's records, buffered, transformed, written to S3."""

    name: SkipJsonSchema[str] = named()
    source_stream: Name = Field(description="A stream of `[streams]` (Firehose reads every shard).")
    transform: Name | None = Field(
        None,
        description="A function of `[functions]`: Firehose's Lambda processor (records in, "
        "Ok/Dropped/ProcessingFailed out).",
    )
    bucket: StrictStr = Field(description="A bucket of `[buckets]`.")
    prefix: StrictStr = Field(
        "",
        description="Firehose's Prefix, with `!{timestamp:…}` and `!{firehose:random-string}`; without a "
        "timestamp expression `yyyy/MM/dd/HH/` is appended.",
    )
    error_prefix: StrictStr | None = Field(
        None,
        description="Firehose's ErrorOutputPrefix, with `!{firehose:error-output-type}` when it has "
        "expressions; required when `prefix` has expressions.",
    )
    buffer_size_mb: StrictInt = Field(5, ge=1, le=128, description="S3 buffering hint (MiB).")
    buffer_interval_seconds: StrictInt = Field(300, ge=0, le=900, description="S3 buffering hint.")
    compression: Literal["UNCOMPRESSED", "GZIP"] = "UNCOMPRESSED"
    transform_buffer_size_mb: StrictInt | StrictFloat = Field(
        1, ge=0.2, le=3, description="The Lambda processor's BufferSizeInMBs."
    )
    transform_buffer_interval_seconds: StrictInt = Field(
        60, ge=0, le=900, description="The Lambda processor's BufferIntervalInSeconds."
    )
    transform_retries: StrictInt = Field(
        3, ge=0, le=300, description="The Lambda processor's NumberOfRetries after a failed invocation."
    )

    @model_validator(mode="after")
    def _prefixes(self) -> DeliveryStreamConfig:
        try:
            S3Prefixes.parse(self.prefix, self.error_prefix)
        except PrefixError as exc:
            raise ValueError(str(exc)) from None
        return self

    @property
    def prefixes(self) -> S3Prefixes:
        return S3Prefixes.parse(self.prefix, self.error_prefix)

    @property
    def extension(self) -> str:
        return COMPRESSION_EXTENSIONS[self.compression]

    def with_local(self, local: LocalDeliveryStream | None) -> DeliveryStreamConfig:
        """This stream as the local runtime runs it: `[local.delivery_streams.<name>]`'s values win."""
        if local is None:
            return self
        changes: dict[str, Any] = local.model_dump(exclude_none=True, exclude={"name"})
        return self.model_copy(update=changes)


class LocalDeliveryStream(Definition):
    """Local-only buffering of a delivery stream, so that a local run flushes in seconds."""

    name: SkipJsonSchema[str] = named()
    buffer_size_mb: StrictInt | None = Field(None, ge=1, le=128)
    buffer_interval_seconds: StrictInt | None = Field(None, ge=0, le=900)
