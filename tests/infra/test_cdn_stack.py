"""CloudFront as deployed: a `signed_urls` bucket is served only by URLs signed with a key made in AWS (but its
public paths), its bucket is read by its distribution alone, the signing secret is read only by the functions
that name it, and a site's files and config are deployed with the stack (the project's stack and the CDN app)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from appdef import BucketConfig
from tests.infra.conftest import ROTATION, Synthesized

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")

from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.stacks.signing_key import KEY_MAKER, CloudFrontSigningKey
from infra.stacks.storage import pascal

ELF_MACHINE_AARCH64 = 0xB7  # e_machine at byte 18 of an ELF header, little-endian


@pytest.fixture(scope="module", params=["project", "cdn"])
def served(request: pytest.FixtureRequest, synthesized: dict[str, Synthesized]) -> Synthesized:
    """The stacks with a signed-URL bucket and a site: the project's, and the CDN app's."""
    return synthesized[request.param]


def _signed(synth: Synthesized) -> BucketConfig:
    (bucket,) = (b for b in synth.config.cdn_buckets if b.signed_urls is not None)
    return bucket


def _site(synth: Synthesized) -> BucketConfig:
    (bucket,) = (b for b in synth.config.cdn_buckets if b.content is not None)
    return bucket


def _props(synth: Synthesized, construct_id: str) -> dict[str, Any]:
    return synth.json["Resources"][synth.logical_id(construct_id)]["Properties"]  # type: ignore[no-any-return]


def _key(synth: Synthesized, bucket: BucketConfig) -> CloudFrontSigningKey:
    key = synth.stack.node.find_child(f"{pascal(bucket.name)}SigningKey")
    assert isinstance(key, CloudFrontSigningKey)
    return key


def _public_key_id(synth: Synthesized, bucket: BucketConfig) -> str:
    return synth.stack.get_logical_id(_key(synth, bucket).public_key.node.default_child)  # type: ignore[no-any-return]


def _ref(synth: Synthesized, construct_id: str) -> dict[str, str]:
    return {"Ref": synth.logical_id(construct_id)}


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to a role."""
    found: list[dict[str, Any]] = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements = policy["Properties"]["PolicyDocument"]["Statement"]
            found += statements if isinstance(statements, list) else [statements]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the premium distribution is a gate ------------------------------------------------------------------


def test_every_behavior_but_the_public_paths_needs_a_signed_url(served: Synthesized) -> None:
    # GIVEN the signed-URL bucket's distribution
    bucket = _signed(served)
    assert bucket.signed_urls is not None
    config = _props(served, f"{pascal(bucket.name)}Distribution")["DistributionConfig"]
    key_group = [_ref(served, f"{pascal(bucket.name)}SigningKey/KeyGroup")]
    # THEN the default behavior trusts the key group: an unsigned request is refused
    assert config["DefaultCacheBehavior"].get("TrustedKeyGroups") == key_group
    # AND exactly the public paths are served without a signature, from the same private origin
    behaviors = {b["PathPattern"]: b for b in config.get("CacheBehaviors", [])}
    unsigned = {path for path, b in behaviors.items() if not b.get("TrustedKeyGroups")}
    assert unsigned == set(bucket.signed_urls.public_paths)
    assert all(b["TrustedKeyGroups"] == key_group for p, b in behaviors.items() if p not in unsigned)
    (origin,) = config["Origins"]
    assert {b["TargetOriginId"] for b in behaviors.values()} <= {origin["Id"]}
    assert "TrustedSigners" not in json.dumps(config)  # no legacy account key pairs


def test_distributions_without_signed_urls_trust_no_key(served: Synthesized) -> None:
    for bucket in served.config.cdn_buckets:
        if bucket.signed_urls is None:
            config = _props(served, f"{pascal(bucket.name)}Distribution")["DistributionConfig"]
            assert "TrustedKeyGroups" not in json.dumps(config), bucket.name


def test_the_key_group_trusts_the_public_key_the_custom_resource_made(served: Synthesized) -> None:
    bucket = _signed(served)
    assert bucket.signed_urls is not None
    key = f"{pascal(bucket.name)}SigningKey"
    # GIVEN the key group the distribution trusts
    group = _props(served, f"{key}/KeyGroup")["KeyGroupConfig"]
    # THEN its one public key is the one the key pair resource answered with
    assert group["Items"] == [{"Ref": _public_key_id(served, bucket)}]
    public_key = served.json["Resources"][_public_key_id(served, bucket)]["Properties"]["PublicKeyConfig"]
    key_pair = served.logical_id(f"{key}/KeyPair")
    assert public_key["EncodedKey"] == {"Fn::GetAtt": [key_pair, "PublicKeyPem"]}
    # AND that resource puts the private key into the bucket's secret, through the key maker
    resource = served.json["Resources"][key_pair]
    assert resource["Type"] == "Custom::CloudFrontSigningKey"
    assert resource["Properties"]["SecretArn"] == _ref(served, f"{key}/Secret")
    framework = served.logical_id(f"{key}/Provider/framework-onEvent")
    assert resource["Properties"]["ServiceToken"] == {"Fn::GetAtt": [framework, "Arn"]}
    maker = served.logical_id(f"{key}/KeyMaker")
    variables = served.json["Resources"][framework]["Properties"]["Environment"]["Variables"]
    assert {"Fn::GetAtt": [maker, "Arn"]} in variables.values()
    assert served.json["Resources"][maker]["Properties"]["Handler"] == KEY_MAKER.handler


