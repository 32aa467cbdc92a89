"""A caller the domain refuses gets AppSync's own refusal of the field, mapped here once.

AppSync answers a field its caller may not use with ``errorType: "Unauthorized"`` and the message
``Not Authorized to access <field> on type <type>``; a Lambda resolver's ``errorType`` is its exception's class
name, so raising ``Unauthorized`` with that message gives the client the very same error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.media.domain.errors import NotEntitledError


class Unauthorized(Exception):  # named as AppSync names the errorType
    """AppSync's refusal of a field: the caller may not have what it resolves to."""


@contextmanager
def refused_as_unauthorized(event: AppSyncResolverEvent | None) -> Iterator[None]:
    """Turn a ``NotEntitledError`` raised inside into ``Unauthorized`` for the event's field."""
    try:
        yield
    except NotEntitledError:
        info = event.info if event is not None else None
        field, parent = (info.field_name, info.parent_type_name) if info is not None else ("field", "Query")
        raise Unauthorized(f"Not Authorized to access {field} on type {parent}") from None
