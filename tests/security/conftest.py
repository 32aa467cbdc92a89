"""The security suite runs against the same live local API as the contract suite."""

from __future__ import annotations

from tests.contract.conftest import LiveServer, live_server

__all__ = ["LiveServer", "live_server"]