def test_the_signing_secret_is_named_after_appsync_toml_and_has_no_value_in_the_template(
    served: Synthesized,
) -> None:
    bucket = _signed(served)
    assert bucket.signed_urls is not None
    secret = _props(served, f"{pascal(bucket.name)}SigningKey/Secret")
    assert secret["Name"] == f"{served.config.api.name}/{bucket.signed_urls.secret}"
    # no value, not even a generated one: the key pair resource writes the private key at deploy time
    assert "SecretString" not in secret and "GenerateSecretString" not in secret
    assert "PRIVATE KEY" not in served.template_file.read_text()


def test_the_key_maker_may_write_the_secret_and_its_logs_and_nothing_else(served: Synthesized) -> None:
    key = f"{pascal(_signed(served).name)}SigningKey"
    statements = _statements(served, served.logical_id(f"{key}/KeyMakerRole"))
    granted = {(a, json.dumps(s["Resource"])) for s in statements for a in _as_list(s["Action"])}
    logs = json.dumps({"Fn::GetAtt": [served.logical_id(f"{key}/KeyMakerLogs"), "Arn"]})
    assert granted == {
        ("secretsmanager:PutSecretValue", json.dumps(_ref(served, f"{key}/Secret"))),
        ("logs:CreateLogStream", logs),
        ("logs:PutLogEvents", logs),
    }


def test_the_key_maker_ships_its_handler_and_cryptography_for_arm64(project: Synthesized) -> None:
    key = f"{pascal(_signed(project).name)}SigningKey"
    props = _props(project, f"{key}/KeyMaker")
    assert props["Architectures"] == ["arm64"]
    with zipfile.ZipFile(project.outdir / f"asset.{props['Code']['S3Key']}") as archive:
        names = set(archive.namelist())
        assert "infra/custom_resources/cloudfront_key/handler.py" in names
        assert not any(n.startswith("infra/stacks/") for n in names), (
            "the key maker does not ship the CDK app"
        )
        (binding,) = (n for n in names if re.fullmatch(r"cryptography/hazmat/bindings/_rust\.[\w.-]*so", n))
        header = archive.read(binding)[:20]
    assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64


def test_a_new_rotation_value_makes_a_new_cloudfront_public_key() -> None:
    # GIVEN the same signing key without and with a rotation (CloudFront cannot change a public key in place)
    app = App()
    stacks = {rotation: Stack(app, f"Rotation{rotation or 'None'}") for rotation in ("", "2")}
    for rotation, stack in stacks.items():
        CloudFrontSigningKey(stack, "SigningKey", secret="media-key", rotation=rotation)
    templates = {
        rotation: Template.from_stack(stack).to_json()["Resources"] for rotation, stack in stacks.items()
    }

    def public_keys(resources: dict[str, Any]) -> set[str]:
        return {k for k, r in resources.items() if r["Type"] == "AWS::CloudFront::PublicKey"}

    def rotation_of(resources: dict[str, Any]) -> str:
        (pair,) = (r for r in resources.values() if r["Type"] == "Custom::CloudFrontSigningKey")
        return str(pair["Properties"]["Rotation"])

    # THEN the key pair resource is asked for a new key, and CloudFront gets a new public key resource
    assert (rotation_of(templates[""]), rotation_of(templates["2"])) == ("", "2")
    assert public_keys(templates[""]).isdisjoint(public_keys(templates["2"]))


def test_the_rotation_comes_from_the_cdk_context(cdn: Synthesized, project: Synthesized) -> None:
    pair = _props(cdn, f"{pascal(_signed(cdn).name)}SigningKey/KeyPair")
    assert pair["Rotation"] == ROTATION
    assert _props(project, f"{pascal(_signed(project).name)}SigningKey/KeyPair")["Rotation"] == ""


# --- only the distribution reads the bucket --------------------------------------------------------------


