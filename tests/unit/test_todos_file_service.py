"""FileService: keys stay inside the caller's folder, URLs are short-lived."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.todos.domain.errors import UnauthorizedError, ValidationError
from resolvers.todos.domain.file_service import FileService
from tests.fakes.todos import InMemoryFileUrlSigner

ALICE = "11111111-aaaa-4aaa-8aaa-111111111111"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def service() -> FileService:
    return FileService(InMemoryFileUrlSigner(), clock=lambda: NOW, url_ttl_seconds=300)


def test_upload_url_targets_the_callers_folder(service: FileService) -> None:
    # GIVEN / WHEN alice asks to upload a photo
    file_url = service.create_upload_url(ALICE, "holiday photo.jpg", "image/jpeg")

    # THEN the URL puts users/<sub>/<name>, signed for the content type, and expires after the TTL
    assert file_url.key == "holiday photo.jpg"
    assert file_url.method == "PUT"
    assert file_url.url.startswith(f"memory://user-files/users/{ALICE}/holiday%20photo.jpg?method=PUT")
    assert "content-type=image%2Fjpeg" in file_url.url
    assert file_url.expires_at == "2024-05-01T12:05:00.000Z"


def test_download_url_reads_from_the_callers_folder(service: FileService) -> None:
    # GIVEN / WHEN
    file_url = service.download_url(ALICE, "notes.txt")
    # THEN
    assert (file_url.key, file_url.method) == ("notes.txt", "GET")
    assert file_url.url.startswith(f"memory://user-files/users/{ALICE}/notes.txt?method=GET")


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../bob/secret.txt",
        "..",
        ".",
        "a/b.txt",
        "a\\b.txt",
        "evil\x00.txt",
        "line\nbreak.txt",
        "x" * 256,
        None,
    ],
)
def test_names_that_could_leave_the_folder_are_refused(service: FileService, name: object) -> None:
    # GIVEN / WHEN / THEN both directions refuse the name
    with pytest.raises(ValidationError, match="fileName"):
        service.create_upload_url(ALICE, name)
    with pytest.raises(ValidationError, match="key"):
        service.download_url(ALICE, name)


def test_a_name_of_255_characters_is_fine(service: FileService) -> None:
    # GIVEN / WHEN / THEN
    assert service.create_upload_url(ALICE, "x" * 255).key == "x" * 255


@pytest.mark.parametrize("content_type", ["image", "image/png\r\nX-Evil: 1", "text/plain" + "x" * 300])
def test_bad_content_types_are_refused(service: FileService, content_type: str) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValidationError, match="contentType"):
        service.create_upload_url(ALICE, "a.txt", content_type)


def test_an_identity_that_is_not_a_single_segment_owns_no_files(service: FileService) -> None:
    # GIVEN a sub that would point outside users/<sub>/ WHEN / THEN
    with pytest.raises(UnauthorizedError):
        service.create_upload_url("../admin", "a.txt")
