"""A stop signal during start-up ends the server normally, wherever in start-up it lands."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.command_line import PROJECT_ROOT

# Start-up as `python -m appsync_local serve` runs it, stopped while the main thread runs code made by `exec`
# of a string, as it does at import whenever `dataclasses` makes a class's methods.
STOPPED_INSIDE_EXEC = """
import sys

from appsync_local.foreground import StopSignals

try:
    with StopSignals():
        exec("import os, signal\\nos.kill(os.getpid(), signal.{signal})\\nfor _ in range(10**7): pass")
        print("start-up went on")
except BaseException as stop:  # as `main_serve` ends start-up stopped by a signal
    print(type(stop).__name__, "ended start-up")
sys.exit(0)
"""


@pytest.mark.parametrize("stop_signal", ["SIGINT", "SIGTERM"])
def test_a_stop_signal_inside_exec_made_code_ends_the_process_normally(
    stop_signal: str, tmp_path: Path
) -> None:
    # WHEN the stop signal arrives while the main thread runs code made by exec (in a module run with -m)
    (tmp_path / "stopped_start_up.py").write_text(
        textwrap.dedent(STOPPED_INSIDE_EXEC).format(signal=stop_signal)
    )
    ended = subprocess.run(
        [sys.executable, "-m", "stopped_start_up"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    # THEN start-up stopped there, and the process ended with the status it chose (not by SIGINT, as
    # CPython ends one that saw a KeyboardInterrupt leave exec'd code, even a caught one)
    assert (ended.returncode, ended.stdout, ended.stderr) == (0, "StopRequested ended start-up\n", "")