def test_a_served_bucket_is_read_only_by_its_own_distribution(served: Synthesized) -> None:
    for bucket in served.config.cdn_buckets:
        bucket_id = served.logical_id(f"{pascal(bucket.name)}Bucket")
        props = served.json["Resources"][bucket_id]["Properties"]
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
        (policy,) = (
            p["Properties"]["PolicyDocument"]
            for p in served.resources("AWS::S3::BucketPolicy").values()
            if p["Properties"]["Bucket"] == {"Ref": bucket_id}
        )
        (allow,) = (s for s in policy["Statement"] if s["Effect"] == "Allow")
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert allow["Action"] == "s3:GetObject"
        source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Join"][1]
        assert source[-2:] == [":distribution/", _ref(served, f"{pascal(bucket.name)}Distribution")]


def test_no_identity_pool_role_reaches_a_served_bucket(served: Synthesized) -> None:
    # GIVEN the roles signed-in users (Cognito's identity pool) assume
    roles = [
        role_id
        for role_id, role in served.resources("AWS::IAM::Role").items()
        if "cognito-identity.amazonaws.com" in json.dumps(role["Properties"]["AssumeRolePolicyDocument"])
    ]
    assert roles
    served_ids = {served.logical_id(f"{pascal(b.name)}Bucket") for b in served.config.cdn_buckets}
    for role_id in roles:
        # THEN none of their statements names a bucket CloudFront serves (only through signed URLs)
        text = json.dumps(_statements(served, role_id))
        assert not any(bucket_id in text for bucket_id in served_ids), role_id


# --- the signing key in a function -----------------------------------------------------------------------


def test_a_function_naming_the_secret_may_read_that_secret_and_signs_with_the_keys_id(
    cdn: Synthesized,
) -> None:
    key = f"{pascal(_signed(cdn).name)}SigningKey"
    secret = _ref(cdn, f"{key}/Secret")
    # GIVEN the function whose environment names the key's id and its secret
    function = _props(cdn, "playerFunction")
    variables = function["Environment"]["Variables"]
    # THEN it is told the key's id (the signed URLs' Key-Pair-Id) and the secret's name
    assert variables["KEY_PAIR_ID"] == {"Ref": _public_key_id(cdn, _signed(cdn))}
    # the secret's name, as CloudFormation reads it from the secret's ARN once the secret exists
    assert json.dumps(secret) in json.dumps(variables["SIGNING_KEY_SECRET"])
    assert variables["MEDIA_URL"] == {
        "Fn::Join": [
            "",
            ["https://", {"Fn::GetAtt": [cdn.logical_id(f"{pascal('media')}Distribution"), "DomainName"]}],
        ]
    }
    assert variables["LOGIN_URL"] == "https://cognito-idp.eu-west-1.amazonaws.com/"
    # AND it may read that secret and no other
    statements = _statements(cdn, cdn.logical_id("playerFunctionRole"))
    secrets = [s for s in statements if any(a.startswith("secretsmanager:") for a in _as_list(s["Action"]))]
    assert len(secrets) == 1
    assert "secretsmanager:GetSecretValue" in secrets[0]["Action"]
    assert not {a for a in secrets[0]["Action"] if a.startswith("secretsmanager:Put")}
    assert secrets[0]["Resource"] == secret


def test_only_the_key_maker_and_the_functions_naming_it_touch_the_secret(served: Synthesized) -> None:
    bucket = _signed(served)
    assert bucket.signed_urls is not None
    key = f"{pascal(bucket.name)}SigningKey"
    secret_id = served.logical_id(f"{key}/Secret")
    naming = {
        served.logical_id(f"{name}FunctionRole")
        for name, function in served.config.functions.items()
        if any(f"${{secret:{bucket.signed_urls.secret}}}" in v for v in function.environment.values())
    }
    touching = {
        role["Ref"]
        for policy in served.resources("AWS::IAM::Policy").values()
        if secret_id in json.dumps(policy["Properties"]["PolicyDocument"])
        for role in policy["Properties"]["Roles"]
    }
    assert touching == naming | {served.logical_id(f"{key}/KeyMakerRole")}


# --- the static site -------------------------------------------------------------------------------------


def _deployment(synth: Synthesized, bucket: BucketConfig) -> dict[str, Any]:
    (deployment,) = (
        r["Properties"]
        for r in synth.resources("Custom::CDKBucketDeployment").values()
        if r["Properties"]["DestinationBucketName"] == _ref(synth, f"{pascal(bucket.name)}Bucket")
    )
    return deployment


