"""The custom response headers APPSYNC_JS resolvers add with `util.http.addResponseHeader(s)`, checked as AppSync
checks them (https://docs.aws.amazon.com/appsync/latest/devguide/http-helpers-in-utils-http-js.html):

- a name may not be one of `util.http.copyHeaders`' restricted headers, nor a CORS header, `Vary` or
  `Content-Type`, nor start with `x-amzn-` or `x-amz-`;
- the names and values of a response's custom headers add up to at most 4 KB;
- a header defined twice keeps its latest value;
- a header with an empty or restricted name, or a null value, is left out and a `ResponseHeaderError` is added to
  the operation's errors.

AppSync does not say how a value that is not a string is written: here a number or a boolean is written as JSON
writes it (`7`, `true`), an object or a list as its JSON text. A name that is not an HTTP token, or a value with a
line break or a character outside Latin-1, would not make a valid HTTP header: it is refused the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from appsync_local.errors import AppSyncFieldError

ERROR_TYPE = "ResponseHeaderError"
MAX_BYTES = 4096

# util.http.copyHeaders leaves these out; addResponseHeader refuses them and the ones after.
COPY_RESTRICTED = frozenset(
    {
        "transfer-encoding",
        "connection",
        "host",
        "expect",
        "keep-alive",
        "upgrade",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "content-length",
    }
)
RESTRICTED = COPY_RESTRICTED | {
    "access-control-allow-credentials",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "vary",
    "content-type",
}
RESTRICTED_PREFIXES = ("x-amzn-", "x-amz-")

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


@dataclass
class ResponseHeaders:
    """One response's custom headers: lower-case name -> (name as given, value)."""

    headers: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, name: Any, value: Any) -> AppSyncFieldError | None:
        """Add one header; the error to report instead when AppSync would leave it out."""
        if not isinstance(name, str) or not name:
            return _error(f"A response header needs a name; got {json.dumps(name)}.")
        lower = name.lower()
        if lower in RESTRICTED or lower.startswith(RESTRICTED_PREFIXES):
            return _error(f"The response header {name!r} is restricted.")
        if value is None:
            return _error(f"The response header {name!r} has a null value.")
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        if not _TOKEN.fullmatch(name) or not _VALUE.fullmatch(text):
            return _error(f"The response header {name!r} is not a valid HTTP header.")
        others = sum(len(n) + len(v) for key, (n, v) in self.headers.items() if key != lower)
        if others + len(name) + len(text) > MAX_BYTES:
            return _error(f"The response header {name!r} would take custom headers over {MAX_BYTES} bytes.")
        self.headers[lower] = (name, text)
        return None

    def encoded(self) -> list[tuple[bytes, bytes]]:
        """The headers as ASGI sends them."""
        return [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in self.headers.values()
        ]


def _error(message: str) -> AppSyncFieldError:
    return AppSyncFieldError(message, ERROR_TYPE)
