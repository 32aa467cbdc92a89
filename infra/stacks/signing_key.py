"""The key pair a `signed_urls` bucket's URLs are signed with, made in AWS at deploy time.

No private key is ever in the repository or in a template: a custom resource (`infra/custom_resources/
cloudfront_key`) generates the pair when the stack is created, writes the private key into a secret the stack
creates empty, and hands back the public key, which becomes a CloudFront public key and the key group the
distribution trusts. A new `Rotation` value makes a new pair on the next deploy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack, Stage, custom_resources
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from appdef import FunctionConfig

from ..custom_resources.cloudfront_key.handler import PUBLIC_KEY_ATTRIBUTE
from ..packaging import package_function
from .functions import RUNTIME, dependency_cache

# The key maker is infra's own code: packaged from this project (wherever the app is), with its own cache.
PROJECT = Path(__file__).resolve().parents[2]
KEY_MAKER = FunctionConfig.named(
    "cloudfront-signing-key",
    handler="infra.custom_resources.cloudfront_key.handler.on_event",
    requirements=("cryptography>=42,<51",),
)
# `cdk.json` context: `"signing-key-rotation:<bucket>": "<any new value>"` rotates that bucket's key pair.
ROTATION_CONTEXT = "signing-key-rotation:{bucket}"


class CloudFrontSigningKey(Construct):
    """A CloudFront key group of one public key whose private key is in a Secrets Manager secret.

    Parameters
    ----------
    scope, construct_id
        As for any construct.
    secret
        The secret's name in `appsync.toml` (`signed_urls.secret`); deployed as `<stack name>/<secret>`.
    rotation
        Any string; a new value makes a new key pair: the secret gets the new private key, the key group the
        new public key (under a new logical id, as CloudFront cannot change a public key in place).

    Attributes
    ----------
    secret_reference
        The secret's name in `appsync.toml`, as `${secret:<name>}` names it.
    secret
        The secret that holds the private key (PEM). Created without a value; the custom resource puts the key.
    public_key
        The CloudFront public key; its id is the `Key-Pair-Id` of signed URLs (`${cdn_key:<bucket>}`).
    key_group
        The key group a distribution's behaviors trust.
    """

    def __init__(self, scope: Construct, construct_id: str, *, secret: str, rotation: str = "") -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.secret_reference = secret
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            secret_name=f"{stack.stack_name}/{secret}",
            description="The private key (PEM) CloudFront signed URLs are made with; written at deploy time",
            removal_policy=RemovalPolicy.DESTROY,
        )
        secret_resource = self.secret.node.default_child
        assert isinstance(secret_resource, secretsmanager.CfnSecret)
        # Neither SecretString nor GenerateSecretString: an empty secret until the key pair is made.
        secret_resource.add_property_deletion_override("GenerateSecretString")

        provider_logs = self._log_group("ProviderLogs")
        provider = custom_resources.Provider(
            self,
            "Provider",
            on_event_handler=self._key_maker(),
            framework_on_event_role=_logging_role(
                self, "ProviderRole", provider_logs, "Calls the signing key's key maker"
            ),
            log_group=provider_logs,
        )
        key_pair = CustomResource(
            self,
            "KeyPair",
            service_token=provider.service_token,
            resource_type="Custom::CloudFrontSigningKey",
            properties={"SecretArn": self.secret.secret_arn, "Rotation": rotation},
        )
        version = hashlib.sha256(f"{secret}\n{rotation}".encode()).hexdigest()[:8]
        self.public_key = cloudfront.PublicKey(
            self,
            f"PublicKey{version}",
            encoded_key=key_pair.get_att_string(PUBLIC_KEY_ATTRIBUTE),
            comment=f"Signs URLs; its private key is in the secret {secret}",
        )
        self.key_group = cloudfront.KeyGroup(
            self, "KeyGroup", items=[self.public_key], comment=f"Signed URLs made with the key in {secret}"
        )

    def _log_group(self, construct_id: str) -> logs.LogGroup:
        return logs.LogGroup(
            self, construct_id, retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )

    def _key_maker(self) -> lambda_.Function:
        """The custom resource's handler: it may write its log group and put the secret's value, nothing else."""
        stage = Stage.of(self)
        assert stage is not None
        package = package_function(
            PROJECT,
            KEY_MAKER,
            Path(stage.outdir) / ".custom-resources",
            dependency_cache(self, PROJECT),
        )
        log_group = self._log_group("KeyMakerLogs")
        role = _logging_role(
            self, "KeyMakerRole", log_group, "Puts the signing key's private key into its secret"
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["secretsmanager:PutSecretValue"], resources=[self.secret.secret_arn])
        )
        return lambda_.Function(
            self,
            "KeyMaker",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=KEY_MAKER.handler,
            code=lambda_.Code.from_asset(str(package)),
            timeout=Duration.seconds(60),
            memory_size=256,
            log_group=log_group,
            role=role,
            description="Makes the CloudFront signing key pair (custom resource)",
        )


def _logging_role(
    scope: Construct, construct_id: str, log_group: logs.ILogGroup, description: str
) -> iam.Role:
    """A Lambda role that may write `log_group` (instead of AWSLambdaBasicExecutionRole: every log group)."""
    role = iam.Role(
        scope, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
        )
    )
    return role
