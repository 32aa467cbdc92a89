"""boto3's default session, one per function, as each Lambda container has its own.

`boto3.client("s3")` creates its client from `boto3.DEFAULT_SESSION`, made once per process; its credentials
and region are read when it is made. Functions run in one process, so the first function to call
`boto3.client` would lend its role's credentials to every later one. `install` puts a stand-in in its place
that answers from the current function's own session (made in that function's environment on its first use)
and from one process session elsewhere. A function that calls `boto3.setup_default_session` replaces the
stand-in for the whole process, as that call replaces the default session for its whole container.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from appsync_local import function_modules
from appsync_local.function_modules import ModuleTable

if TYPE_CHECKING:  # boto3 is imported when the stand-in is installed, at a function's first import
    import boto3.session


class FunctionDefaultSession:
    """Stands in for `boto3.DEFAULT_SESSION`: each function's own session, else the process's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: boto3.session.Session | None = None
        self._functions: weakref.WeakKeyDictionary[ModuleTable, boto3.session.Session] = (
            weakref.WeakKeyDictionary()
        )

    def current(self) -> boto3.session.Session:
        """The session of the function running in this context (made now if it has none), or the process's."""
        import boto3.session

        table = function_modules.current()
        with self._lock:
            if table is None:
                if self._process is None:
                    self._process = boto3.session.Session()
                return self._process
            session = self._functions.get(table)
            if session is None:
                session = self._functions[table] = boto3.session.Session()
            return session

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current(), name)


def install() -> None:
    """Put the stand-in in place of boto3's default session (once)."""
    import boto3

    if not isinstance(boto3.DEFAULT_SESSION, FunctionDefaultSession):
        boto3.DEFAULT_SESSION = FunctionDefaultSession()
