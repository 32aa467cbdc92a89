"""`make bench` runs bench/run_all.py: every benchmark it names exists and takes the options it is given."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "bench" / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_script_a_make_target_runs_exists() -> None:
    # (`make bench` once named bench/run_all.py before it existed)
    scripts = re.findall(r"^\t@?.*\$\(PY\) (?!-m )(\S+\.py)", (ROOT / "Makefile").read_text(), re.M)
    assert "bench/run_all.py" in scripts
    assert [script for script in scripts if not (ROOT / script).is_file()] == []


def test_every_benchmark_named_takes_the_options_it_is_given(tmp_path: Path) -> None:
    run_all = _run_all()
    scripts = {b.script for b in run_all.BENCHMARKS}
    helps = {
        script: subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / script), "--help"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for script in sorted(scripts)
    }
    texts = {script: process.communicate(timeout=60)[0] for script, process in helps.items()}
    assert all(process.returncode == 0 for process in helps.values()), texts
    for benchmark in run_all.BENCHMARKS:
        command = benchmark.command(tmp_path)
        options = [arg for arg in command[2:] if arg.startswith("--")]
        assert options, benchmark
        for option in options:
            assert option in texts[benchmark.script], f"{benchmark.script} has no {option}"


def test_list_prints_each_command_without_running_it(capsys: pytest.CaptureFixture[str]) -> None:
    run_all = _run_all()
    assert run_all.main(["--list", "--only", "startup"]) == 0
    out = capsys.readouterr().out
    assert out.split() == ["startup", str(ROOT / "bench" / "startup.py"), "--rounds", "3"]
