"""AppSync's ``ka`` messages for every connection from one event-loop timer, not a task per connection.

Every connection has the same interval, so their due times are in the order they were last (re)scheduled: a
FIFO of connections and one timer for the first of them. A connection's ``ka`` comes one interval after it
was enrolled, then one interval after each previous ``ka``, as a sleeping loop per connection would send them.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable, Hashable

DUE_TOLERANCE_SECONDS = 0.001


class KeepAliveClock:
    """Calls ``beat(member)`` every `interval` seconds for each enrolled member, counted from its enrolment.

    Parameters
    ----------
    interval
        Seconds between two beats of one member.
    beat
        Sends one member its keep-alive; returns False when the member is gone (it is then forgotten).
    """

    def __init__(self, interval: float, beat: Callable[[Hashable], bool]) -> None:
        self.interval = interval
        self._beat = beat
        self._due: collections.OrderedDict[Hashable, float] = collections.OrderedDict()
        self._timer: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return len(self._due)

    def enroll(self, member: Hashable) -> None:
        """Start beating for `member` one interval from now (no-op if it is already enrolled)."""
        if member in self._due:
            return
        loop = asyncio.get_running_loop()
        self._due[member] = loop.time() + self.interval
        if self._timer is None:
            self._timer = loop.call_at(self._due[member], self._tick)

    def forget(self, member: Hashable) -> None:
        self._due.pop(member, None)
        if not self._due and self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        # A loop may run a timer up to its clock's resolution early: a member that close to due is due.
        now = loop.time() + DUE_TOLERANCE_SECONDS
        due = self._due
        while due:
            member, when = next(iter(due.items()))
            if when > now:
                break
            del due[member]
            if self._beat(member):
                due[member] = loop.time() + self.interval  # the next beat counts from this one
        if due:
            self._timer = loop.call_at(next(iter(due.values())), self._tick)
