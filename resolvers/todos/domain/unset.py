"""A marker for 'the client did not send this field', distinct from an explicit null."""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal


class _Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
Unset = Literal[_Unset.UNSET]
