"""The app's binding registry (D2): every field that needs a resolver has exactly one."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from appdef import AppConfig, load_config, parse_config
from appdef.bindings import BindingError, BindingRegistry, js_bindings
from appsync_local.sdl import build_appsync_schema

ROOT = Path(__file__).resolve().parents[2]


def test_every_root_field_of_the_exported_schema_has_exactly_one_binding() -> None:
    # GIVEN the committed contract and the bindings discovered from the functions' routers
    config = load_config(ROOT / "appsync.toml")
    schema = build_appsync_schema((ROOT / "schema.graphql").read_text())
    registry = BindingRegistry.discover(config)
    # THEN nothing is missing, nothing is bound twice, nothing is bound to a field that does not exist
    assert registry.problems(schema) == []
    root_fields = {f"{t.name}.{f}" for t in (schema.query_type, schema.mutation_type) if t for f in t.fields}
    assert root_fields <= set(registry.bindings)


def test_todo_owner_is_batch_invoked_with_the_configured_size() -> None:
    config = load_config(ROOT / "appsync.toml")
    owner = BindingRegistry.discover(config).get("Todo", "owner")
    assert owner is not None and owner.batch
    assert owner.max_batch_size == config.functions["todos"].batch_max_size["Todo.owner"]
    assert owner.function == "todos"


APP_TOML = """
[api]
name = "bindings"
schema = "schema:schema"
default_auth = "API_KEY"
js_resolvers = "js"

[data_sources.{data_source}]
type = "NONE"
"""

NOTE_RESOLVER = (
    "import { label } from '../lib/labels.js';\n"
    "export function request(ctx) { return { payload: label(ctx.args.id) }; }\n"
    "export function response(ctx) { return ctx.result; }\n"
)


def _js_app(root: Path, data_source: str) -> AppConfig:
    files = {
        "none/Query.note.js": NOTE_RESOLVER,
        "lib/labels.js": "export const label = (id) => `note ${id}`;\n",
    }
    for relative, text in files.items():
        (root / "js" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "js" / relative).write_text(text)
    return parse_config(tomllib.loads(APP_TOML.format(data_source=data_source)), root)


def test_lib_holds_shared_code_and_binds_nothing(tmp_path: Path) -> None:
    # GIVEN a resolver on the `none` data source and the lib/ file it imports (not named <Type>.<field>.js)
    config = _js_app(tmp_path, "none")
    # WHEN the bindings are discovered
    registry = BindingRegistry(js_bindings(config))
    # THEN the resolver is bound and lib/ is neither a data source nor a resolver
    assert [(b.key, b.data_source) for b in registry] == [("Query.note", "none")]


def test_a_data_source_named_like_a_reserved_folder_is_refused(tmp_path: Path) -> None:
    # GIVEN a data source named `lib`, whose folder would hold shared code
    config = _js_app(tmp_path, "lib")
    # WHEN / THEN discovery refuses it, naming the data source
    with pytest.raises(
        BindingError, match=r"data_sources\.lib: .*js/lib is reserved for code the resolvers share"
    ):
        js_bindings(config)
