"""A small schema that exercises the runtime itself (it knows nothing of the app's domains)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class Color(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.input
class EchoInput:
    text: str
    color: Color | None = strawberry.UNSET


@strawberry.type
class Node:
    id: strawberry.ID
    name: str
    color: Color
    parent: Node | None
    tags: list[str] | None

    @strawberry.field
    def label(self) -> str: ...


@strawberry.type
class Query:
    @strawberry.field
    def node(self, id: strawberry.ID) -> Node | None: ...

    @strawberry.field
    def nodes(self, count: int) -> list[Node]: ...

    @strawberry.field
    def echo(self, input: EchoInput | None = None) -> str: ...

    @strawberry.field
    def fail(self, message: str) -> str | None: ...

    @strawberry.field
    def spin(self, seconds: float) -> str | None: ...

    @strawberry.field
    def unmarshalable(self) -> str | None: ...

    @strawberry.field
    def shapes(self, kind: str) -> list[Node | None]: ...


schema = strawberry.Schema(query=Query)
