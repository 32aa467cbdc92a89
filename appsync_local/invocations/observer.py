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


def _point_xray_at(address: str) -> None:
    global _xray_pointed_at
    if _xray_pointed_at == address or "aws_xray_sdk.core" not in sys.modules:
        return
    from aws_xray_sdk.core import xray_recorder  # type: ignore[import-untyped]
    from aws_xray_sdk.core.lambda_launcher import LambdaContext  # type: ignore[import-untyped]

    xray_recorder.configure(daemon_address=address, context=LambdaContext(), context_missing="IGNORE_ERROR")
    _xray_pointed_at = address


@dataclass
class InvocationObserver:
    """The log invocations are kept in, and whether each is echoed to the terminal.

    `tracing` starts the process's local X-Ray daemon and points functions at it (`AWS_XRAY_DAEMON_ADDRESS`);
    functions are told they run in a Lambda task root (`LAMBDA_TASK_ROOT`), as the X-Ray SDK expects.
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

    def loaded(self) -> None:
        """Once the function is imported: if it traces, its X-Ray SDK sends to the local daemon (the SDK
        reads its settings once per process, perhaps before any function ran; this makes sure)."""
        if self.tracing:
            _point_xray_at(collector().address)

    def environment(self) -> dict[str, str]:
        # The X-Ray SDK patches botocore for the whole process once a function traces; the runtime's own calls
        # (outside any invocation, so without a trace header) are then simply not traced.
        variables = {"LAMBDA_TASK_ROOT": str(Path.cwd()), "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
        if self.tracing:
            variables["AWS_XRAY_DAEMON_ADDRESS"] = collector().address
        return variables

    def finished(self, record: InvocationRecord) -> None:
        record.flush()
        if self.echo is not None:
            self.echo(record)
