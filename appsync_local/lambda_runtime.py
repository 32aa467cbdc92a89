"""Lambda functions invoked in-process, with the event, context and environment AWS Lambda would give them.

Each function runs in execution environments as on Lambda (`lambda_environments`): an environment imports the
function's module once, on first use, inside its own environment (Lambda's variables, the local AWS endpoints
and the function's `environment`, nothing of any other function's), and serves one invocation at a time
(Powertools' resolver app keeps per-invocation state on a module global, exactly as it may on Lambda).
Invocations that overlap run side by side, each in an environment of its own, a new one made (a cold start)
when every one is busy. Events and results cross a JSON boundary, as they do on AWS, so a handler that returns
something Lambda could not marshal (a `Decimal`, a `datetime`) fails here too. Each environment has its own
copies of the app's modules (`function_modules`) and its own boto3 default session (`function_sessions`): a
module two functions import holds two states, as in two containers, and a runtime built later in the process
starts from fresh modules, as a new deployment does. Libraries (boto3, Powertools) are the process's, shared,
except the Powertools state Lambda keeps per container: each environment has its own metrics set, its own
cold start and its own Powertools loggers (`function_powertools`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from appdef import ConfigError, FunctionConfig
from appdef.bindings import BindingError
from appdef.references import Reference, substitute

from . import function_modules, function_powertools, function_sessions
from .access_key import AccessKey
from .endpoint_redaction import redact_local_endpoints
from .errors import LambdaError
from .function_environ import function_scope, process_environ
from .function_modules import ModuleTable
from .function_timeout import WATCHDOG, TimedOut
from .invocations.log import InvocationRecord, new_trace_id
from .invocations.observer import InvocationObserver
from .lambda_environments import EnvironmentPool, ExecutionEnvironment, new_log_stream

ACCOUNT_ID = "000000000000"


# A function's execution role credentials (the local IAM's, so its signed calls to the API verify).
RoleCredentials = AccessKey


# What a function's environment takes from the process: the OS basics and the local AWS services
# (standing in for the network and the execution role's credentials Lambda provides).
PASSED_FROM_PROCESS = (
    "PATH",
    "LANG",
    "LC_ALL",
    "HOME",
    "TMPDIR",
    "SSL_CERT_FILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CA_BUNDLE",
)
PASSED_PREFIXES = ("AWS_ENDPOINT_URL",)


# Lambda's limit on a synchronous invocation's request and response payloads (Invoke: 6 MB).
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024


@dataclass
class LambdaContext:
    """The attributes of AWS Lambda's context object that handlers and Powertools read."""

    function_name: str
    region: str
    timeout_seconds: int
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # its environment's (AWS_LAMBDA_LOG_STREAM_NAME); a Lambda-shaped name for a context made directly
    log_stream_name: str = field(default_factory=new_log_stream)
    # Set for mobile SDK invocations only: None when AppSync, a queue or a stream invokes the function.
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_environment(
    config: FunctionConfig,
    region: str,
    process: Mapping[str, str],
    resolve: Callable[[Reference], str] | None = None,
    role: RoleCredentials | None = None,
    *,
    log_stream: str,
) -> dict[str, str]:
    """The environment Lambda gives an execution environment of `config`: its reserved variables (its execution
    role's credentials, when given), then the function's own (with `${kind:name}` references resolved)."""
    passed = {k: v for k, v in process.items() if k in PASSED_FROM_PROCESS or k.startswith(PASSED_PREFIXES)}
    reserved = {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "_HANDLER": config.handler,
        "TZ": ":UTC",
    }
    if role is not None:
        reserved.update(
            AWS_ACCESS_KEY_ID=role.access_key_id,
            AWS_SECRET_ACCESS_KEY=role.secret_access_key,
            AWS_SESSION_TOKEN=role.session_token or "",
        )
    own = {k: substitute(v, resolve) if resolve else v for k, v in config.environment.items()}
    return {**passed, **reserved, **config.platform_environment(), **own}


