"""Where the local AWS services listen, and how boto3 is pointed at them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # boto3 is imported on first use: `make run` launches DynamoDB Local before it
    import boto3
    from botocore.config import Config
    from botocore.loaders import Loader

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


@functools.cache
def client_config() -> Config:
    """A dead endpoint should fail in seconds, not after botocore's default retries and 60 s timeouts."""
    from botocore.config import Config

    return Config(
        connect_timeout=2,
        read_timeout=15,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"},
    )


@functools.cache
def _shared_loader(data_path: str | None) -> Loader:
    """The botocore loader of models that every session `new_session` makes uses, so that each model is read
    and parsed once per process rather than once per session (endpoints.json and a service's model: tens of
    milliseconds per session and service; start-up makes a dozen sessions). botocore treats loaded models as
    read-only, as it does when the clients of one session share them."""
    from botocore.loaders import create_loader

    return create_loader(data_path)


_SESSIONS_MADE = threading.Lock()


def new_session(components: Mapping[str, Any] | None = None, **settings: Any) -> boto3.Session:
    """A new boto3 session (sessions are not thread-safe: one per thread or use) with `settings`, its models
    loaded once per process (`_shared_loader`), and botocore `components` of its own (e.g. a parser factory)."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    loader = _shared_loader(core.get_config_variable("data_path"))
    core.register_component("data_loader", loader)
    for name, component in (components or {}).items():
        core.register_component(name, component)
    with _SESSIONS_MADE:
        session = boto3.Session(botocore_session=core, **settings)
        # boto3 adds its own folder of models to the loader's search path with each session: once is enough.
        paths = loader.search_paths
        if paths.count(paths[-1]) > 1:
            paths.pop()
    return session


def local_session(region: str) -> boto3.Session:
    """A boto3 session with dummy credentials, so no real AWS credentials are ever sent to local services."""
    return new_session(
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        region_name=region,
    )


def client(session: boto3.Session, service: str, endpoint: str) -> Any:
    """A boto3 client for `service` at `endpoint`, failing fast when nothing answers there."""
    return session.client(service, endpoint_url=endpoint, config=client_config())


def resource(session: boto3.Session, service: str, endpoint: str) -> Any:
    """A boto3 resource for `service` at `endpoint`, failing fast when nothing answers there."""
    return session.resource(service, endpoint_url=endpoint, config=client_config())
