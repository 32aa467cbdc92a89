"""Where the local AWS services listen, and how boto3 is pointed at them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

# A dead endpoint should fail in seconds, not after botocore's default retries and 60 s timeouts.
CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=15,
    retries={"max_attempts": 2, "mode": "standard"},
    s3={"addressing_style": "path"},
)

DUMMY_ACCESS_KEY_ID = "local"
DUMMY_SECRET_ACCESS_KEY = "local"


@dataclass
class Endpoints:
    """The URLs of the local services; `environment()` turns them into the standard AWS_* variables.

    Parameters
    ----------
    dynamodb:
        DynamoDB (and DynamoDB Streams) endpoint: DynamoDB Local, or moto when chosen.
    s3, sts:
        S3 and STS endpoints (moto).
    moto:
        moto's server, which also serves SQS, SES, Secrets Manager and Cognito user pools.
    kinesis:
        Kinesis Data Streams: kinesalite, run when the app has streams; empty otherwise (boto3 is then
        pointed at moto's Kinesis, which keeps nothing across restarts).
    region:
        The region every client uses.
    athena:
        The local Athena (`appsync_local.athena`), when the app has `[analytics]`.
    """

    dynamodb: str
    s3: str
    sts: str
    moto: str
    kinesis: str = ""
    region: str = "us-east-1"
    athena: str = ""

    def environment(self) -> dict[str, str]:
        """AWS_ENDPOINT_URL_<SERVICE>, the region, and the local dummy credentials."""
        env = {
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb,
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": self.dynamodb,
            "AWS_ENDPOINT_URL_S3": self.s3,
            "AWS_ENDPOINT_URL_STS": self.sts,
            "AWS_ENDPOINT_URL_SQS": self.moto,
            "AWS_ENDPOINT_URL_SES": self.moto,
            "AWS_ENDPOINT_URL_SESV2": self.moto,
            "AWS_ENDPOINT_URL_KINESIS": self.kinesis or self.moto,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.moto,  # boto3 names it after the service id
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": self.moto,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }
        if self.athena:
            env["AWS_ENDPOINT_URL_ATHENA"] = self.athena  # botocore: service id "Athena"
        # Always the local credentials: the local S3 verifies signatures and knows no real secret, and a
        # developer's real credentials are never sent to local services. An empty token is no token to botocore.
        env["AWS_ACCESS_KEY_ID"] = DUMMY_ACCESS_KEY_ID
        env["AWS_SECRET_ACCESS_KEY"] = DUMMY_SECRET_ACCESS_KEY
        env["AWS_SESSION_TOKEN"] = ""
        return env


def local_session(region: str) -> boto3.Session:
    """A boto3 session with dummy credentials, so no real AWS credentials are ever sent to local services."""
    return boto3.Session(
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        region_name=region,
    )


def client(session: boto3.Session, service: str, endpoint: str) -> Any:
    """A boto3 client for `service` at `endpoint`, failing fast when nothing answers there."""
    return session.client(service, endpoint_url=endpoint, config=CLIENT_CONFIG)


def resource(session: boto3.Session, service: str, endpoint: str) -> Any:
    """A boto3 resource for `service` at `endpoint`, failing fast when nothing answers there."""
    return session.resource(service, endpoint_url=endpoint, config=CLIENT_CONFIG)
