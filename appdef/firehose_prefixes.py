"""Firehose's S3 prefixes: `!{timestamp:<Java DateTimeFormatter pattern>}`, `!{firehose:random-string}` and
`!{firehose:error-output-type}`, checked as Firehose checks them and evaluated as it evaluates them (fh-prefix).

The rules (Firehose developer guide, "Custom prefixes for Amazon S3 objects", semantic rules):
- a prefix without a `timestamp` expression gets `!{timestamp:yyyy/MM/dd/HH/}` appended;
- `!{` appears only in `!{namespace:value}` expressions;
- the error output prefix may be empty only when the prefix has no expressions; then failed records go to
  `<prefix><error-output-type>/yyyy/MM/dd/HH/`;
- an error output prefix with expressions holds `!{firehose:error-output-type}`; the prefix never does;
- neither is longer than 512 characters once evaluated;
- every `timestamp` instance of one prefix is the same instant (the oldest record's arrival, UTC); every
  `random-string` is a new 11-character string.

Dynamic partitioning's namespaces (`partitionKeyFromQuery`, `partitionKeyFromLambda`) are refused: the
local runtime does not partition. Timestamp patterns are Java's `DateTimeFormatter` patterns; the letters
evaluated here are `y u M L d D H h m s S E a`, with `'quoted text'` and `''` as Java has them.
"""

from __future__ import annotations

import calendar
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

ERROR_OUTPUT_TYPES = ("processing-failed",)  # what the local runtime writes (no format conversion, no Splunk)
DEFAULT_TIME_PREFIX = "!{timestamp:yyyy/MM/dd/HH/}"
MAX_EVALUATED_LENGTH = 512
MAX_PREFIX_LENGTH = 1024  # ExtendedS3DestinationConfiguration.Prefix / ErrorOutputPrefix
RANDOM_STRING_LENGTH = 11
_DYNAMIC = ("partitionKeyFromQuery", "partitionKeyFromLambda")
_EXPRESSION = re.compile(r"!\{([^:}]*):([^}]*)\}")
# The longest names a month and a weekday have: the instant used to check the evaluated length.
_LONGEST = datetime(2000, 9, 27, 23, 59, 59, 999_999)


class PrefixError(ValueError):
    """A prefix Firehose would refuse (or one the local runtime cannot evaluate)."""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Timestamp:
    pattern: str
    fields: tuple[tuple[str, int] | str, ...]  # (letter, count) or literal text


@dataclass(frozen=True)
class FirehoseValue:
    value: str  # "random-string" | "error-output-type"


Part = Text | Timestamp | FirehoseValue


@dataclass(frozen=True)
class Prefix:
    """A parsed prefix."""

    text: str
    parts: tuple[Part, ...]

    @property
    def has_expressions(self) -> bool:
        return any(not isinstance(p, Text) for p in self.parts)

    @property
    def has_timestamp(self) -> bool:
        return any(isinstance(p, Timestamp) for p in self.parts)

    @property
    def has_error_output_type(self) -> bool:
        return any(isinstance(p, FirehoseValue) and p.value == "error-output-type" for p in self.parts)

    def evaluate(
        self,
        moment: datetime,
        *,
        error_output_type: str | None = None,
        random: Callable[[], str] | None = None,
    ) -> str:
        """The prefix at `moment` (UTC); `random` makes each `random-string` (a new one each time)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Text):
                out.append(part.text)
            elif isinstance(part, Timestamp):
                out.append(_format(part.fields, moment))
            elif part.value == "random-string":
                out.append((random or random_string)())
            else:
                out.append(error_output_type or ERROR_OUTPUT_TYPES[0])
        return "".join(out)


def random_string() -> str:
    """Firehose's `!{firehose:random-string}`: 11 characters."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(RANDOM_STRING_LENGTH))


def parse_prefix(text: str) -> Prefix:
    """Parse a prefix; `PrefixError` says what Firehose would refuse."""
    if len(text) > MAX_PREFIX_LENGTH:
        raise PrefixError(f"is {len(text)} characters; Firehose allows {MAX_PREFIX_LENGTH}")
    parts: list[Part] = []
    position = 0
    while position < len(text):
        start = text.find("!{", position)
        if start == -1:
            parts.append(Text(text[position:]))
            break
        if start > position:
            parts.append(Text(text[position:start]))
        match = _EXPRESSION.match(text, start)
        if match is None:
            raise PrefixError(
                f"`!{{` at character {start + 1} starts no `!{{namespace:value}}` expression (Firehose's rule)"
            )
        parts.append(_expression(match.group(1), match.group(2)))
        position = match.end()
    prefix = Prefix(text, tuple(parts))
    evaluated = prefix.evaluate(_LONGEST)
    if len(evaluated) > MAX_EVALUATED_LENGTH:
        raise PrefixError(f"evaluates to {len(evaluated)} characters; Firehose allows {MAX_EVALUATED_LENGTH}")
    return prefix


def _expression(namespace: str, value: str) -> Part:
    if namespace == "timestamp":
        return Timestamp(value, compile_pattern(value))
    if namespace == "firehose":
        if value not in ("random-string", "error-output-type"):
            raise PrefixError(
                f"!{{firehose:{value}}}: the firehose namespace has random-string and error-output-type"
            )
        return FirehoseValue(value)
    if namespace in _DYNAMIC:
        raise PrefixError(
            f"!{{{namespace}:{value}}} needs dynamic partitioning, which the local runtime does not emulate"
        )
    raise PrefixError(f"!{{{namespace}:{value}}}: the namespaces are timestamp and firehose")


# -- checks across the two prefixes ---------------------------------------------------------------------


