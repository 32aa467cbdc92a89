"""What each local Lambda invocation did: its output (Powertools' logs and EMF metrics), its X-Ray trace,
its duration and outcome, kept for the last invocations and shown at `/_local/invocations`, and summed up
in readable lines on the terminal."""

from __future__ import annotations

from .log import InvocationLog, InvocationRecord, current_record

__all__ = ["InvocationLog", "InvocationRecord", "current_record"]
