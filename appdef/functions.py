"""`[functions.<name>]`: each Lambda function is a unit with its own handler, environment and dependencies."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from .base import Definition, StrictInt, StrictStr, named
from .caching import ResolverCachingConfig
from .events import Trigger
from .references import API_URL_ATTRIBUTES, references
from .resources import FieldKey

# Lambda's rules: a letter first, then letters, digits and underscores; Lambda sets the reserved ones itself.
VariableName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
# Lambda's limit on the environment's total size.
MAX_ENVIRONMENT_BYTES = 4096
# `package.module.function`, as Lambda's Handler setting spells it.
HandlerSpec = Annotated[StrictStr, Field(pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")]
ObjectSpec = Annotated[StrictStr, Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")]
# An IAM action on a table, a bucket or the API, as IAM spells it: `dynamodb:GetItem`, `s3:PutObject`.
IamAction = Annotated[StrictStr, Field(pattern=r"^(dynamodb|s3|appsync):[A-Za-z]+$")]
# What a function may do to the API itself (`access.api`): manage its keys, nothing else.
API_KEY_ACTIONS = frozenset(
    {"appsync:CreateApiKey", "appsync:ListApiKeys", "appsync:DeleteApiKey", "appsync:UpdateApiKey"}
)
# A pip requirement: a distribution name, optional extras, an optional version specifier.
Requirement = Annotated[
    StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[\w,.-]+\])?\s*([<>=!~]=?.*)?$")
]


class FunctionConfig(Definition):
    """A Lambda function: handler, the Powertools app of a resolver function, environment, dependencies."""

    name: SkipJsonSchema[str] = named()
    handler: HandlerSpec = Field(description="`package.module.function`, as Lambda's Handler setting.")
    app: ObjectSpec | None = Field(
        None,
        description="Resolver functions: the Powertools AppSyncResolver (`module:attribute`) whose routers "
        "list the fields the function serves.",
    )
    batch_max_size: dict[FieldKey, Annotated[StrictInt, Field(ge=1, le=2000)]] = Field(
        default_factory=dict,
        description='BatchInvoke fields and their maxBatchSize: `{ "Todo.owner" = 100 }`.',
    )
    caching: dict[FieldKey, ResolverCachingConfig] = Field(
        default_factory=dict,
        description="Per-resolver caching of fields this function's routers serve: "
        '`{ "Query.listTodos" = { ttl_seconds = 1, caching_keys = ["$context.identity.sub"] } }`.',
    )
    environment: dict[VariableName, StrictStr] = Field(
        default_factory=dict,
        description="The function's own variables (strings). `${table:T}`, `${bucket:B}`, `${queue:Q}`, "
        "`${stream:S}`, `${cdn:B}`, `${athena:<workgroup>}`, `${glue:<database>}` and `${api:graphql_url}` become the resource's local or deployed value "
        "(and grant the function its use); a value that is a table's or bucket's name becomes its deployed name.",
    )
    api_calls: tuple[FieldKey, ...] = Field(
        (),
        description="The API fields the function calls with its execution role (IAM), e.g. "
        '`["Mutation.publishIngestionResult"]`: its role may call these and no other (deployed as its IAM '
        "policy; refused locally as AppSync refuses a field the caller's policy does not allow). Needed when "
        "its environment names the API's URL.",
    )
    access: dict[StrictStr, tuple[IamAction, ...]] = Field(
        default_factory=dict,
        description="Least privilege: the IAM actions the function may use on a table or bucket its environment "
        'names, e.g. `{ Todos = ["dynamodb:GetItem", "dynamodb:Query"], user-files = ["s3:GetObject"] }`; '
        '`"<bucket>/<key>"` (a `*` allowed) narrows a bucket\'s actions to those objects. A table or bucket not '
        "listed here is granted read and write. `api` lists what the function may do to the API whose id its "
        "environment names (`${api:api_id}`): manage its keys (appsync:CreateApiKey, ListApiKeys, DeleteApiKey, "
        "UpdateApiKey).",
    )
    triggers: tuple[Trigger, ...] = Field(
        (),
        description="What invokes the function besides AppSync: a table's stream, a queue, a Kinesis stream, "
        "S3 events or a schedule (`[[functions.<name>.triggers]] type = …`).",
    )
    requirements: tuple[Requirement, ...] = Field(
        (),
        description="pip requirements the function needs (installed locally by `make setup`; packaged for "
        "arm64 Lambda from wheels).",
    )
    timeout_seconds: StrictInt = Field(30, ge=1, le=900)
    memory_mb: StrictInt = Field(512, ge=128, le=10_240)

    @model_validator(mode="after")
    def _api_calls_name_the_api(self) -> FunctionConfig:
        names_api = any(
            r.kind == "api" and r.name in API_URL_ATTRIBUTES
            for v in self.environment.values()
            for r in references(v)
        )
        if names_api and not self.api_calls:
            raise ValueError(
                "the environment names the API's URL: list the fields the function calls in `api_calls` "
                '(e.g. ["Mutation.publishIngestionResult"]), which its role may call and no other'
            )
        if self.api_calls and not names_api:
            raise ValueError("api_calls is set, but no variable of the environment names the API's URL")
        return self

    @field_validator("environment")
    @classmethod
    def _lambda_accepts(cls, environment: dict[str, str]) -> dict[str, str]:
        reserved = sorted(set(environment) & RESERVED_VARIABLES)
        if reserved:
            raise ValueError(
                f"{', '.join(reserved)} {'is' if len(reserved) == 1 else 'are'} set by Lambda itself"
            )
        size = sum(len(k.encode()) + len(v.encode()) for k, v in environment.items())
        if size > MAX_ENVIRONMENT_BYTES:
            raise ValueError(f"is {size} bytes; Lambda allows {MAX_ENVIRONMENT_BYTES}")
        return environment

    def platform_environment(self) -> dict[str, str]:
        """What every copy of the function gets besides its own `environment`: Powertools' service and log level."""
        return {"POWERTOOLS_SERVICE_NAME": self.name, "POWERTOOLS_LOG_LEVEL": "INFO"}

    @property
    def handler_module(self) -> str:
        return self.handler.rpartition(".")[0]

    @property
    def handler_function(self) -> str:
        return self.handler.rpartition(".")[2]
