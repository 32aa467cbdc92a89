"""The base of every model in the app definition: strict, frozen, unknown keys refused."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.json_schema import SkipJsonSchema

__all__ = ["KEY", "Definition", "Name", "StrictBool", "StrictInt", "StrictStr", "Text", "named"]

# A named entry (`[tables.<name>]`) learns its name from its key, under this alias: never written in the file.
KEY = "__key__"


class Definition(BaseModel):
    """A table of `appsync.toml`: its keys are exactly the fields, values keep their TOML types."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, validate_default=False)

    @classmethod
    def named(cls, name: str, **fields: Any) -> Self:
        """A named entry built in code, as the file's `[<section>.<name>]` would give it."""
        return cls.model_validate({**fields, KEY: name})


def named() -> SkipJsonSchema[str]:
    """The field that holds an entry's own key (`[tables.Todos]` -> "Todos")."""
    return Field(default="", alias=KEY)


# A name AWS accepts for tables, data sources, functions: letters, digits, `_`, `-` and `.`.
Name = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
# Free text: a description.
Text = Annotated[StrictStr, Field(max_length=256)]
