"""What APPSYNC_JS's `util` needs from the host: ids, time zones and Java-style time patterns, encodings."""

from __future__ import annotations

import base64
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import quote_plus, unquote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger("appsync_local.js")

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_KSUID_EPOCH = 1_400_000_000


def uuid4() -> str:
    return str(uuid.uuid4())


def ulid() -> str:
    """26 Crockford base32 characters: 48 bits of epoch milliseconds, then 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def ksuid() -> str:
    """27 base62 characters: 32 bits of seconds since 2014-05-13, then 128 random bits."""
    value = int.from_bytes((int(time.time()) - _KSUID_EPOCH).to_bytes(4, "big") + os.urandom(16), "big")
    chars = []
    for _ in range(27):
        value, digit = divmod(value, 62)
        chars.append(_BASE62[digit])
    return "".join(reversed(chars))


# A fixed offset, as Java's ZoneId takes it: "+08:00", "-07:00:30" (AppSync's util.time examples).
_FIXED_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})(?::(\d{2}))?")


def _zone(name: str | None) -> tzinfo:
    if not name or name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    fixed = _FIXED_OFFSET.fullmatch(name)
    if fixed:
        sign, hours, minutes, seconds = fixed.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
        if offset > timedelta(hours=18):
            raise ValueError(f"unknown time zone {name!r}")
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|.", re.DOTALL)


def _tokens(pattern: str) -> list[str]:
    return [m.group(0) for m in _TOKEN.finditer(pattern)]


def _offset(
    dt: datetime, colon: bool, z_for_zero: bool, *, seconds: bool = False, short: bool = False
) -> str:
    """Java's offset patterns: `+HHMM` or `+HH:MM`; `seconds` adds the seconds when there are some (XXXX,
    XXXXX), `short` leaves out zero minutes (X)."""
    delta = dt.utcoffset() or timedelta(0)
    if z_for_zero and not delta:
        return "Z"
    total = int(delta.total_seconds())
    sign = "+" if total >= 0 else "-"
    hours, rest = divmod(abs(total), 3600)
    mins, secs = divmod(rest, 60)
    separator = ":" if colon else ""
    text = f"{sign}{hours:02d}"
    if not (short and mins == 0):
        text += f"{separator}{mins:02d}"
    if seconds and secs:
        text += f"{separator}{secs:02d}"
    return text


_FORMATTERS: dict[str, Callable[[datetime], str]] = {
    "yyyy": lambda d: f"{d.year:04d}",
    "uuuu": lambda d: f"{d.year:04d}",
    "yy": lambda d: f"{d.year % 100:02d}",
    "MMMM": lambda d: d.strftime("%B"),
    "MMM": lambda d: d.strftime("%b"),
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "dd": lambda d: f"{d.day:02d}",
    "d": lambda d: str(d.day),
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{(d.hour % 12) or 12:02d}",
    "h": lambda d: str((d.hour % 12) or 12),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "SS": lambda d: f"{d.microsecond // 10000:02d}",
    "S": lambda d: str(d.microsecond // 100000),
    "a": lambda d: d.strftime("%p"),
    "EEEE": lambda d: d.strftime("%A"),
    "EEE": lambda d: d.strftime("%a"),
    "E": lambda d: d.strftime("%a"),
    "D": lambda d: str(d.timetuple().tm_yday),
    "Z": lambda d: _offset(d, False, False),
    "ZZ": lambda d: _offset(d, False, False),
    "ZZZ": lambda d: _offset(d, False, False),
    "X": lambda d: _offset(d, False, True, short=True),
    "XX": lambda d: _offset(d, False, True),
    "XXX": lambda d: _offset(d, True, True),
    "XXXX": lambda d: _offset(d, False, True, seconds=True),
    "XXXXX": lambda d: _offset(d, True, True, seconds=True),
    "z": lambda d: d.tzname() or "UTC",
}

_PARSERS: dict[str, tuple[str, str | None]] = {
    "yyyy": (r"(\d{4})", "year"),
    "uuuu": (r"(\d{4})", "year"),
    "yy": (r"(\d{2})", "year2"),
    "MMMM": (r"([A-Za-z]+)", "monthname"),
    "MMM": (r"([A-Za-z]{3})", "monthname"),
    "MM": (r"(\d{2})", "month"),
    "M": (r"(\d{1,2})", "month"),
    "dd": (r"(\d{2})", "day"),
    "d": (r"(\d{1,2})", "day"),
    "HH": (r"(\d{2})", "hour"),
    "H": (r"(\d{1,2})", "hour"),
    "hh": (r"(\d{2})", "hour12"),
    "h": (r"(\d{1,2})", "hour12"),
    "mm": (r"(\d{2})", "minute"),
    "m": (r"(\d{1,2})", "minute"),
    "ss": (r"(\d{2})", "second"),
    "s": (r"(\d{1,2})", "second"),
    "SSS": (r"(\d{3})", "millis"),
    "a": (r"(AM|PM|am|pm)", "ampm"),
    "EEEE": (r"[A-Za-z]+", None),
    "EEE": (r"[A-Za-z]{3}", None),
    "E": (r"[A-Za-z]{3}", None),
    "Z": (r"([+-]\d{4}|Z)", "offset"),
    "X": (r"([+-]\d{2}(?::?\d{2})?|Z)", "offset"),
    "XX": (r"([+-]\d{4}|Z)", "offset"),
    "XXX": (r"([+-]\d{2}:\d{2}|Z)", "offset"),
    "XXXX": (r"([+-]\d{4}(?:\d{2})?|Z)", "offset"),
    "XXXXX": (r"([+-]\d{2}:\d{2}(?::\d{2})?|Z)", "offset"),
}


def format_time(epoch_ms: float, pattern: str, zone: str | None) -> str:
    """Format epoch milliseconds with a Java DateTimeFormatter pattern, as AppSync's util.time does."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=_zone(zone))
    out = []
    for token in _tokens(pattern):
        if token.startswith("'"):
            out.append(token[1:-1] or "'")
        elif token in ("[", "]"):
            continue  # an optional section: printed whole when formatting
        elif token in _FORMATTERS:
            out.append(_FORMATTERS[token](moment))
        elif token[0].isalpha():
            raise ValueError(f"unsupported time pattern letters {token!r} in {pattern!r}")
        else:
            out.append(token)
    return "".join(out)