@dataclass(frozen=True)
class S3Prefixes:
    """A delivery stream's prefix and error output prefix, as Firehose completes them."""

    prefix: Prefix
    error_prefix: Prefix | None

    @classmethod
    def parse(cls, prefix: str, error_prefix: str | None) -> S3Prefixes:
        """Both prefixes, checked together; `PrefixError` names the key (`prefix` or `error_prefix`)."""
        try:
            parsed = parse_prefix(prefix)
        except PrefixError as exc:
            raise PrefixError(f"prefix {exc}") from None
        if parsed.has_error_output_type:
            raise PrefixError("prefix: !{firehose:error-output-type} is allowed only in error_prefix")
        errors: Prefix | None = None
        if error_prefix:
            try:
                errors = parse_prefix(error_prefix)
            except PrefixError as exc:
                raise PrefixError(f"error_prefix {exc}") from None
            if errors.has_expressions and not errors.has_error_output_type:
                raise PrefixError(
                    "error_prefix: an error prefix with expressions must hold !{firehose:error-output-type}"
                )
        elif parsed.has_expressions:
            raise PrefixError("error_prefix is required when prefix has expressions (Firehose's rule)")
        return cls(parsed, errors)

    def data_prefix(self, moment: datetime, random: Callable[[], str] | None = None) -> str:
        """Where delivered objects go: the prefix, with `yyyy/MM/dd/HH/` appended when it has no timestamp."""
        evaluated = self.prefix.evaluate(moment, random=random)
        if not self.prefix.has_timestamp:
            evaluated += _format(compile_pattern("yyyy/MM/dd/HH/"), moment)
        return evaluated

    def error_output_prefix(
        self, moment: datetime, error_output_type: str, random: Callable[[], str] | None = None
    ) -> str:
        """Where failed records go: the error prefix evaluated, or `<prefix><type>/yyyy/MM/dd/HH/`."""
        time_path = _format(compile_pattern("yyyy/MM/dd/HH/"), moment)
        if self.error_prefix is None:
            return f"{self.prefix.text}{error_output_type}/{time_path}"
        if not self.error_prefix.has_expressions:
            return f"{self.error_prefix.text}{error_output_type}/{time_path}"
        return self.error_prefix.evaluate(moment, error_output_type=error_output_type, random=random)


# -- Java DateTimeFormatter patterns ----------------------------------------------------------------------

# letter -> the largest count Java accepts for it (and the local runtime evaluates)
_LETTERS = {"y": 19, "u": 19, "M": 5, "L": 5, "d": 2, "D": 3, "H": 2, "h": 2, "m": 2, "s": 2, "S": 9,
            "E": 5, "a": 1}  # fmt: skip
_RESERVED = "#{}[]"


def compile_pattern(pattern: str) -> tuple[tuple[str, int] | str, ...]:
    """A Java `DateTimeFormatter` pattern as (letter, count) fields and literal text."""
    fields: list[tuple[str, int] | str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            if pattern.startswith("''", index):  # '' outside quotes is a quote
                fields.append("'")
                index += 2
                continue
            literal, index = _quoted(pattern, index + 1)
            fields.append(literal)
        elif char.isascii() and char.isalpha():
            count = 1
            while index + count < len(pattern) and pattern[index + count] == char:
                count += 1
            if char not in _LETTERS:
                raise PrefixError(
                    f"timestamp pattern {pattern!r}: the letter {char!r} is not evaluated locally "
                    f"(the letters are {' '.join(_LETTERS)}; quote text with '…')"
                )
            if count > _LETTERS[char]:
                raise PrefixError(f"timestamp pattern {pattern!r}: too many pattern letters: {char * count}")
            fields.append((char, count))
            index += count
        elif char in _RESERVED:
            raise PrefixError(f"timestamp pattern {pattern!r}: {char!r} is reserved (quote it: '{char}')")
        else:
            fields.append(char)
            index += 1
    return tuple(fields)


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    """Quoted text from `start` (after the opening quote) to its closing quote; `''` inside is a quote."""
    literal = ""
    while True:
        close = pattern.find("'", start)
        if close == -1:
            raise PrefixError(f"timestamp pattern {pattern!r}: a quote is not closed")
        literal += pattern[start:close]
        if not pattern.startswith("''", close):
            return literal, close + 1
        literal += "'"
        start = close + 2


def format_timestamp(pattern: str, moment: datetime) -> str:
    """`moment` as Java's `DateTimeFormatter.ofPattern(pattern)` formats it."""
    return _format(compile_pattern(pattern), moment)


def _format(fields: tuple[tuple[str, int] | str, ...], moment: datetime) -> str:
    return "".join(field if isinstance(field, str) else _field(*field, moment) for field in fields)


def _field(letter: str, count: int, moment: datetime) -> str:
    if letter in "yu":
        return f"{moment.year % 100:02d}" if count == 2 else f"{moment.year:0{count}d}"
    if letter in "ML":
        if count >= 3:
            name = calendar.month_name[moment.month]
            return name[:3] if count == 3 else name if count == 4 else name[0]
        return f"{moment.month:0{count}d}"
    if letter == "E":
        name = calendar.day_name[moment.weekday()]
        return name[:3] if count <= 3 else name if count == 4 else name[0]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "S":
        return f"{moment.microsecond:06d}{'0' * 3}"[:count]
    value = {
        "d": moment.day,
        "D": moment.timetuple().tm_yday,
        "H": moment.hour,
        "h": (moment.hour % 12) or 12,
        "m": moment.minute,
        "s": moment.second,
    }[letter]
    return f"{value:0{count}d}"
