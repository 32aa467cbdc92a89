"""A mapping that answers from the dictionary of whatever runs now: the basis of the process-wide state that is
each Lambda function's own locally (its `os.environ`, its Powertools parameter providers)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, MutableMapping
from typing import TypeVar

V = TypeVar("V")


class ScopedMapping(MutableMapping[str, V]):
    """Every operation goes to `_current()`, the mapping of the function running now (or the process's)."""

    @abstractmethod
    def _current(self) -> MutableMapping[str, V]:
        """The mapping of the function running now, or the process's outside any function."""

    def __getitem__(self, key: str) -> V:
        return self._current()[key]

    def __setitem__(self, key: str, value: V) -> None:
        self._current()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._current()))  # a snapshot: the current mapping may change while iterated

    def __len__(self) -> int:
        return len(self._current())
