"""A CloudFront signing key pair, made in AWS at deploy time: no private key is ever in the repository or in a
template.

The custom resource's properties are `SecretArn`, the secret that receives the private key (PEM, PKCS #8), and
`Rotation`, any string: a new value makes a new key pair. The answer is the public key, twice:

- `Data.PublicKeyPem`: the key as CloudFront's `AWS::CloudFront::PublicKey` takes it (PEM, SubjectPublicKeyInfo);
- `PhysicalResourceId`: the same key, base64 DER. The resource *is* that public key: an Update that keeps the
  key answers with it again without reading the secret (the role may only write it), and a rotation changes
  the id, after which CloudFormation deletes the old id, which does nothing (the secret holds the new key).
"""

from __future__ import annotations

import base64
from typing import Any, Literal, NotRequired, Protocol, TypedDict

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# CloudFront verifies signed URLs with RSA 2048 keys (or ECDSA P-256; botocore's CloudFrontSigner signs RSA).
KEY_BITS = 2048
PUBLIC_KEY_ATTRIBUTE = "PublicKeyPem"


class SigningKeyProperties(TypedDict):
    """The custom resource's properties (CloudFormation passes every value as a string)."""

    SecretArn: str
    Rotation: str


class SigningKeyEvent(TypedDict):
    """What the provider framework passes on: a CloudFormation custom resource request."""

    RequestType: Literal["Create", "Update", "Delete"]
    ResourceProperties: SigningKeyProperties
    OldResourceProperties: NotRequired[SigningKeyProperties]
    PhysicalResourceId: NotRequired[str]


class SigningKeyResponse(TypedDict):
    """The answer to the provider framework: the resource's id and the attributes `Fn::GetAtt` reads."""

    PhysicalResourceId: str
    Data: NotRequired[dict[str, str]]


class SecretWriter(Protocol):
    """The one Secrets Manager call the handler makes (boto3's client, or a test's)."""

    def put_secret_value(self, *, SecretId: str, SecretString: str) -> Any: ...


def on_event(event: SigningKeyEvent, context: object) -> SigningKeyResponse:
    """The provider framework's onEvent handler."""
    return handle(event, boto3.client("secretsmanager"))


def handle(event: SigningKeyEvent, secrets: SecretWriter) -> SigningKeyResponse:
    """Create: a new key pair. Update: a new one only when asked (rotation, another secret). Delete: nothing."""
    if event["RequestType"] == "Delete":
        # The secret and the CloudFront public key are resources of their own: CloudFormation deletes them.
        return {"PhysicalResourceId": event["PhysicalResourceId"]}
    if event["RequestType"] == "Update" and not wants_new_key(event):
        return _answer(public_key_from_id(event["PhysicalResourceId"]))
    return _answer(new_key_pair(event["ResourceProperties"]["SecretArn"], secrets))


def wants_new_key(event: SigningKeyEvent) -> bool:
    """True when an Update names another rotation or another secret (which has no key yet)."""
    new, old = event["ResourceProperties"], event.get("OldResourceProperties")
    if old is None:
        return True
    return new["SecretArn"] != old["SecretArn"] or new["Rotation"] != old["Rotation"]


def new_key_pair(secret_arn: str, secrets: SecretWriter) -> rsa.RSAPublicKey:
    """Generate an RSA key pair, put its private key into the secret, and return its public key."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    secrets.put_secret_value(SecretId=secret_arn, SecretString=pem.decode("ascii"))
    return private_key.public_key()


def public_key_id(public_key: rsa.RSAPublicKey) -> str:
    """The resource's physical id: the public key, base64 DER (392 characters for RSA 2048)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def public_key_from_id(physical_id: str) -> rsa.RSAPublicKey:
    """The public key a physical id names."""
    key = serialization.load_der_public_key(base64.b64decode(physical_id))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the resource's id is not an RSA public key")
    return key


def _answer(public_key: rsa.RSAPublicKey) -> SigningKeyResponse:
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "PhysicalResourceId": public_key_id(public_key),
        "Data": {PUBLIC_KEY_ATTRIBUTE: pem.decode("ascii")},
    }
