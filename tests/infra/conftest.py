"""One offline CDK synthesis per test session: the project's stack, and a small sample app's.

The sample app exercises what the project does not use today (APPSYNC_JS unit resolvers on DynamoDB and
NONE data sources, an API cache, OIDC, a CloudFront bucket named in appsync.toml) so that the generic code
is tested whatever the project's resolvers are at the moment; the CDN app (tests/fixtures/cdn_app) has a
function that signs URLs with a bucket's key, and a rotated key.
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appdef import AppConfig, load_config
from appdef.bindings import BindingRegistry

# jsii reads these when aws_cdk is first imported (the test modules' importorskip does that).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")

# aws_cdk is imported inside the fixtures: the test modules skip themselves when it is missing.
CDK_MISSING = "aws-cdk-lib is not installed (the project's `infra` extra; `make test` installs it)"

ROOT = Path(__file__).resolve().parents[2]
# The CDN app's signing key is rotated once (cdk.json context `signing-key-rotation:media`).
ROTATION = "2026-06"

SAMPLE_TOML = """
[api]
name = "infra-sample"
schema = "schema:schema"
default_auth = "AMAZON_COGNITO_USER_POOLS"
additional_auth = ["OPENID_CONNECT", "API_KEY"]
query_depth_limit = 5
resolver_count_limit = 200
introspection = "DISABLED"
region = "eu-west-1"

[api.cache]
behavior = "PER_RESOLVER_CACHING"
ttl_seconds = 60

[api.waf]
rate_limit = 500

[auth.cognito]
user_pool_id = "eu-west-1_Sample"
app_client_ids = ["sample-client"]
groups = ["editors"]

[auth.oidc]
issuer = "https://issuer.example.com"
client_id = "sample-oidc-client"

[tables.Notes]
partition_key = { name = "id", type = "S" }

[data_sources.notes]
type = "AMAZON_DYNAMODB"
table = "Notes"

[data_sources.none]
type = "NONE"

[pipelines."Mutation.addNote"]
functions = ["checkNote", "putNote"]

[buckets.attachments]
description = "Each user's attachments"

