"""The binding registry (D2): which resolver serves each field, discovered from one place.

- Lambda bindings come from each resolver function's Powertools app (`app = "module:attribute"`), which
  lists the fields its routers serve through `resolver_fields()` (`ListsResolverFields`): every
  `@router.resolver(type_name, field_name)` is an `Invoke` binding; every `@router.batch_resolver(...)` is a
  `BatchInvoke` binding whose `maxBatchSize` comes from the function's `batch_max_size` in `appsync.toml`.
  Apps built with `resolvers.routing` (plain Powertools routers that record what they register) list them.
- APPSYNC_JS bindings come from file names under the JS root (`resolvers/js/`):
  `<data source>/<Type>.<field>.js` is a unit resolver on that data source;
  `functions/<data source>/<name>.js` is an AppSync function; `pipelines/<Type>.<field>.js` is a pipeline
  resolver whose ordered functions `appsync.toml` lists under `[pipelines."<Type>.<field>"]`.
  `lib/` holds code the files import (`import { x } from '../lib/x.js'`) and binds nothing: each file is
  deployed and run as its esbuild bundle (`jsbundles/bundler.py`).

The local runtime, the CDK app and the tests all read this registry; a field with no binding, or two,
is an error found before anything serves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from graphql import GraphQLObjectType, GraphQLSchema

from .app import AppConfig
from .caching import ResolverCachingConfig
from .functions import FunctionConfig

DEFAULT_MAX_BATCH_SIZE = 100


class BindingError(ValueError):
    """The bindings and the schema disagree."""


FUNCTIONS_DIR = "functions"
PIPELINES_DIR = "pipelines"
LIB_DIR = "lib"  # shared code the resolver files import; bundled into each of them, never bound itself
RESERVED_DIRS = (FUNCTIONS_DIR, PIPELINES_DIR, LIB_DIR)
_RESERVED_USE = {
    FUNCTIONS_DIR: "AppSync functions",
    PIPELINES_DIR: "pipeline resolvers",
    LIB_DIR: "code the resolvers share",
}


@dataclass(frozen=True)
class PipelineFunction:
    """An AppSync function: APPSYNC_JS code on a data source, one step of pipelines."""

    name: str
    data_source: str
    code: Path


@dataclass(frozen=True)
class Binding:
    """One resolver: the field it serves and what serves it."""

    type_name: str
    field_name: str
    kind: str  # "LAMBDA" | "JS" (unit resolver on a data source) | "PIPELINE"
    function: str | None = None  # LAMBDA: the function's name in appsync.toml
    max_batch_size: int | None = None  # LAMBDA: set for BatchInvoke
    data_source: str | None = None  # JS: the data source's name in appsync.toml
    code: Path | None = None  # JS and PIPELINE: the resolver's file
    functions: tuple[PipelineFunction, ...] = ()  # PIPELINE: its steps, in order
    caching: ResolverCachingConfig | None = None  # its per-resolver caching, where the binding is declared

    @property
    def key(self) -> str:
        return f"{self.type_name}.{self.field_name}"

    @property
    def batch(self) -> bool:
        return self.max_batch_size is not None


class ResolverField(Protocol):
    """A field a Powertools router registered a resolver for; `batch` for (async) batch resolvers."""

    @property
    def type_name(self) -> str: ...
    @property
    def field_name(self) -> str: ...
    @property
    def batch(self) -> bool: ...


@runtime_checkable
class ListsResolverFields(Protocol):
    """A resolver function's app that can say which fields it serves (the seam the registry reads)."""

    def resolver_fields(self) -> Iterable[ResolverField]: ...


# Loads a function's app object (`module:attribute`); the local runtime loads it inside the function's
# own environment, the CDK app with a plain import.
AppLoader = Callable[[FunctionConfig], object]