def _readable(value: Any) -> str:
    """A deploy-time value as `Resource.Attribute` (`{"Fn::GetAtt": ["Api", "GraphQLUrl"]}` -> `Api.GraphQLUrl`)."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"{value['Ref']}.Ref"
    if "Fn::GetAtt" in value:
        return ".".join(value["Fn::GetAtt"])
    return "".join(_readable(part) for part in value["Fn::Join"][1])


def _deployed_config(synth: Synthesized, deployment: dict[str, Any]) -> dict[str, str]:
    """The config file as a browser will read it, deploy-time values written as `Resource.Attribute`."""
    index = next(i for i, markers in enumerate(deployment["SourceMarkers"]) if markers)
    source = synth.outdir / f"asset.{deployment['SourceObjectKeys'][index].removesuffix('.zip')}"
    (config_file,) = source.iterdir()
    text = config_file.read_text()
    for marker, value in deployment["SourceMarkers"][index].items():
        text = text.replace(marker, _readable(value))  # each marker stands for a JSON string, quotes included
    return {config_file.name: json.loads(text)}


def test_the_site_is_deployed_with_its_cache_control_and_invalidates_its_distribution(
    served: Synthesized,
) -> None:
    site = _site(served)
    assert site.content is not None
    deployment = _deployment(served, site)
    assert deployment["Prune"] is True
    assert deployment["SystemMetadata"] == {"cache-control": site.content.cache_control}
    assert deployment["DistributionId"] == _ref(served, f"{pascal(site.name)}Distribution")
    assert deployment["DistributionPaths"] == ["/*"]
    # the site's own files are the first source: the folder as it is in the project
    folder = Path(served.config.root) / site.content.folder
    first = served.outdir / f"asset.{deployment['SourceObjectKeys'][0].removesuffix('.zip')}"
    assert {p.name for p in first.iterdir()} == {p.name for p in folder.iterdir()}


def test_the_sites_config_file_holds_the_deployed_values(cdn: Synthesized) -> None:
    # GIVEN the CDN app's site, whose config names every kind of value a page needs
    site = _site(cdn)
    # WHEN its config file is read as deployed
    config = _deployed_config(cdn, _deployment(cdn, site))["config.json"]
    # THEN each reference is the deployed resource's value
    api, pool, client = (
        cdn.logical_id("Api"),
        cdn.logical_id("UserPool"),
        cdn.logical_id("UserPool/WebClient"),
    )
    assert config == {
        "graphqlUrl": f"{api}.GraphQLUrl",
        "realtimeUrl": f"{api}.RealtimeUrl",
        "apiKey": f"{cdn.logical_id('Api/DefaultApiKey')}.ApiKey",
        "region": "eu-west-1",
        "userPoolId": f"{pool}.Ref",
        "userPoolClientId": f"{client}.Ref",
        "userPoolEndpoint": "https://cognito-idp.eu-west-1.amazonaws.com/",
        "mediaUrl": f"https://{cdn.logical_id('MediaDistribution')}.DomainName",
        "keyPairId": f"{_public_key_id(cdn, _signed(cdn))}.Ref",
    }


def test_the_project_sites_config_names_the_api_and_the_media_cdn(project: Synthesized) -> None:
    site = _site(project)
    assert site.content is not None and site.content.config_file is not None
    config = _deployed_config(project, _deployment(project, site))[site.content.config_file]
    assert set(config) == set(site.content.config)
    assert not any("${" in value for value in config.values()), "every reference is resolved"


def test_the_site_deployment_may_invalidate_only_the_sites_distributions(served: Synthesized) -> None:
    statements = _statements(served, served.logical_id("SiteDeploymentRole"))
    invalidations = [s for s in statements if any(a.startswith("cloudfront:") for a in _as_list(s["Action"]))]
    assert invalidations
    for statement in invalidations:
        assert statement["Resource"] != "*"
        assert (
            _ref(served, f"{pascal(_site(served).name)}Distribution") in statement["Resource"]["Fn::Join"][1]
        )


# --- outputs ---------------------------------------------------------------------------------------------


def test_outputs_name_each_cdn_its_bucket_and_the_signing_key(served: Synthesized) -> None:
    outputs = served.json["Outputs"]
    for bucket in served.config.cdn_buckets:
        prefix = pascal(bucket.name)
        assert outputs[f"{prefix}DistributionDomain"]["Value"] == {
            "Fn::GetAtt": [served.logical_id(f"{prefix}Distribution"), "DomainName"]
        }
        assert outputs[f"{prefix}BucketName"]["Value"] == _ref(served, f"{prefix}Bucket")
    signed = _signed(served)
    prefix = pascal(signed.name)
    assert outputs[f"{prefix}SigningSecretArn"]["Value"] == _ref(served, f"{prefix}SigningKey/Secret")
    assert outputs[f"{prefix}PublicKeyId"]["Value"] == {"Ref": _public_key_id(served, signed)}
    assert outputs[f"{prefix}KeyGroupId"]["Value"] == _ref(served, f"{prefix}SigningKey/KeyGroup")
