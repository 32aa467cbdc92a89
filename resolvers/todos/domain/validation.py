"""Input rules shared by the services; every failure is a ``ValidationError`` worded for the client."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from resolvers.todos.domain.errors import ValidationError

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 100
BIO_MAX_LENGTH = 1000
FILE_NAME_MAX_LENGTH = 255
CONTENT_TYPE_MAX_LENGTH = 255
ID_MAX_LENGTH = 128

_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


# NUL ends strings in C and many terminals; the bidirectional embedding, override and isolate controls make
# text display in an order other than the one stored ("Trojan Source", CVE-2021-42574). Neither belongs in a
# title, a name or a post; the same list is in resolvers/js/lib/posts.js.
FORBIDDEN_CHARACTERS = "\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_FORBIDDEN = re.compile(f"[{FORBIDDEN_CHARACTERS}\ud800-\udfff]")


def plain_text(value: str, *, field: str) -> str:
    """`value` unless it holds NUL, a bidirectional-override character or a lone surrogate."""
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise ValidationError(
            f"{field} must not contain NUL or bidirectional-override characters "
            f"(U+202A-U+202E, U+2066-U+2069); found U+{ord(found.group()):04X} at position {found.start()}"
        )
    return value


def title(value: object) -> str:
    """A todo title: text, not blank, at most 200 characters (surrounding spaces are dropped)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("title must not be empty")
    stripped = value.strip()
    if len(stripped) > TITLE_MAX_LENGTH:
        raise ValidationError(f"title must be at most {TITLE_MAX_LENGTH} characters (got {len(stripped)})")
    return plain_text(stripped, field="title")


def optional_text(value: object, *, field: str, max_length: int) -> str | None:
    """Optional free text; None and blank both mean 'no value'."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string")
    if len(value) > max_length:
        raise ValidationError(f"{field} must be at most {max_length} characters (got {len(value)})")
    return plain_text(value, field=field) if value.strip() else None


def description(value: object) -> str | None:
    """A todo's optional description."""
    return optional_text(value, field="description", max_length=DESCRIPTION_MAX_LENGTH)


def done(value: object) -> bool:
    """Whether a todo is done: true or false."""
    if not isinstance(value, bool):
        raise ValidationError("done must be true or false")
    return value


def name(value: object) -> str | None:
    """A profile's optional display name."""
    return optional_text(value, field="name", max_length=NAME_MAX_LENGTH)


def bio(value: object) -> str | None:
    """A profile's optional biography."""
    return optional_text(value, field="bio", max_length=BIO_MAX_LENGTH)


def optional_email(value: object) -> str | None:
    """An optional e-mail address (AppSync's AWSEmail has already checked it; this guards direct calls)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _EMAIL.match(value) or len(value) > 254:
        raise ValidationError("email must be a valid e-mail address")
    return value


def expected_version(value: object) -> int:
    """The version a client read: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError("expectedVersion must be a positive integer")
    return value


def looks_like_id(value: object) -> bool:
    """Whether ``value`` could name an item; anything else cannot exist, so callers treat it as not found."""
    return isinstance(value, str) and 0 < len(value) <= ID_MAX_LENGTH and not _has_control_characters(value)


def file_name(value: object, *, field: str = "fileName") -> str:
    """One path segment inside the caller's folder: no separators, no '..', no control characters."""
    if not isinstance(value, str) or value == "":
        raise ValidationError(f"{field} must not be empty")
    if len(value) > FILE_NAME_MAX_LENGTH:
        raise ValidationError(f"{field} must be at most {FILE_NAME_MAX_LENGTH} characters")
    if "/" in value or "\\" in value:
        raise ValidationError(f"{field} must not contain path separators ('/' or '\\')")
    if ".." in value or value == ".":
        raise ValidationError(f"{field} must not contain '..' or be '.'")
    if _has_control_characters(value):
        raise ValidationError(f"{field} must not contain control characters")
    return value


def optional_content_type(value: object) -> str | None:
    """An optional MIME type such as ``image/png``."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or len(value) > CONTENT_TYPE_MAX_LENGTH
        or _has_control_characters(value)
        or not _CONTENT_TYPE.match(value)
    ):
        raise ValidationError("contentType must be a MIME type such as 'image/png'")
    return value


def limit(value: object, *, default: int, minimum: int, maximum: int) -> int:
    """A page size; missing means ``default``, anything outside the range is clamped into it."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("limit must be an integer")
    return max(minimum, min(maximum, value))


_AWS_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$")


def optional_date(value: object, *, field: str = "dueDate") -> str | None:
    """An optional AWSDate (``YYYY-MM-DD`` with an optional zone), kept as the client wrote it."""
    if value is None:
        return None
    match = _AWS_DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(f"{field} must be a date like 2024-12-31")
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        raise ValidationError(f"{field} is not a real calendar date: {value}") from None
    return match.string
