"""scripts/setup.sh's guards: a missing tool stops set-up with what to install, before anything is touched.

The script runs from the project's own folder, so each case gives it a PATH that lacks the tool it checks:
it must stop at that check, before any step (virtualenv, pip, npm) begins.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.command_line import PROJECT_ROOT, PYTHON, command_env

STEP_MARK = "==>"


def run_setup(bin_dir: Path, tools: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """scripts/setup.sh with PATH holding only `tools` (and Python given by its full path)."""
    bin_dir.mkdir()
    for tool in ("dirname", *tools):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed here")
        (bin_dir / tool).symlink_to(found)
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, str(PROJECT_ROOT / "scripts" / "setup.sh")],
        env=command_env(PATH=str(bin_dir), PYTHON=PYTHON),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_java_stops_set_up_with_what_to_install_and_the_alternative(tmp_path: Path) -> None:
    # WHEN set-up runs where there is no `java`
    result = run_setup(tmp_path / "bin", ())

    # THEN it stops before any step, saying which Java to install and how to do without it
    assert result.returncode == 1
    assert STEP_MARK not in result.stderr
    assert "java not found: DynamoDB Local needs Java 17 or newer" in result.stderr
    assert "APPSYNC_LOCAL_DYNAMODB=moto" in result.stderr


def test_missing_npm_stops_set_up_with_what_to_install(tmp_path: Path) -> None:
    # WHEN set-up runs where Java is installed but npm is not
    result = run_setup(tmp_path / "bin", ("java",))

    # THEN it stops before any step, saying which Node.js to install
    assert result.returncode == 1
    assert STEP_MARK not in result.stderr
    assert "npm not found: Node.js 18 or newer is needed" in result.stderr
