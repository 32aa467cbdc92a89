"""The app's binding registry (D2): every field that needs a resolver has exactly one."""

from __future__ import annotations

from pathlib import Path

from appdef import load_config
from appdef.bindings import BindingRegistry
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
