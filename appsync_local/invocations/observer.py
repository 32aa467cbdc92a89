"""How local invocations are observed: recorded in a log, traced through the local X-Ray daemon, echoed."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import capture
from .log import InvocationLog, InvocationRecord
from .readable import summary
from .xray import collector

logger = logging.getLogger("appsync_local.functions")


def echo_to_terminal(record: InvocationRecord) -> None:
    """A function's logs, metrics and trace, readable, after its invocation (nothing when it had none)."""
    lines = summary(record)
    if record.error:
        lines.append(f"error: {record.error}")
    if not lines:
        return
    head = f"{record.function} ({record.source}, {record.duration_ms:.0f} ms)"
    logger.info("%s\n%s", head, "\n".join(f"    {line}" for line in lines))


_xray_pointed_at: str | None = None
_xray_in_lambda = False


def _xray_as_in_lambda(address: str | None) -> None:
    """The X-Ray SDK's recorder (once a function imported it) reads each invocation's trace header, as in a
    Lambda container, and sends what it samples to `address` (when given: the local daemon)."""
    global _xray_pointed_at, _xray_in_lambda
    if "aws_xray_sdk.core" not in sys.modules or (_xray_in_lambda and address in (None, _xray_pointed_at)):
        return
    from aws_xray_sdk.core import xray_recorder  # type: ignore[import-untyped]
    from aws_xray_sdk.core.lambda_launcher import LambdaContext  # type: ignore[import-untyped]

    settings: dict[str, object] = {"context": LambdaContext(), "context_missing": "IGNORE_ERROR"}
    if address is not None:
        settings["daemon_address"] = address
        _xray_pointed_at = address
    xray_recorder.configure(**settings)
    _xray_in_lambda = True


def _xray_invocation_over() -> None:
    """The X-Ray SDK keeps an invocation's segment for its thread until a later trace header names another
    trace (`LambdaContext`: one process per environment on Lambda, where every call runs inside an invocation).
    Here the thread then serves the runtime's own calls too, which carry no trace header: without this, the
    SDK's botocore patch recorded them in the finished invocation's trace (a JS resolver's DynamoDB call shown
    as the function's). `clear_trace_entities` forgets the thread's segment; the next invocation starts its own
    from its header, as on Lambda."""
    if not _xray_in_lambda:
        return
    from aws_xray_sdk.core import xray_recorder

    xray_recorder.context.clear_trace_entities()


@dataclass
class InvocationObserver:
    """The log invocations are kept in, and whether each is echoed to the terminal.

    `tracing` starts the process's local X-Ray daemon and points functions at it (`AWS_XRAY_DAEMON_ADDRESS`),
    and each invocation's trace header says it is sampled (`sampled`); without it, invocations run as under
    Lambda's PassThrough tracing: the header says not sampled, and a function's Tracer records nothing. Either
    way functions are told they run in a Lambda task root (`LAMBDA_TASK_ROOT`), as the X-Ray SDK expects.
    """

    log: InvocationLog = field(default_factory=InvocationLog)
    echo: Callable[[InvocationRecord], None] | None = None
    tracing: bool = False

    def __post_init__(self) -> None:
        capture.install()
        # Functions run as in a Lambda task root (LAMBDA_TASK_ROOT), so once one traces, the X-Ray SDK has
        # patched botocore for the whole process, and remarks on every call made outside an invocation
        # (the runtime's own, which are rightly untraced). Only its errors are worth showing.
        logging.getLogger("aws_xray_sdk").setLevel(logging.ERROR)
        if self.tracing:
            collector().register(self.log)

    def begin(self) -> None:
        """Before an invocation (and a function's import): output goes through invocation streams, even if
        something replaced `sys.stdout` since (a test runner's capture, say)."""
        capture.install()

    @property
    def sampled(self) -> str:
        """The `Sampled` of invocations' trace headers (`_X_AMZN_TRACE_ID`)."""
        return "1" if self.tracing else "0"

    def loaded(self) -> None:
        """Once the function is imported: if it uses the X-Ray SDK, the SDK reads each invocation's trace header,
        and sends to the local daemon when tracing (the SDK reads its settings once per process, perhaps before
        any function ran; this makes sure)."""
        _xray_as_in_lambda(collector().address if self.tracing else None)

    def environment(self) -> dict[str, str]:
        # The X-Ray SDK patches botocore for the whole process once a function traces; the runtime's own calls
        # (outside any invocation, so without a trace header) are then simply not traced.
        variables = {"LAMBDA_TASK_ROOT": str(Path.cwd()), "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
        if self.tracing:
            variables["AWS_XRAY_DAEMON_ADDRESS"] = collector().address
        return variables

    def finished(self, record: InvocationRecord) -> None:
        """After an invocation, on its thread."""
        _xray_invocation_over()
        record.flush()
        if self.echo is not None:
            self.echo(record)
