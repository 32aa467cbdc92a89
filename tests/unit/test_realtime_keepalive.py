"""One keep-alive clock for every connection: each member's beats an interval apart, from its enrolment."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable

from appsync_local.realtime.keepalive import DUE_TOLERANCE_SECONDS, KeepAliveClock

INTERVAL = 0.05


class Beats:
    """Records when each member was beaten; `until` waits for a member's n-th beat."""

    def __init__(self, gone: frozenset[str] = frozenset()) -> None:
        self.times: dict[Hashable, list[float]] = {}
        self.gone = gone
        self.changed = asyncio.Event()

    def __call__(self, member: Hashable) -> bool:
        self.times.setdefault(member, []).append(asyncio.get_running_loop().time())
        self.changed.set()
        return member not in self.gone

    async def until(self, member: str, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.times.get(member, ())) < count:
                self.changed.clear()
                await self.changed.wait()


async def test_each_member_beats_every_interval_counted_from_its_own_enrolment() -> None:
    beats = Beats()
    clock = KeepAliveClock(INTERVAL, beats)
    loop = asyncio.get_running_loop()
    # GIVEN two members enrolled at different times
    enrolled = {"a": loop.time()}
    clock.enroll("a")
    await beats.until("a", 1)
    enrolled["b"] = loop.time()
    clock.enroll("b")
    clock.enroll("b")  # enrolling twice changes nothing
    # WHEN each has been beaten three times
    await beats.until("a", 4)
    await beats.until("b", 3)
    # THEN each beat came at least an interval after the member's enrolment or its previous beat
    for member, times in beats.times.items():
        steps = [later - earlier for earlier, later in zip([enrolled[member], *times], times, strict=False)]
        assert all(step >= INTERVAL - DUE_TOLERANCE_SECONDS for step in steps), (member, steps)
    # AND b's beats are its own: b was enrolled after a's first beat, so its first beat follows a's second
    assert beats.times["b"][0] >= beats.times["a"][1]
    clock.forget("a")
    clock.forget("b")
    assert len(clock) == 0


async def test_a_forgotten_member_and_a_gone_one_are_beaten_no_more() -> None:
    beats = Beats(gone=frozenset({"gone"}))
    clock = KeepAliveClock(INTERVAL, beats)
    # GIVEN three members, one of which reports itself gone when beaten, one forgotten at once
    for member in ("stays", "gone", "forgotten"):
        clock.enroll(member)
    clock.forget("forgotten")
    # WHEN the one that stays has been beaten three times
    await beats.until("stays", 3)
    # THEN the gone one was beaten once only, the forgotten one never
    assert len(beats.times["gone"]) == 1
    assert "forgotten" not in beats.times
    assert len(clock) == 1
    clock.forget("stays")
    assert len(clock) == 0
