"""The local S3's gate: SigV4 (header, chunked, presigned) and POST policies verified before moto's S3 runs.

moto's S3 keeps objects and answers the API faithfully but authenticates nothing: it serves anonymous
listings, presigned URLs whose signature, path or expiry were altered, and POSTs outside their policy. Its
own IAM mode (``INITIAL_NO_AUTH_ACTION_COUNT``) checks Authorization-header signatures only, for keys in its
IAM backend, for every moto service at once; it verifies neither presigned signatures and expiry, nor POST
policies, nor payload hashes. So the local S3 is moto behind `S3Gate`, which checks each request as S3 does
with botocore's own SigV4 code (`appsync_local.sigv4_signature`, shared with AppSync's IAM mode), streaming
bodies through a spooled file, before moto sees it.
"""

from __future__ import annotations

from appsync_local.local_aws.s3_gate.errors import S3Error
from appsync_local.local_aws.s3_gate.gate import S3Gate
from appsync_local.local_aws.s3_gate.keys import KeyRing, LocalKey, SigningKey
from appsync_local.local_aws.s3_gate.moto_keys import moto_key

__all__ = ["KeyRing", "LocalKey", "S3Error", "S3Gate", "SigningKey", "moto_key"]