[buckets.site]
description = "The sample's static site"
cdn = true
"""

SAMPLE_SCHEMA = """
type Note { id: ID! text: String }
type Query { getNote(id: ID!): Note  ping: String }
type Mutation { addNote(text: String!): Note }
schema { query: Query mutation: Mutation }
"""

SAMPLE_JS = {
    "notes/Query.getNote.js": """
        import { util } from '@aws-appsync/utils';
        export function request(ctx) {
          return { operation: 'GetItem', key: util.dynamodb.toMapValues({ id: ctx.args.id }) };
        }
        export function response(ctx) { return ctx.result; }
    """,
    "none/Query.ping.js": """
        export function request() { return { payload: 'pong' }; }
        export function response(ctx) { return ctx.result; }
    """,
    "functions/none/checkNote.js": """
        import { util } from '@aws-appsync/utils';
        export function request(ctx) {
          if (!ctx.args.text) { util.error('text is required', 'ValidationError'); }
          return { payload: ctx.args };
        }
        export function response(ctx) { return ctx.result; }
    """,
    "functions/notes/putNote.js": """
        import { util } from '@aws-appsync/utils';
        import { put } from '@aws-appsync/utils/dynamodb';
        export function request(ctx) { return put({ key: { id: util.autoId() }, item: ctx.args }); }
        export function response(ctx) { return ctx.result; }
    """,
    "pipelines/Mutation.addNote.js": """
        export function request() { return {}; }
        export function response(ctx) { return ctx.prev.result; }
    """,
}


@dataclass(frozen=True)
class Synthesized:
    """One synthesized stack with what it was built from."""

    config: AppConfig
    registry: BindingRegistry
    stack: Any  # infra.stacks.backend_stack.BackendStack
    template: Any  # aws_cdk.assertions.Template
    template_file: Path
    outdir: Path

    @property
    def json(self) -> dict[str, Any]:
        return self.template.to_json()  # type: ignore[no-any-return]

    def resources(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.json["Resources"].items() if r["Type"] == type_name}

    def logical_id(self, construct_id: str) -> str:
        """The logical id of the CloudFormation resource behind a construct of the stack (`Outer/Inner` for a
        construct inside another)."""
        child = self.stack
        for part in construct_id.split("/"):
            child = child.node.find_child(part)
        default = child.node.default_child or child
        return self.stack.get_logical_id(default)  # type: ignore[arg-type]


def write_sample_app(root: Path) -> Path:
    """A small app folder with appsync.toml, schema.graphql and APPSYNC_JS resolvers; returns the toml."""
    (root / "schema.graphql").write_text(SAMPLE_SCHEMA)
    for relative, code in SAMPLE_JS.items():
        path = root / "resolvers" / "js" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip())
    config = root / "appsync.toml"
    config.write_text(SAMPLE_TOML)
    return config


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Synthesized]]:
    """The stacks, synthesized once (offline) into one cloud assembly: "project", "sample", "units" (two
    functions, each with its own environment, one with a compiled dependency), "events", "firehose", "cdn" (whose
    signing key is rotated: `ROTATION` in the app's context) and "analytics" (Glue, Athena)."""
    pytest.importorskip("aws_cdk", reason=CDK_MISSING)
    from aws_cdk import Aspects
    from aws_cdk.assertions import Template
    from cdk_nag import AwsSolutionsChecks

    from infra.stacks.assembly import build_stack, new_app
    from infra.stacks.functions import DEPENDENCY_CACHE, DEPENDENCY_CACHE_CONTEXT
    from infra.stacks.signing_key import ROTATION_CONTEXT

    outdir = tmp_path_factory.mktemp("cdk.out")
    sample_toml = write_sample_app(tmp_path_factory.mktemp("sample-app"))
    started = time.perf_counter()
    app = new_app(outdir)
    app.node.set_context(ROTATION_CONTEXT.format(bucket="media"), ROTATION)
    # One cache of installed requirements for all the apps: most of them need the same sets.
    app.node.set_context(DEPENDENCY_CACHE_CONTEXT, str(ROOT / DEPENDENCY_CACHE))
    units_toml = ROOT / "tests" / "fixtures" / "units_app" / "appsync.toml"
    events_toml = ROOT / "tests" / "fixtures" / "events_app" / "appsync.toml"
    paths = {
        "project": ROOT / "appsync.toml",
        "sample": sample_toml,
        "units": units_toml,
        "events": events_toml,
        "cdn": ROOT / "tests" / "fixtures" / "cdn_app" / "appsync.toml",
        "analytics": ROOT / "tests" / "fixtures" / "analytics_app" / "appsync.toml",
        "firehose": ROOT / "tests" / "fixtures" / "firehose_app" / "appsync.toml",
    }
    stacks = {key: build_stack(app, path) for key, path in paths.items()}
    # AWS's best-practice rules on the project's stack; their findings are annotations (tests/infra/test_nag.py).
    Aspects.of(stacks["project"]).add(AwsSolutionsChecks())
    assembly = app.synth()
    elapsed = time.perf_counter() - started
    result: dict[str, Synthesized] = {}
    for key, stack in stacks.items():
        artifact = assembly.get_stack_artifact(stack.artifact_id)
        template_file = Path(assembly.directory) / artifact.template_file
        config = load_config(paths[key])
        result[key] = Synthesized(
            config=config,
            registry=BindingRegistry.discover(config),
            stack=stack,
            template=Template.from_json(json.loads(template_file.read_text())),
            template_file=template_file,
            outdir=Path(assembly.directory),
        )
    print(f"\nCDK synth of {len(stacks)} stacks: {elapsed:.1f} s")
    return result


@pytest.fixture(scope="session", params=["project", "sample", "events", "cdn", "firehose"])
def synth(request: pytest.FixtureRequest, synthesized: dict[str, Synthesized]) -> Synthesized:
    """Each synthesized stack in turn."""
    return synthesized[request.param]


@pytest.fixture(scope="session")
def project(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["project"]


@pytest.fixture(scope="session")
def events(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["events"]


@pytest.fixture(scope="session")
def units(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["units"]


@pytest.fixture(scope="session")
def cdn(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["cdn"]


@pytest.fixture(scope="session")
def analytics(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["analytics"]


@pytest.fixture(scope="session")
def firehose(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["firehose"]


@pytest.fixture(scope="session")
def sample(synthesized: dict[str, Synthesized]) -> Synthesized:
    return synthesized["sample"]
