"""Use cases for each user's private files: short-lived presigned upload and download URLs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from resolvers.todos.domain import validation
from resolvers.todos.domain.errors import UnauthorizedError, ValidationError
from resolvers.todos.domain.models import FileUrl, aws_datetime
from resolvers.todos.domain.ports import FileUrlSigner

USER_FOLDER = "users"


class FileService:
    """Presigned URLs confined to ``users/<sub>/``: a key is one safe path segment inside that folder.

    Parameters
    ----------
    signer
        Presigns object URLs.
    clock
        Returns the current time (timezone-aware).
    url_ttl_seconds
        How long a URL stays valid.
    """

    def __init__(self, signer: FileUrlSigner, *, clock: Callable[[], datetime], url_ttl_seconds: int):
        self._signer = signer
        self._clock = clock
        self._ttl = url_ttl_seconds

    def create_upload_url(self, owner_id: str, file_name: object, content_type: object = None) -> FileUrl:
        """A PUT URL for ``users/<owner_id>/<file_name>``."""
        name = validation.file_name(file_name, field="fileName")
        mime = validation.optional_content_type(content_type)
        expires_at = self._expires_at()
        url = self._signer.presign_upload(
            self.object_key(owner_id, name), content_type=mime, expires_in=self._ttl
        )
        return FileUrl(key=name, url=url, method="PUT", expires_at=expires_at)

    def download_url(self, owner_id: str, key: object) -> FileUrl:
        """A GET URL for ``users/<owner_id>/<key>``."""
        name = validation.file_name(key, field="key")
        expires_at = self._expires_at()
        url = self._signer.presign_download(self.object_key(owner_id, name), expires_in=self._ttl)
        return FileUrl(key=name, url=url, method="GET", expires_at=expires_at)

    @staticmethod
    def object_key(owner_id: str, name: str) -> str:
        """The bucket key of ``name`` in ``owner_id``'s folder."""
        try:
            validation.file_name(owner_id, field="owner")
        except ValidationError:
            # A sub that is not a single safe segment could escape the folder; refuse rather than guess.
            raise UnauthorizedError("The caller's identity cannot own files") from None
        return f"{USER_FOLDER}/{owner_id}/{name}"

    def _expires_at(self) -> str:
        return aws_datetime(self._clock() + timedelta(seconds=self._ttl))
