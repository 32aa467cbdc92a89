"""The app definition: appsync.toml is read strictly, and every refusal names file, line, key and what is allowed."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from appdef import AppConfig, ConfigError, load_config
from appdef.json_schema import SCHEMA_FILE, schema_text
from appdef.locate import line_of, split_key

ROOT = Path(__file__).resolve().parents[2]

BASE = """
[api]
schema = "schema:schema"
default_auth = "AMAZON_COGNITO_USER_POOLS"
additional_auth = ["API_KEY"]

[auth.cognito]
user_pool_id = "us-east-1_Sample"
app_client_ids = ["web"]
groups = ["authors"]

[tables.Todos]
partition_key = { name = "ownerId", type = "S" }
sort_key = { name = "id", type = "S" }

[functions.todos]
handler = "resolvers.todos.handler.lambda_handler"
app = "resolvers.todos.handler:app"
environment = { TODOS_TABLE = "Todos" }
"""


def _load(tmp_path: Path, text: str) -> AppConfig:
    path = tmp_path / "appsync.toml"
    path.write_text(textwrap.dedent(text))
    return load_config(path)


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, text)
    return str(refused.value)


def test_the_project_file_is_valid_and_typed() -> None:
    # GIVEN the project's own appsync.toml
    # WHEN it is loaded
    config = load_config(ROOT / "appsync.toml")
    # THEN its entries know their names, and paths are relative to the file
    assert config.functions["todos"].name == "todos"
    assert config.tables["Todos"].sort_key is not None and config.tables["Todos"].sort_key.name == "id"
    assert config.pipelines["Query.getPost"].field == "Query.getPost"
    assert config.js_root == ROOT / "resolvers" / "js"
    assert {b.name for b in config.cdn_buckets} == {"blog-site", "premium-media", "post-photos"}


def test_a_typo_names_the_line_the_key_path_and_the_allowed_keys(tmp_path: Path) -> None:
    # GIVEN a sort key misspelt as sort_keyy
    text = BASE.replace("sort_key = {", "sort_keyy = {")
    # WHEN the file is loaded
    message = _refusal(tmp_path, text)
    # THEN the refusal points at the line, names the key and lists what the table takes
    line = textwrap.dedent(text).splitlines().index('sort_keyy = { name = "id", type = "S" }') + 1
    assert message.startswith(f"{tmp_path / 'appsync.toml'}:{line}: tables.Todos.sort_keyy: unknown key")
    assert "allowed here: partition_key, sort_key, global_secondary_indexes, stream, ttl_attribute" in message


def test_wrong_types_are_refused_rather_than_converted(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        BASE.replace('environment = { TODOS_TABLE = "Todos" }', "environment = { TTL = 300 }")
        + '\n[api.waf]\nrate_limit = "lots"\n',
    )
    assert "functions.todos.environment.TTL: input should be a valid string (got 300)" in message
    assert "api.waf.rate_limit: input should be a valid integer (got 'lots')" in message
    assert "has 2 problems" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "query_depth_limit = 80",
            "api.query_depth_limit: input should be less than or equal to 75 (got 80)",
        ),
        ('introspection = "SOMETIMES"', "api.introspection: input should be 'ENABLED' or 'DISABLED'"),
        ('additional_auth = ["API_KEY", "API_KEY"]', "api.additional_auth: lists a mode twice"),
        ('additional_auth = ["AMAZON_COGNITO_USER_POOLS"]', "is already the default mode"),
        (
            'additional_auth = ["OPENID_CONNECT"]',
            "auth.oidc: auth mode OPENID_CONNECT needs [auth.oidc] with issuer",
        ),
        (
            'additional_auth = ["AWS_LAMBDA"]',
            "auth.lambda: auth mode AWS_LAMBDA needs [auth.lambda] with function",
        ),
    ],
)
def test_api_settings_outside_what_appsync_accepts_are_refused(
    tmp_path: Path, change: str, expected: str
) -> None:
    text = BASE.replace('additional_auth = ["API_KEY"]', "").replace("[api]\n", f"[api]\n{change}\n")
    assert expected in _refusal(tmp_path, text)


def test_impossible_combinations_are_refused_with_the_key_path(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        BASE
        + """
[data_sources.posts]
type = "AMAZON_DYNAMODB"
table = "Posts"

[auth.lambda]
function = "authorizer"

[local.users.alice]
email = "alice@example.com"
password = "Passw0rd!"
groups = ["editors"]
""",
    )
    assert "data_sources.posts.table: table 'Posts' is not defined (defined: Todos)" in message
    assert "auth.lambda: is set but AWS_LAMBDA is not among api.default_auth / api.additional_auth" in message
    assert "auth.lambda.function: function 'authorizer' is not defined (defined: todos)" in message
    assert "local.users.alice.groups: group 'editors' is not defined in auth.cognito.groups" in message


def test_lambda_reserved_variables_and_bad_names_are_refused(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        BASE.replace(
            'environment = { TODOS_TABLE = "Todos" }', 'environment = { AWS_REGION = "x", "9bad" = "y" }'
        ),
    )
    assert "functions.todos.environment" in message
    assert "'9bad' is not a valid name here" in message


def test_an_entry_cannot_set_its_own_name(tmp_path: Path) -> None:
    message = _refusal(tmp_path, BASE.replace("[functions.todos]\n", '[functions.todos]\nname = "other"\n'))
    assert "functions.todos.name: unknown key" in message


def test_deploy_settings_live_in_the_same_strict_file(tmp_path: Path) -> None:
    # GIVEN a cache, a firewall limit, OIDC and a Lambda authorizer
    config = _load(
        tmp_path,
        BASE.replace(
            'additional_auth = ["API_KEY"]', 'additional_auth = ["API_KEY", "OPENID_CONNECT", "AWS_LAMBDA"]'
        )
        + """
