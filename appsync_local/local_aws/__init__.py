"""The local AWS parts: DynamoDB Local, kinesalite, moto's server, provisioning, seeding and S3 persistence.

Generic: everything comes from `appdef.AppConfig`; all access is plain boto3.

moto's server and the S3 mirror are imported when first asked for, and the other modules import boto3 only
when they use it: `make run` launches DynamoDB Local's JVM through `stack` before it imports moto and boto3.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from appsync_local.local_aws.dynamodb_local import DynamoDBLocal
from appsync_local.local_aws.endpoints import Endpoints, client, local_session, resource
from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.local_kinesis import LocalKinesis
from appsync_local.local_aws.provision import provision
from appsync_local.local_aws.seed import seed
from appsync_local.local_aws.stack import LocalAws

if TYPE_CHECKING:
    from appsync_local.local_aws.moto_server import MotoServer
    from appsync_local.local_aws.s3_persistence import S3Persistence

_LAZY = {"MotoServer": "moto_server", "S3Persistence": "s3_persistence"}

__all__ = [
    "DynamoDBLocal",
    "Endpoints",
    "LocalAws",
    "LocalAwsError",
    "LocalKinesis",
    "MotoServer",
    "S3Persistence",
    "client",
    "local_session",
    "provision",
    "resource",
    "seed",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
