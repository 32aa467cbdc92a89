"""The auth package's secret files: owner-only, never half-written, and never replaced under a process using one."""

from __future__ import annotations

import stat
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from appsync_local.auth import IamCredentials, storage
from appsync_local.auth.storage import LocalSigningKey, create_secret, load_or_create_rsa_key
from appsync_local.datasources.pagination import PaginationTokens


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_a_key_made_by_another_process_meanwhile_is_the_one_both_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN another process (`make token` beside `make run`) that writes its key while this one makes its own
    path = tmp_path / "auth" / "user_pool_local.pem"
    theirs = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    generate = rsa.generate_private_key

    def generate_while_the_other_writes(**kwargs: Any) -> rsa.RSAPrivateKey:
        create_secret(path, _pem(theirs))
        return generate(**kwargs)

    monkeypatch.setattr(storage.rsa, "generate_private_key", generate_while_the_other_writes)
    # WHEN this process loads or makes the key
    key = LocalSigningKey(path)
    # THEN it signs with the other's key, which the file still holds: tokens of both verify in both
    assert key.private_key.public_key().public_numbers() == theirs.public_key().public_numbers()
    assert path.read_bytes() == _pem(theirs)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_a_new_key_file_is_the_owners_alone_and_loaded_as_it_was_written(tmp_path: Path) -> None:
    path = tmp_path / "auth" / "key.pem"
    made = load_or_create_rsa_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == _pem(made)
    assert load_or_create_rsa_key(path).public_key().public_numbers() == made.public_key().public_numbers()


def test_create_secret_keeps_the_first_content(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    assert create_secret(path, b"first") == b"first"
    assert create_secret(path, b"second") == b"first"
    assert path.read_bytes() == b"first"


def test_pagination_tokens_of_two_processes_on_one_folder_read_each_other(tmp_path: Path) -> None:
    one = PaginationTokens.load_or_create(tmp_path)
    other = PaginationTokens.load_or_create(tmp_path)
    token = one.encode({"id": {"S": "a"}}, "Todos")
    assert other.decode(token, "Todos") == {"id": {"S": "a"}}


def test_iam_credentials_made_by_another_process_meanwhile_are_the_ones_both_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN another process (`make run` beside `python -m appsync_local iam-credentials`) that writes the local
    # IAM user's key while this one makes its own
    theirs = IamCredentials.generate()
    generate = IamCredentials.generate

    def generate_while_the_other_writes() -> IamCredentials:
        path = storage.auth_dir(tmp_path) / IamCredentials.FILE_NAME
        create_secret(path, storage.json_bytes(asdict(theirs)))
        return generate()

    monkeypatch.setattr(IamCredentials, "generate", generate_while_the_other_writes)
    # WHEN this process loads or makes them
    mine = IamCredentials.load_or_create(tmp_path)
    # THEN it holds the other's key, which the file still holds: requests either signs verify in both
    assert mine == theirs
    monkeypatch.setattr(IamCredentials, "generate", generate)
    assert IamCredentials.load_or_create(tmp_path) == theirs


def test_iam_credentials_are_made_once_and_kept_to_the_owner(tmp_path: Path) -> None:
    made = IamCredentials.load_or_create(tmp_path)
    path = storage.auth_dir(tmp_path) / IamCredentials.FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert IamCredentials.load_or_create(tmp_path) == made
    assert made.access_key_id.startswith("AKIA") and made.session_token is None
