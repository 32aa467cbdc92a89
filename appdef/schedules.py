"""EventBridge schedule expressions: `rate(5 minutes)` and `cron(Min Hour Day-of-month Month Day-of-week Year)`.

Parsed as EventBridge parses them (eb-rate, eb-cron), with every wildcard it documents (`, - * ? / L W #`), so
an expression the local runtime accepts is one a deployed rule accepts, and it fires at the same minutes
(UTC). `Schedule.next_after(moment)` is the next firing time.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}  # JAN=1 … DEC=12
DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}  # EventBridge numbers Sunday 1
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
# How far ahead to look for a firing time (EventBridge years end at 2199).
_SEARCH_DAYS = 366 * 200


class ScheduleError(ValueError):
    """A schedule expression EventBridge would refuse; the message says why."""


@dataclass(frozen=True)
class _Field:
    values: frozenset[int]  # plain values (and expanded ranges/steps)
    any: bool = False  # `*` or `?`


def _number(text: str, names: dict[str, int], low: int, high: int, what: str) -> int:
    value = names.get(text.upper()) if names else None
    if value is None:
        if not text.isdigit():
            raise ScheduleError(f"{what}: {text!r} is not a number{' or a name' if names else ''}")
        value = int(text)
    if not low <= value <= high:
        raise ScheduleError(f"{what}: {value} is outside {low}-{high}")
    return value


def _field(text: str, low: int, high: int, what: str, names: dict[str, int] | None = None) -> _Field:
    if text in ("*", "?"):
        return _Field(frozenset(range(low, high + 1)), any=True)
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleError(f"{what}: bad increment {step_text!r}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = (
                _number(first, names or {}, low, high, what),
                _number(last, names or {}, low, high, what),
            )
        else:
            start = _number(part, names or {}, low, high, what)
            end = high if step > 1 else start
        if start <= end:
            values.update(range(start, end + 1, step))
        else:  # a range that wraps, e.g. FRI-MON
            values.update(
                v for i, v in enumerate([*range(start, high + 1), *range(low, end + 1)]) if i % step == 0
            )
    return _Field(frozenset(values))


@dataclass(frozen=True)
class _DayOfMonth:
    field: _Field | None = None
    last: bool = False  # L: the last day of the month
    weekday_nearest: int | None = None  # 15W: the weekday nearest the 15th
    last_weekday: bool = False  # LW

    def matches(self, day: date) -> bool:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        if self.last:
            return day.day == days_in_month
        if self.last_weekday:
            return day == _nearest_weekday(day.replace(day=days_in_month), last=True)
        if self.weekday_nearest is not None:
            target = day.replace(day=min(self.weekday_nearest, days_in_month))
            return day == _nearest_weekday(target)
        assert self.field is not None
        return day.day in self.field.values


def _nearest_weekday(day: date, *, last: bool = False) -> date:
    """The weekday nearest `day` within its month (W), as EventBridge defines it."""
    if day.weekday() < 5:
        return day
    if day.weekday() == 5:  # Saturday: Friday, unless that leaves the month
        return day - timedelta(days=1) if day.day > 1 else day + timedelta(days=2)
    # Sunday: Monday, unless that leaves the month (or it is the month's last day)
    if last or day.day == calendar.monthrange(day.year, day.month)[1]:
        return day - timedelta(days=2)
    return day + timedelta(days=1)


@dataclass(frozen=True)
class _DayOfWeek:
    field: _Field | None = None
    last_of: int | None = None  # 5L: the month's last Thursday
    nth: tuple[int, int] | None = None  # 2#1: the month's first Monday

    def matches(self, day: date) -> bool:
        weekday = (day.weekday() + 1) % 7 + 1  # EventBridge: SUN=1 … SAT=7
        if self.last_of is not None:
            return weekday == self.last_of and day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        if self.nth is not None:
            return weekday == self.nth[0] and (day.day - 1) // 7 + 1 == self.nth[1]
        assert self.field is not None
        return weekday in self.field.values


def _day_of_month(text: str) -> _DayOfMonth | None:
    if text == "?":
        return None
    if text == "L":
        return _DayOfMonth(last=True)
    if text == "LW":
        return _DayOfMonth(last_weekday=True)
    if text.endswith("W"):
        return _DayOfMonth(weekday_nearest=_number(text[:-1], {}, 1, 31, "day-of-month"))
    return _DayOfMonth(field=_field(text, 1, 31, "day-of-month"))


def _day_of_week(text: str) -> _DayOfWeek | None:
    if text == "?":
        return None
    if "#" in text:
        day, nth = text.split("#", 1)
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise ScheduleError(f"day-of-week: {text!r}: # takes 1-5")
        return _DayOfWeek(nth=(_number(day, DAYS, 1, 7, "day-of-week"), int(nth)))
    if text.endswith("L") and len(text) > 1:
        return _DayOfWeek(last_of=_number(text[:-1], DAYS, 1, 7, "day-of-week"))
    if text == "L":
        return _DayOfWeek(last_of=7)
    return _DayOfWeek(field=_field(text, 1, 7, "day-of-week", DAYS))


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule expression: a fixed rate, or cron fields."""

    expression: str
    rate_seconds: int | None = None
    minutes: _Field | None = None
    hours: _Field | None = None
    days_of_month: _DayOfMonth | None = None
    months: _Field | None = None
    days_of_week: _DayOfWeek | None = None
    years: _Field | None = None

    def next_after(self, moment: datetime, *, started: datetime | None = None) -> datetime:
        """The first firing time strictly after `moment` (UTC). A rate counts from `started`."""
        moment = moment.astimezone(UTC)
        if self.rate_seconds is not None:
            origin = (started or moment).astimezone(UTC)
            periods = int((moment - origin).total_seconds() // self.rate_seconds) + 1
            return origin + timedelta(seconds=periods * self.rate_seconds)
        assert self.minutes and self.hours and self.months and self.years
        start = (moment + timedelta(minutes=1)).replace(second=0, microsecond=0)
        day = start.date()
        for _ in range(_SEARCH_DAYS):
            if self._day_matches(day):
                first = start if day == start.date() else datetime(day.year, day.month, day.day, tzinfo=UTC)
                for hour in sorted(h for h in self.hours.values if h >= first.hour or day != first.date()):
                    for minute in sorted(self.minutes.values):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if candidate >= first:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleError(f"{self.expression} never fires again")

    def _day_matches(self, day: date) -> bool:
        assert self.months and self.years
        if day.month not in self.months.values or day.year not in self.years.values:
            return False
        if self.days_of_month is not None and not self.days_of_month.matches(day):
            return False
        return self.days_of_week is None or self.days_of_week.matches(day)


def parse_schedule(expression: str) -> Schedule:
    """Parse `rate(...)` or `cron(...)` as EventBridge does; `ScheduleError` says what is wrong."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise ScheduleError(f"{expression}: the value must be a positive whole number")
        if (value == 1) != (not unit.endswith("s")):
            raise ScheduleError(f"{expression}: use the singular unit for 1 and the plural otherwise")
        return Schedule(expression, rate_seconds=value * RATE_UNITS[unit.rstrip("s")])
    cron = _CRON.match(expression)
    if not cron:
        raise ScheduleError(f"{expression!r}: expected rate(<value> <unit>) or cron(<6 fields>)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(
            f"{expression}: cron takes 6 fields (minutes hours day-of-month month day-of-week year)"
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(f"{expression}: one of day-of-month and day-of-week must be ?, and only one")
    if dow.count("#") > 1:
        raise ScheduleError(f"{expression}: day-of-week takes one # expression")
    schedule = Schedule(
        expression,
        minutes=_field(minute, 0, 59, "minutes"),
        hours=_field(hour, 0, 23, "hours"),
        days_of_month=_day_of_month(dom),
        months=_field(month, 1, 12, "month", MONTHS),
        days_of_week=_day_of_week(dow),
        years=_field(year, 1970, 2199, "year"),
    )
    assert schedule.minutes is not None
    if schedule.minutes.any and schedule.hours is not None and schedule.hours.any:
        pass  # every minute: allowed (EventBridge's floor is one minute)
    return schedule
