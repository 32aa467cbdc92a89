"""Powertools' AppSync resolver and router, recording which fields they serve.

Resolver code uses these exactly like Powertools' own classes (they are subclasses that change nothing in
event handling), so it runs unchanged on Lambda. What they add is `resolver_fields()`: the type and field
of every resolver registered, which the app definition's binding registry reads (Powertools keeps its own
registries private).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import AppSyncResolver as PowertoolsAppSyncResolver
from aws_lambda_powertools.event_handler.graphql_appsync.router import Router as PowertoolsRouter

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True)
class RegisteredField:
    """A field a resolver was registered for; `batch` for (async) batch resolvers."""

    type_name: str
    field_name: str
    batch: bool = False


class _RecordsFields:
    """Records each registration, then lets Powertools register as usual."""

    _fields: list[RegisteredField]

    def _recorded(
        self, register: Decorator, type_name: str, field_name: str | None, *, batch: bool
    ) -> Decorator:
        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self._fields.append(RegisteredField(type_name, field_name or "", batch))
            return register(func)

        return decorator

    def resolver_fields(self) -> tuple[RegisteredField, ...]:
        """Every field registered on this router (and, for an app, on the routers it includes)."""
        return tuple(self._fields)


class Router(_RecordsFields, PowertoolsRouter):
    """Powertools' `Router`, recording its fields."""

    def __init__(self) -> None:
        super().__init__()
        self._fields = []

    def resolver(self, type_name: str = "*", field_name: str | None = None) -> Decorator:
        register = super().resolver(type_name=type_name, field_name=field_name)
        return self._recorded(register, type_name, field_name, batch=False)

    def batch_resolver(
        self,
        type_name: str = "*",
        field_name: str | None = None,
        raise_on_error: bool = False,
        aggregate: bool = True,
    ) -> Decorator:
        register = super().batch_resolver(
            type_name=type_name, field_name=field_name, raise_on_error=raise_on_error, aggregate=aggregate
        )
        return self._recorded(register, type_name, field_name, batch=True)

    def async_batch_resolver(
        self,
        type_name: str = "*",
        field_name: str | None = None,
        raise_on_error: bool = False,
        aggregate: bool = True,
    ) -> Decorator:
        register = super().async_batch_resolver(
            type_name=type_name, field_name=field_name, raise_on_error=raise_on_error, aggregate=aggregate
        )
        return self._recorded(register, type_name, field_name, batch=True)


class AppSyncResolver(_RecordsFields, PowertoolsAppSyncResolver):
    """Powertools' `AppSyncResolver`, recording its own fields and those of the routers it includes."""

    def __init__(self) -> None:
        super().__init__()
        self._fields = []

    def resolver(self, type_name: str = "*", field_name: str | None = None) -> Decorator:
        register = super().resolver(type_name=type_name, field_name=field_name)
        return self._recorded(register, type_name, field_name, batch=False)

    def batch_resolver(
        self,
        type_name: str = "*",
        field_name: str | None = None,
        raise_on_error: bool = False,
        aggregate: bool = True,
    ) -> Decorator:
        register = super().batch_resolver(
            type_name=type_name, field_name=field_name, raise_on_error=raise_on_error, aggregate=aggregate
        )
        return self._recorded(register, type_name, field_name, batch=True)

    def async_batch_resolver(
        self,
        type_name: str = "*",
        field_name: str | None = None,
        raise_on_error: bool = False,
        aggregate: bool = True,
    ) -> Decorator:
        register = super().async_batch_resolver(
            type_name=type_name, field_name=field_name, raise_on_error=raise_on_error, aggregate=aggregate
        )
        return self._recorded(register, type_name, field_name, batch=True)

    def include_router(self, router: PowertoolsRouter) -> None:
        if not isinstance(router, Router):
            raise TypeError("include routers made with resolvers.routing.Router, so their fields are known")
        super().include_router(router)
        self._fields.extend(router.resolver_fields())