def missing_requirements(config: FunctionConfig) -> list[str]:
    """The function's requirements that the running Python does not satisfy."""
    missing = []
    for text in config.requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            missing.append(f"{text} (not a valid requirement)")
            continue
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{text} ({installed} is installed)")
    return missing


class LocalFunction:
    """One Lambda function, invoked in-process in execution environments of its own."""

    def __init__(
        self,
        config: FunctionConfig,
        region: str,
        resolve: Callable[[Reference], str] | None = None,
        observer: InvocationObserver | None = None,
        role: RoleCredentials | None = None,
    ) -> None:
        self.config = config
        self.region = region
        self._resolve = resolve
        self.observer = observer or InvocationObserver()
        self.role = role
        self.invocations = 0
        self._counting = threading.Lock()
        self.environments = EnvironmentPool(self._new_environment)
        function_modules.prepare(config.handler_module)

    @property
    def name(self) -> str:
        return self.config.name

    def _new_environment(self) -> ExecutionEnvironment:
        """A cold execution environment: Lambda's variables for it, and no module of the app imported yet."""
        log_stream = new_log_stream()
        environ = lambda_environment(
            self.config, self.region, process_environ(), self._resolve, self.role, log_stream=log_stream
        )
        environ.update(self.observer.environment())
        return ExecutionEnvironment(environ, ModuleTable.for_module(self.config.handler_module), log_stream)

    @property
    def environ(self) -> dict[str, str]:
        """The `os.environ` of the environment used last (made at its cold start, kept while it is warm)."""
        return self.environments.latest().environ

    @property
    def modules(self) -> ModuleTable:
        """The app's modules as the environment used last imported them: its own, no other environment's."""
        return self.environments.latest().modules

    def check(self) -> None:
        """Refuse, naming the key, a function whose requirements are missing or whose handler does not import."""
        missing = missing_requirements(self.config)
        if missing:
            raise ConfigError(
                f"functions.{self.name}.requirements: {', '.join(missing)} not installed; `make setup` installs "
                "every function's requirements"
            )
        self._load_handler(self.environments.latest())

    def import_object(self, spec: str) -> Any:
        """`module:attribute`, imported inside the function's environment (its app, for the bindings)."""
        module_name, _, attribute = spec.partition(":")
        environment = self.environments.latest()
        with self._scope(environment):
            module = self._import(environment, module_name, "app")
        try:
            return getattr(module, attribute)
        except AttributeError:
            raise BindingError(f"functions.{self.name}.app: {module_name} has no {attribute!r}") from None

    def module(self, name: str) -> ModuleType:
        """The copy of module `name` of the environment used last (imported in it if it has not been yet):
        where a test reads the state a handler keeps, as it could in the function's container."""
        environment = self.environments.latest()
        with self._scope(environment):
            return environment.modules.import_module(name)

    def module_copies(self, name: str) -> list[ModuleType]:
        """Module `name` as each live environment has it (imported where it has not been yet), the oldest
        environment first: where a test reads what every invocation of the function kept, whichever
        environment ran it."""
        copies = []
        for environment in self.environments.live():
            with self._scope(environment):
                copies.append(environment.modules.import_module(name))
        return copies

    @contextlib.contextmanager
    def _scope(self, environment: ExecutionEnvironment) -> Iterator[None]:
        """Run the block as this function's code in `environment`: its variables, its modules (and with them its
        boto3 default session and Powertools state)."""
        function_sessions.install()
        function_powertools.install()
        with function_scope(environment.environ), environment.modules.scope():
            yield

    def _import(self, environment: ExecutionEnvironment, module_name: str, key: str) -> Any:
        try:
            return environment.modules.import_module(module_name)
        except Exception as exc:  # whatever the module raises, the refusal names the key and the cause
            raise ConfigError(
                f"functions.{self.name}.{key}: {module_name} does not import: {type(exc).__name__}: {exc}"
            ) from exc

    def _load_handler(self, environment: ExecutionEnvironment) -> Callable[[Any, Any], Any]:
        if environment.handler is None:
            with self._scope(environment):
                module = self._import(environment, self.config.handler_module, "handler")
            handler = getattr(module, self.config.handler_function, None)
            if not callable(handler):
                raise ConfigError(
                    f"functions.{self.name}.handler: {self.config.handler_module} has no function "
                    f"{self.config.handler_function!r}"
                )
            environment.handler = handler
        return environment.handler

    def invoke(self, event: Any, *, source: str = "appsync") -> Any:
        """Invoke synchronously; a raised exception becomes `LambdaError(errorType, errorMessage)`.

        The invocation is recorded (output, trace, duration, outcome) in the observer's invocation log.
        """
        payload = json.dumps(event)
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise LambdaError(
                f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the Invoke operation",
                "RequestEntityTooLargeException",
            )
        with self.environments.environment() as environment:
            self.observer.begin()
            handler = self._load_handler(environment)
            self.observer.loaded()
            with self._counting:
                self.invocations += 1
            context = LambdaContext(
                self.config.name,
                self.region,
                self.config.timeout_seconds,
                self.config.memory_mb,
                log_stream_name=environment.log_stream,
            )
            trace_id = new_trace_id()
            environ = environment.environ
            environ["_X_AMZN_TRACE_ID"] = (
                f"Root={trace_id};Parent={uuid.uuid4().hex[:16]};Sampled={self.observer.sampled}"
            )
            recording = self.observer.log.recording(self.name, source, context.aws_request_id, trace_id)
            try:
                with recording as record, self._scope(environment):
                    result = self._run(handler, json.loads(payload), context, record, environment)
            finally:
                self.observer.finished(record)
        try:
            response = json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise LambdaError(f"Unable to marshal response: {exc}", "Runtime.MarshalError") from exc
        size = len(response.encode())
        if size > MAX_PAYLOAD_BYTES:
            raise LambdaError(
                f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
                f"({MAX_PAYLOAD_BYTES} bytes).",
                "Function.ResponseSizeTooLarge",
            )
        return json.loads(response)

    def _run(
        self,
        handler: Callable[[Any, Any], Any],
        event: Any,
        context: LambdaContext,
        record: InvocationRecord,
        environment: ExecutionEnvironment,
    ) -> Any:
        """The handler's result, or the LambdaError Lambda reports for how it ended."""
        timeout = self.config.timeout_seconds
        try:
            with WATCHDOG.deadline(timeout, environment.modules.owns) as deadline:
                try:
                    result = handler(event, context)
                except Exception as exc:  # the Lambda runtime reports any exception the same way
                    if not deadline.expired:
                        record.error = f"{type(exc).__name__}: {exc}"
                        message = redact_local_endpoints(str(exc) or type(exc).__name__, environment.environ)
                        raise LambdaError(message, type(exc).__name__) from exc
                except SystemExit as exc:  # the function's process ends; Lambda reports it, the API goes on
                    status = exc.code if isinstance(exc.code, int) else 1
                    record.error = f"SystemExit: {exc.code}"
                    raise LambdaError(
                        f"Runtime exited with error: exit status {status}", "Runtime.ExitError"
                    ) from None
        except TimedOut:
            pass
        if not deadline.expired:
            return result
        # Lambda resets the environment of an invocation it timed out: its state is gone, and the next
        # invocation that finds no warm environment starts cold.
        environment.retired = True
        elapsed = f"Task timed out after {max(deadline.elapsed(), timeout):.2f} seconds"
        record.error = f"Sandbox.Timedout: {elapsed}"
        raise LambdaError(f"RequestId: {context.aws_request_id} Error: {elapsed}", "Sandbox.Timedout")

    async def ainvoke(self, event: Any) -> Any:
        """`invoke` on a thread: an invocation that overlaps another runs beside it, in an environment of its
        own, as on Lambda."""
        return await asyncio.to_thread(self.invoke, event)