[api.cache]
behavior = "PER_RESOLVER_CACHING"
ttl_seconds = 30

[api.waf]
rate_limit = 500

[auth.oidc]
issuer = "https://id.example.com"
client_id = "web"
iat_ttl = 3600000

[auth.lambda]
function = "todos"
ttl_seconds = 60
""",
    )
    # THEN each is typed, with AppSync's defaults where the file is silent
    assert config.api.cache is not None and (config.api.cache.behavior, config.api.cache.type) == (
        "PER_RESOLVER_CACHING",
        "SMALL",
    )
    assert config.api.waf.rate_limit == 500
    assert config.auth.oidc is not None and config.auth.oidc.iat_ttl == 3_600_000
    assert config.auth.lambda_ is not None and config.auth.lambda_.ttl_seconds == 60
    project_cache = load_config(ROOT / "appsync.toml").api.cache
    assert project_cache is not None and project_cache.behavior == "PER_RESOLVER_CACHING"


def test_objects_are_frozen(tmp_path: Path) -> None:
    config = _load(tmp_path, BASE)
    with pytest.raises(ValueError, match="frozen"):
        config.functions["todos"].timeout_seconds = 60  # type: ignore[misc]


def test_missing_and_malformed_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nowhere.toml")
    (tmp_path / "appsync.toml").write_text("[api\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "appsync.toml")


def test_the_json_schema_for_editors_is_current_and_strict() -> None:
    # GIVEN the committed schema file (regenerate with `make schema`)
    committed = SCHEMA_FILE.read_text()
    # THEN it is what the models say, refuses unknown keys, and never mentions the entries' own names
    assert committed == schema_text(), "appdef/appsync.schema.json is out of date: run `make schema`"
    schema = json.loads(committed)
    assert schema["additionalProperties"] is False
    table = schema["$defs"]["TableConfig"]
    assert table["additionalProperties"] is False and "name" not in table["properties"]
    assert (ROOT / "appsync.toml").read_text().startswith("#:schema ./appdef/appsync.schema.json\n")


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("a.b", ("a", "b")),
        ('pipelines."Query.getPost"', ("pipelines", "Query.getPost")),
        ("a .  'x y'", ("a", "x y")),
    ],
)
def test_toml_keys_split_as_toml_reads_them(key: str, parts: tuple[str, ...]) -> None:
    assert split_key(key) == parts


def test_the_line_of_a_key_inside_a_quoted_table() -> None:
    text = '[api]\nname = "x"\n\n[pipelines."Query.getPost"]\nfunctions = ["a"]\n'
    assert line_of(text, ("pipelines", "Query.getPost", "functions", 0)) == 5
    assert line_of(text, ("api", "missing")) == 1


def test_a_function_that_calls_the_api_lists_the_fields_it_calls(tmp_path: Path) -> None:
    calls_api = 'environment = { TODOS_TABLE = "Todos", URL = "${api:graphql_url}" }'
    message = _refusal(tmp_path, BASE.replace('environment = { TODOS_TABLE = "Todos" }', calls_api))
    assert "list the fields the function calls in `api_calls`" in message
    listed = _load(
        tmp_path,
        BASE.replace(
            'environment = { TODOS_TABLE = "Todos" }',
            calls_api + '\napi_calls = ["Mutation.publishIngestionResult"]',
        ),
    )
    assert listed.functions["todos"].api_calls == ("Mutation.publishIngestionResult",)
    message = _refusal(tmp_path, BASE + 'api_calls = ["Mutation.publishIngestionResult"]\n')
    assert "no variable of the environment names the API's URL" in message


def test_a_local_page_shortcut_names_a_file_of_a_sites_content(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "dash.html").write_text("<!doctype html>")
    site = '\n[buckets.web]\ncdn = true\n\n[buckets.web.content]\nfolder = "site"\n'
    loaded = _load(tmp_path, BASE + site + '\n[local]\npages = { dash = "web/dash.html" }\n')
    assert loaded.local.pages == {"dash": "web/dash.html"}
    message = _refusal(tmp_path, BASE + site + '\n[local]\npages = { dash = "web/missing.html" }\n')
    assert "local.pages.dash" in message and "no missing.html in site/" in message
    message = _refusal(tmp_path, BASE + site + '\n[local]\npages = { dash = "other/dash.html" }\n')
    assert "'other' is not a bucket with `content`" in message


@pytest.mark.parametrize(
    ("value", "refusal"),
    [
        ("${table:Todos}", "${table:Todos}: [api.environment] takes ${cdn:<bucket>} only"),
        ("${cdn:photos}", "${cdn:photos}: "),
    ],
)
def test_the_api_environment_names_only_cdn_buckets(tmp_path: Path, value: str, refusal: str) -> None:
    # ctx.env is read by resolvers, which nothing grants a table or a queue: a CDN's URL is all it may name
    message = _refusal(tmp_path, BASE + f'\n[api.environment]\nCDN = "{value}"\n')
    assert "api.environment.CDN" in message and refusal in message