def parse_time(value: str, pattern: str, zone: str | None) -> int:
    """Parse `value` with a Java DateTimeFormatter pattern into epoch milliseconds."""
    regex, fields = [], []
    for token in _tokens(pattern):
        if token.startswith("'"):
            regex.append(re.escape(token[1:-1] or "'"))
        elif token in ("[", "]"):
            regex.append("(?:" if token == "[" else ")?")  # an optional section: may be absent when parsing
        elif token in _PARSERS:
            part, name = _PARSERS[token]
            regex.append(part)
            if name:
                fields.append(name)
        elif token[0].isalpha():
            raise ValueError(f"unsupported time pattern letters {token!r} in {pattern!r}")
        else:
            regex.append(re.escape(token))
    match = re.fullmatch("".join(regex), value)
    if match is None:
        raise ValueError(f"{value!r} does not match the time pattern {pattern!r}")
    # a field of an optional section that was absent is as if the pattern had none
    parts = {name: part for name, part in zip(fields, match.groups(), strict=True) if part is not None}
    year = int(parts.get("year") or 2000 + int(parts.get("year2") or 70) - (0 if "year2" in parts else 30))
    if "monthname" in parts:
        month = datetime.strptime(parts["monthname"][:3].title(), "%b").month
    else:
        month = int(parts.get("month", 1))
    hour = int(parts.get("hour", 0))
    if "hour12" in parts:
        hour = int(parts["hour12"]) % 12 + (12 if parts.get("ampm", "AM").upper() == "PM" else 0)
    tz: tzinfo = _zone(zone)
    if "offset" in parts:
        off = parts["offset"]
        if off == "Z":
            tz = UTC
        else:
            digits = off[1:].replace(":", "")
            offset = timedelta(
                hours=int(digits[:2]), minutes=int(digits[2:4] or 0), seconds=int(digits[4:6] or 0)
            )
            tz = timezone(offset if off[0] == "+" else -offset)
    moment = datetime(
        year,
        month,
        int(parts.get("day", 1)),
        hour,
        int(parts.get("minute", 0)),
        int(parts.get("second", 0)),
        int(parts.get("millis", 0)) * 1000,
        tzinfo=tz,
    )
    return int(moment.timestamp() * 1000)


def parse_iso(value: str) -> int:
    """ISO 8601 date-time to epoch milliseconds (a missing offset means UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def base64_encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def base64_decode(text: str) -> str:
    return base64.b64decode(text.encode("ascii")).decode("utf-8", errors="replace")


def url_encode(text: str) -> str:
    """application/x-www-form-urlencoded, as Java's URLEncoder (AppSync's util.urlEncode) writes it."""
    return quote_plus(text, safe="*-._")


def url_decode(text: str) -> str:
    return unquote_plus(text)


def log(level: str, message: str) -> None:
    logger.log(
        logging.getLevelName(level) if isinstance(logging.getLevelName(level), int) else logging.INFO,
        "%s",
        message,
    )


HOST_FUNCTIONS: dict[str, Callable[..., object]] = {
    "__host_uuid": uuid4,
    "__host_ulid": ulid,
    "__host_ksuid": ksuid,
    "__host_format_time": format_time,
    "__host_parse_time": parse_time,
    "__host_parse_iso": parse_iso,
    "__host_base64_encode": base64_encode,
    "__host_base64_decode": base64_decode,
    "__host_url_encode": url_encode,
    "__host_url_decode": url_decode,
    "__host_log": log,
}
