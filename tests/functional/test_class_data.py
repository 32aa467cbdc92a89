"""`make setup` records DynamoDB Local's class data once; every JVM after it maps the archive and records nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from appsync_local.local_aws.class_data import main, record, recorded
from appsync_local.local_aws.dynamodb_local import JAR_NAME, LIB_DIR_NAME, DynamoDBLocal, lists_tables
from appsync_local.local_aws.stack import JAR_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def jar_dir(tmp_path: Path) -> Path:
    """DynamoDB Local's jar and libraries in a folder of their own, so its class data is recorded beside it
    (in tmp_path), not beside the project's."""
    folder = tmp_path / "package" / "emulator"
    folder.mkdir(parents=True)
    for name in (JAR_NAME, LIB_DIR_NAME):
        (folder / name).symlink_to(ROOT / JAR_DIR / name)
    return folder


def _command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def test_class_data_is_recorded_once_and_mapped_by_every_later_jvm(jar_dir: Path) -> None:
    assert main(["--check", str(jar_dir)]) == 1
    assert record(jar_dir) is True
    assert main(["--check", str(jar_dir)]) == 0
    assert record(jar_dir) is False  # already there: nothing to do

    archives = list(jar_dir.parent.glob(".appsync-local-launcher/*/dynamodb-local.jsa"))
    assert len(archives) == 1 and archives[0].stat().st_size > 1_000_000

    jvm = DynamoDBLocal(jar_dir, None)
    endpoint = jvm.start(timeout=120)
    try:
        assert jvm.pid is not None
        command = _command_line(jvm.pid)
        assert f"-XX:SharedArchiveFile={archives[0]}" in command
        assert not any(option.startswith("-XX:ArchiveClassesAtExit") for option in command)
        assert lists_tables(jvm.host, int(endpoint.rsplit(":", 1)[1]))
    finally:
        jvm.stop()
    assert recorded(jar_dir)
    assert not list(archives[0].parent.glob("*.tmp"))  # the mapping JVM recorded nothing as it stopped


def test_setup_goes_on_when_the_class_data_cannot_be_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 0  # no jar here: said, and set-up continues
    assert "class data was not recorded" in capsys.readouterr().err
    assert main(["--check", str(tmp_path)]) == 1
