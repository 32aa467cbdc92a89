"""Data sources and resolvers generated from the binding registry, the same one the local runtime serves.

- LAMBDA bindings: one Lambda data source per function; direct resolvers (no mapping templates), with
  `MaxBatchSize` for BatchInvoke fields.
- JS bindings: an APPSYNC_JS unit resolver on the named data source.
- PIPELINE bindings: one AppSync function per step (shared between pipelines), and the pipeline's own code.
- A binding's per-resolver caching (`caching` where it is declared) becomes the resolver's `CachingConfig`
  (its TTL, or the API cache's), and the resolver depends on the API cache.

The code of every APPSYNC_JS resolver and function is its bundle (the file and the `lib/` code it imports),
the very text the local runtime runs: both take it from `appsync_local.js.default_bundler()`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from appdef import AppConfig
from appdef.bindings import Binding, BindingRegistry, PipelineFunction, js_code_files
from jsbundles import Bundle, default_bundler

JS_RUNTIME = appsync.FunctionRuntime.JS_1_0_0
# AppSync's limit for inline resolver code; a bigger bundle goes as an S3 asset.
MAX_INLINE_CODE_BYTES = 32_768


class ScopedRole(iam.Role):
    """A DynamoDB data source's role that keeps only the data source's `access` of the grants CDK gives it.

    CDK's DynamoDB data source grants its role read and write on the table; with this role, a statement keeps
    the actions `access` lists and no other (a statement left with none is dropped).

    Parameters
    ----------
    scope, construct_id
        As for any construct.
    actions
        The DynamoDB actions the data source's resolvers use (`dynamodb:BatchGetItem`, ...).
    """

    def __init__(self, scope: Construct, construct_id: str, actions: tuple[str, ...]) -> None:
        super().__init__(
            scope,
            construct_id,
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description=f"A data source's access to its table: {', '.join(actions)}",
        )
        self.allowed = frozenset(actions)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """The statement with only the allowed actions; a statement left with none is not added."""
        kept = [a for a in statement.actions if a in self.allowed]
        if not kept:
            return iam.AddToPrincipalPolicyResult(statement_added=False)
        narrowed = iam.PolicyStatement(
            actions=kept, resources=statement.resources, conditions=statement.conditions or None
        )
        return super().add_to_principal_policy(narrowed)


def lambda_data_source_name(function: str) -> str:
    """The Lambda data source's name: AppSync names allow only letters, digits and underscores."""
    return f"{_identifier(function)}_lambda"