def import_app(function: FunctionConfig) -> object:
    """Import `function.app` (`module:attribute`)."""
    assert function.app is not None
    module_name, _, attribute = function.app.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise BindingError(
            f"functions.{function.name}.app: {module_name} does not import: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise BindingError(f"functions.{function.name}.app: {module_name} has no {attribute!r}") from None


def lambda_bindings(function: FunctionConfig, load_app: AppLoader = import_app) -> list[Binding]:
    """The fields one resolver function's app serves (none for a function without `app`)."""
    if function.app is None:
        if function.batch_max_size:
            raise BindingError(f"functions.{function.name}.batch_max_size needs `app` (the resolver app)")
        return []
    app = load_app(function)
    if not isinstance(app, ListsResolverFields):
        raise BindingError(
            f"functions.{function.name}.app: {function.app} cannot list the fields it serves; build it from "
            "routers that record them (`resolvers.routing.AppSyncResolver` and `Router`: plain Powertools "
            "that also implement `resolver_fields()`)"
        )
    bindings = [_binding(function, field) for field in app.resolver_fields()]
    for key in function.batch_max_size:
        if not any(b.key == key and b.batch for b in bindings):
            raise BindingError(
                f"functions.{function.name}.batch_max_size names {key}, which {function.app} does not serve "
                "with a batch resolver"
            )
    for key in function.caching:
        if not any(b.key == key for b in bindings):
            raise BindingError(
                f"functions.{function.name}.caching names {key}, which {function.app} does not serve"
            )
    return bindings


def _binding(function: FunctionConfig, field: ResolverField) -> Binding:
    key = f"{field.type_name}.{field.field_name}"
    if field.type_name == "*" or not field.field_name:
        raise BindingError(
            f"{function.app}: resolver {key!r} must name its type and field "
            "(a wildcard cannot be bound to one AppSync resolver)"
        )
    size = function.batch_max_size.get(key, DEFAULT_MAX_BATCH_SIZE) if field.batch else None
    return Binding(
        field.type_name,
        field.field_name,
        "LAMBDA",
        function=function.name,
        max_batch_size=size,
        caching=function.caching.get(key),
    )


class BindingRegistry:
    """Every binding of the app, one per field."""

    def __init__(self, bindings: Iterable[Binding]) -> None:
        self.bindings: dict[str, Binding] = {}
        for binding in bindings:
            other = self.bindings.get(binding.key)
            if other is not None:
                raise BindingError(
                    f"{binding.key} has two bindings: {_describe(other)} and {_describe(binding)}"
                )
            self.bindings[binding.key] = binding

    @classmethod
    def discover(cls, config: AppConfig, load_app: AppLoader = import_app) -> BindingRegistry:
        """Every binding of the app: its resolver functions' fields and its APPSYNC_JS files."""
        found: list[Binding] = []
        for function in config.functions.values():
            found += lambda_bindings(function, load_app)
        found += js_bindings(config)
        return cls(found)

    def get(self, type_name: str, field_name: str) -> Binding | None:
        return self.bindings.get(f"{type_name}.{field_name}")

    def __iter__(self) -> Iterator[Binding]:
        return iter(self.bindings.values())

    def __len__(self) -> int:
        return len(self.bindings)

    def problems(self, schema: GraphQLSchema) -> list[str]:
        """What is wrong between the schema and the bindings (empty when all is well)."""
        problems: list[str] = []
        roots = [t for t in (schema.query_type, schema.mutation_type) if t is not None]
        for root in roots:
            for field_name in root.fields:
                if f"{root.name}.{field_name}" not in self.bindings:
                    problems.append(f"{root.name}.{field_name} has no resolver binding")
        for binding in self.bindings.values():
            type_ = schema.type_map.get(binding.type_name)
            if not isinstance(type_, GraphQLObjectType) or binding.field_name not in type_.fields:
                problems.append(
                    f"{binding.key} is bound ({_describe(binding)}) but is not a field of the schema"
                )
        return problems

    def check(self, schema: GraphQLSchema) -> None:
        problems = self.problems(schema)
        if problems:
            raise BindingError("; ".join(problems))


def _type_field(path: Path) -> tuple[str, str]:
    type_name, dot, field_name = path.stem.partition(".")
    if not dot or not type_name or not field_name or "." in field_name:
        raise BindingError(f"{path}: a resolver file is named <Type>.<field>.js")
    return type_name, field_name


def pipeline_functions(config: AppConfig) -> dict[str, PipelineFunction]:
    """Every AppSync function under `<js root>/functions/<data source>/<name>.js`, by name."""
    found: dict[str, PipelineFunction] = {}
    root = config.js_root / FUNCTIONS_DIR
    if not root.is_dir():
        return found
    names = set(config.data_sources)
    for path in sorted(root.glob("*/*.js")):
        source = path.parent.name
        if source not in names:
            raise BindingError(f"{path}: {source!r} is not a data source in appsync.toml [data_sources]")
        if path.stem in found:
            raise BindingError(
                f"two AppSync functions are named {path.stem!r}: {found[path.stem].code} and {path}"
            )
        found[path.stem] = PipelineFunction(path.stem, source, path)
    return found


def js_bindings(config: AppConfig) -> list[Binding]:
    """Unit and pipeline APPSYNC_JS resolvers, from their file names."""
    root = config.js_root
    if not root.is_dir():
        if config.pipelines:
            raise BindingError(f"appsync.toml lists pipelines but {root} does not exist")
        return []
    names = set(config.data_sources)
    for name in sorted(names.intersection(RESERVED_DIRS)):
        raise BindingError(
            f"data_sources.{name}: {root / name} is reserved for {_RESERVED_USE[name]}; give the data source "
            "another name"
        )
    bindings: list[Binding] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in RESERVED_DIRS:
            continue
        if folder.name not in names:
            raise BindingError(
                f"{folder}: {folder.name!r} is not a data source in appsync.toml [data_sources]"
            )
        caching = config.data_sources[folder.name].caching
        for path in sorted(folder.glob("*.js")):
            type_name, field_name = _type_field(path)
            bindings.append(
                Binding(
                    type_name,
                    field_name,
                    "JS",
                    data_source=folder.name,
                    code=path,
                    caching=caching.get(f"{type_name}.{field_name}"),
                )
            )
    for name, source in config.data_sources.items():
        for key in source.caching:
            if not any(b.key == key and b.data_source == name for b in bindings):
                raise BindingError(
                    f"data_sources.{name}.caching names {key}, but there is no {root / name / (key + '.js')}"
                )
    functions = pipeline_functions(config)
    declared = config.pipelines
    files = {".".join(_type_field(p)): p for p in sorted((root / PIPELINES_DIR).glob("*.js"))}
    for key in declared.keys() - files.keys():
        raise BindingError(f'[pipelines."{key}"] has no resolver file {root / PIPELINES_DIR / (key + ".js")}')
    for key, path in files.items():
        pipeline = declared.get(key)
        if pipeline is None or not pipeline.functions:
            raise BindingError(
                f'{path}: list its functions in appsync.toml [pipelines."{key}"] functions = [...]'
            )
        missing = [name for name in pipeline.functions if name not in functions]
        if missing:
            raise BindingError(
                f"pipeline {key} names unknown functions {missing} (none under {root / FUNCTIONS_DIR})"
            )
        type_name, _, field_name = key.partition(".")
        bindings.append(
            Binding(
                type_name,
                field_name,
                "PIPELINE",
                code=path,
                functions=tuple(functions[name] for name in pipeline.functions),
                caching=pipeline.caching,
            )
        )
    return bindings


def js_code_files(bindings: Iterable[Binding]) -> list[Path]:
    """Every APPSYNC_JS file the bindings run (resolvers and pipelines' functions), each once, in order."""
    files: dict[Path, None] = {}
    for binding in bindings:
        if binding.kind in ("JS", "PIPELINE") and binding.code is not None:
            files[binding.code] = None
            files.update(dict.fromkeys(function.code for function in binding.functions))
    return list(files)


def _describe(binding: Binding) -> str:
    if binding.kind == "LAMBDA":
        mode = f"BatchInvoke, maxBatchSize {binding.max_batch_size}" if binding.batch else "Invoke"
        return f"Lambda function {binding.function!r} ({mode})"
    if binding.kind == "JS":
        return f"APPSYNC_JS resolver {binding.code} on data source {binding.data_source!r}"
    return f"pipeline {binding.code} ({', '.join(f.name for f in binding.functions)})"
