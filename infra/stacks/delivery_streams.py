"""Firehose delivery streams on AWS, from the same `[delivery_streams]` the local runtime runs: a Kinesis
stream as source, an extended S3 destination with the prefixes, buffering hints and compression of
`appsync.toml` (Firehose's own values, not the local overrides), the transform as a Lambda processor, error
logging to CloudWatch Logs, and a role allowed exactly that."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from appdef import AppConfig
from appdef.delivery_streams import DeliveryStreamConfig

from .functions import Resources
from .storage import pascal


def build_delivery_streams(
    scope: Construct, app: AppConfig, functions: dict[str, lambda_.Function], resources: Resources
) -> dict[str, firehose.CfnDeliveryStream]:
    """Every delivery stream of the app, by name."""
    return {
        name: _delivery_stream(scope, stream, functions, resources)
        for name, stream in app.delivery_streams.items()
    }


def _delivery_stream(
    scope: Construct,
    stream: DeliveryStreamConfig,
    functions: dict[str, lambda_.Function],
    resources: Resources,
) -> firehose.CfnDeliveryStream:
    base = f"{pascal(stream.name)}DeliveryStream"
    source = resources.streams[stream.source_stream]
    bucket = resources.buckets[stream.bucket]
    log_group = logs.LogGroup(
        scope, f"{base}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
    )
    log_stream = logs.LogStream(
        scope, f"{base}S3Delivery", log_group=log_group, removal_policy=RemovalPolicy.DESTROY
    )
    role = iam.Role(
        scope,
        f"{base}Role",
        assumed_by=iam.ServicePrincipal(
            "firehose.amazonaws.com", conditions={"StringEquals": {"sts:ExternalId": Stack.of(scope).account}}
        ),
        description=f"Firehose {stream.name}: reads {stream.source_stream}, writes {stream.bucket}",
    )
    source.grant_read(
        role
    )  # kinesis:DescribeStream*, GetShardIterator, GetRecords, ListShards (+ KMS decrypt)
    bucket.grant_put(role)
    role.add_to_policy(
        iam.PolicyStatement(
            actions=[
                "s3:AbortMultipartUpload",
                "s3:GetBucketLocation",
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
            ],
            resources=[bucket.bucket_arn],
        )
    )
    log_group.grant_write(role)
    processing = None
    if stream.transform is not None:
        transform = functions[stream.transform]
        transform.grant_invoke(role)
        parameters = {
            "LambdaArn": transform.function_arn,
            "BufferSizeInMBs": _number(stream.transform_buffer_size_mb),
            "BufferIntervalInSeconds": str(stream.transform_buffer_interval_seconds),
            "NumberOfRetries": str(stream.transform_retries),
        }
        processing = firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
            enabled=True,
            processors=[
                firehose.CfnDeliveryStream.ProcessorProperty(
                    type="Lambda",
                    parameters=[
                        firehose.CfnDeliveryStream.ProcessorParameterProperty(
                            parameter_name=k, parameter_value=v
                        )
                        for k, v in parameters.items()
                    ],
                )
            ],
        )
    delivery = firehose.CfnDeliveryStream(
        scope,
        base,
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
            kinesis_stream_arn=source.stream_arn, role_arn=role.role_arn
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn,
            role_arn=role.role_arn,
            prefix=stream.prefix or None,
            error_output_prefix=stream.error_prefix or None,
            buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                size_in_m_bs=stream.buffer_size_mb, interval_in_seconds=stream.buffer_interval_seconds
            ),
            compression_format=stream.compression,
            cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                enabled=True,
                log_group_name=log_group.log_group_name,
                log_stream_name=log_stream.log_stream_name,
            ),
            processing_configuration=processing,
        ),
    )
    # The role's policy must exist before Firehose checks it, when the stream is created.
    delivery.node.add_dependency(role)
    return delivery


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
