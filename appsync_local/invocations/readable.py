"""An invocation's output and trace, summed up as short lines a person reads on the terminal or the page.

Powertools' Logger writes one JSON object per line (`level`, `message`, extra keys), Metrics writes CloudWatch
embedded metric format (an `_aws` object naming the metrics), and the X-Ray SDK sends subsegments with start
and end times; each becomes one line. Other output is kept as written.
"""

from __future__ import annotations

import json
from typing import Any

from .log import InvocationRecord

# Keys every Powertools log line carries; the rest are what the code added.
_STANDARD_KEYS = frozenset(
    {
        "level", "location", "message", "timestamp", "service", "cold_start", "function_name", "function_memory_size",
        "function_arn", "function_request_id", "xray_trace_id", "correlation_id", "sampling_rate", "exception_name",
    }
)  # fmt: skip


def output_lines(record: InvocationRecord) -> list[str]:
    """Each line of output, readable."""
    return [_line(text) for text in record.output]


def _line(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if not isinstance(value, dict):
        return text
    if "_aws" in value:
        return _metrics(value)
    if "level" in value and "message" in value:
        extra = " ".join(f"{k}={_short(v)}" for k, v in value.items() if k not in _STANDARD_KEYS)
        exception = f" ({value['exception_name']})" if value.get("exception_name") else ""
        return f"{value['level']} {value['message']}{exception}{'  ' + extra if extra else ''}"
    return text


def _metrics(value: dict[str, Any]) -> str:
    parts = []
    for directive in value["_aws"].get("CloudWatchMetrics", []):
        namespace = directive.get("Namespace", "")
        for metric in directive.get("Metrics", []):
            name = metric.get("Name", "?")
            amount = value.get(name)
            if isinstance(amount, list) and len(amount) == 1:  # EMF may give a metric's values as a list
                amount = amount[0]
            parts.append(f"{namespace}/{name} = {_short(amount)} {metric.get('Unit', '')}".rstrip())
    return "metrics: " + ", ".join(parts)


def trace_lines(record: InvocationRecord) -> list[str]:
    """The trace's subsegments, outermost first, with their durations."""
    segments = sorted(record.segments, key=lambda s: s.get("start_time", 0))
    lines = []
    for segment in segments:
        duration = (segment.get("end_time", 0) - segment.get("start_time", 0)) * 1000
        fault = " (error)" if segment.get("fault") or segment.get("error") else ""
        lines.append(f"trace: {segment.get('name', '?')} {duration:.0f} ms{fault}")
    return lines


def summary(record: InvocationRecord) -> list[str]:
    return [*output_lines(record), *trace_lines(record)]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