def _identifier(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def bundle_code(bundle: Bundle) -> appsync.Code:
    """A bundle as AppSync code: inline up to AppSync's limit, else an asset file holding the same text."""
    if len(bundle.code.encode("utf-8")) <= MAX_INLINE_CODE_BYTES:
        return appsync.Code.from_inline(bundle.code)
    staged = Path(tempfile.mkdtemp(prefix="appsync-js-bundle-")) / bundle.entry.name
    staged.write_text(bundle.code, encoding="utf-8")
    return appsync.Code.from_asset(str(staged))


def _code(path: Path) -> appsync.Code:
    """The code AppSync runs for one resolver or function file: its bundle."""
    return bundle_code(default_bundler().bundle(path))


class ResolverBuilder:
    """Builds the data sources and resolvers of every binding in a registry.

    Parameters
    ----------
    scope
        Where the AppSync functions and resolvers go (the stack).
    api
        The GraphQL API.
    config
        The app description: data sources and their tables.
    tables, functions
        The deployed tables and Lambda functions, by their names in `appsync.toml`.
    """

    def __init__(
        self,
        scope: Construct,
        api: appsync.GraphqlApi,
        config: AppConfig,
        tables: dict[str, dynamodb.ITable],
        functions: dict[str, lambda_.IFunction],
        api_cache: appsync.CfnApiCache | None = None,
    ) -> None:
        self._scope = scope
        self._api_cache = api_cache
        self._api = api
        self._config = config
        self._tables = tables
        self._functions = functions
        self._data_sources: dict[str, appsync.BaseDataSource] = {}
        self._pipeline_functions: dict[str, appsync.AppsyncFunction] = {}

    def build(self, registry: BindingRegistry) -> dict[str, appsync.Resolver]:
        """One resolver per binding, by `Type.field`."""
        default_bundler().bundle_all(js_code_files(registry))  # one esbuild run for every stale file
        resolvers = {binding.key: self._resolver(binding) for binding in registry}
        for binding in registry:
            if binding.caching is not None and self._api_cache is not None:
                resolvers[binding.key].node.add_dependency(self._api_cache)
        return resolvers

    def _caching(self, binding: Binding) -> appsync.CachingConfig | None:
        """The resolver's CachingConfig: its TTL (or the API cache's) and its caching keys, in order."""
        cache = self._config.api.cache
        if binding.caching is None or cache is None:
            return None
        return appsync.CachingConfig(
            ttl=Duration.seconds(binding.caching.ttl(cache.ttl_seconds)),
            caching_keys=list(binding.caching.caching_keys) or None,
        )

    def _resolver(self, binding: Binding) -> appsync.Resolver:
        construct_id = f"{binding.type_name}{binding.field_name[:1].upper()}{binding.field_name[1:]}Resolver"
        if binding.kind == "LAMBDA":
            assert binding.function is not None
            return self._api.create_resolver(
                construct_id,
                type_name=binding.type_name,
                field_name=binding.field_name,
                data_source=self._lambda_data_source(binding.function),
                max_batch_size=binding.max_batch_size,
                caching_config=self._caching(binding),
            )
        if binding.kind == "JS":
            assert binding.data_source is not None and binding.code is not None
            return self._api.create_resolver(
                construct_id,
                type_name=binding.type_name,
                field_name=binding.field_name,
                data_source=self._data_source(binding.data_source),
                runtime=JS_RUNTIME,
                code=_code(binding.code),
                caching_config=self._caching(binding),
            )
        if binding.kind == "PIPELINE":
            assert binding.code is not None
            return self._api.create_resolver(
                construct_id,
                type_name=binding.type_name,
                field_name=binding.field_name,
                pipeline_config=[self._pipeline_function(step) for step in binding.functions],
                runtime=JS_RUNTIME,
                code=_code(binding.code),
                caching_config=self._caching(binding),
            )
        raise ValueError(f"{binding.key}: unknown binding kind {binding.kind!r}")

    def _lambda_data_source(self, function: str) -> appsync.BaseDataSource:
        key = f"lambda:{function}"
        if key not in self._data_sources:
            self._data_sources[key] = self._api.add_lambda_data_source(
                f"{_identifier(function)}LambdaDataSource",
                self._functions[function],
                name=lambda_data_source_name(function),
            )
        return self._data_sources[key]

    def _data_source(self, name: str) -> appsync.BaseDataSource:
        if name not in self._data_sources:
            source = self._config.data_source(name)
            construct_id = f"{_identifier(name)}DataSource"
            if source.type == "AMAZON_DYNAMODB":
                assert source.table is not None
                if source.access is None:
                    self._data_sources[name] = self._api.add_dynamo_db_data_source(
                        construct_id, self._tables[source.table], name=_identifier(name)
                    )
                else:  # the same construct, under the API as add_dynamo_db_data_source puts it, with its role
                    self._data_sources[name] = appsync.DynamoDbDataSource(
                        self._api,
                        construct_id,
                        api=self._api,
                        table=self._tables[source.table],
                        name=_identifier(name),
                        service_role=ScopedRole(self._scope, f"{construct_id}Role", source.access),
                    )
            elif source.type == "NONE":
                self._data_sources[name] = self._api.add_none_data_source(
                    construct_id, name=_identifier(name)
                )
            else:
                raise ValueError(f"data_sources.{name}: type {source.type!r} is not deployable")
        return self._data_sources[name]

    def _pipeline_function(self, step: PipelineFunction) -> appsync.AppsyncFunction:
        if step.name not in self._pipeline_functions:
            self._pipeline_functions[step.name] = appsync.AppsyncFunction(
                self._scope,
                f"{_identifier(step.name)}AppsyncFunction",
                name=_identifier(step.name),
                api=self._api,
                data_source=self._data_source(step.data_source),
                runtime=JS_RUNTIME,
                code=_code(step.code),
            )
        return self._pipeline_functions[step.name]
