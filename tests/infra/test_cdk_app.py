"""`infra/app.py` as `cdk synth` runs it: a script in infra/, whose folder Python puts first on the import path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "infra" / "app.py"


def test_the_cdk_app_imports_its_stack_when_run_from_infra() -> None:
    # GIVEN Python running infra/app.py as a script: its folder first on the import path
    probe = (
        "import runpy, sys;"
        f"sys.path.insert(0, {str(APP.parent)!r});"
        f"runpy.run_path({str(APP)!r}, run_name='probe');"  # everything but main(), which synthesizes
        "import packaging.requirements; print(packaging.requirements.__file__)"
    )
    # WHEN it imports the stack
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=APP.parent,
        capture_output=True,
        text=True,
        check=False,  # the exit code is asserted below
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
    )
    # THEN it imports, and `packaging` is PyPI's, not infra/packaging
    assert done.returncode == 0, done.stderr[-2000:]
    assert not Path(done.stdout.strip()).is_relative_to(APP.parent)
