"""The local AWS parts: DynamoDB Local, kinesalite, moto's server, provisioning, seeding and S3 persistence.

Generic: everything comes from `appdef.AppConfig`; all access is plain boto3.
"""

from __future__ import annotations

from appsync_local.local_aws.dynamodb_local import DynamoDBLocal
from appsync_local.local_aws.endpoints import Endpoints, client, local_session, resource
from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.local_kinesis import LocalKinesis
from appsync_local.local_aws.moto_server import MotoServer
from appsync_local.local_aws.provision import provision
from appsync_local.local_aws.s3_persistence import S3Persistence
from appsync_local.local_aws.seed import seed
from appsync_local.local_aws.stack import LocalAws

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
