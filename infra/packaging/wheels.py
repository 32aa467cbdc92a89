"""A function's requirements, installed for the deployed Lambda (arm64, its Python) from wheels, without Docker.

Each requirement, and the AWS SDK (boto3, botocore, s3transfer), is pinned to the version installed locally
when there is one, so the deployed function runs the libraries the tests ran. Installs are cached by what they
contain, so a second synth installs nothing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

LAMBDA_PYTHON = "3.13"
# Amazon Linux 2023 (Lambda's python3.12+ runtimes) has glibc 2.34: every manylinux wheel up to it runs there.
ARM64_PLATFORMS = ("manylinux2014_aarch64", *(f"manylinux_2_{minor}_aarch64" for minor in range(17, 35)))


# Lambda's Python runtime bundles an AWS SDK whose version AWS changes on its own schedule: every function
# ships the one the tests ran (AWS's advice for pinning it). It also keeps the SDK whole: a requirement that
# pulls in botocore alone (the X-Ray SDK does) would otherwise pair it with the runtime's boto3 and s3transfer.
AWS_SDK = ("boto3", "botocore", "s3transfer")


class WheelInstallError(RuntimeError):
    """pip could not install a function's requirements for Lambda."""


def pinned(requirement: str) -> str:
    """`requirement` pinned to the locally installed version when that version satisfies it."""
    parsed = Requirement(requirement)
    try:
        installed = importlib.metadata.version(parsed.name)
    except importlib.metadata.PackageNotFoundError:
        return requirement
    if parsed.specifier and not parsed.specifier.contains(installed, prereleases=True):
        return requirement
    extras = f"[{','.join(sorted(parsed.extras))}]" if parsed.extras else ""
    return f"{parsed.name}{extras}=={installed}"


def install_for_lambda(
    requirements: tuple[str, ...], cache_dir: Path, *, python: str = LAMBDA_PYTHON
) -> Path:
    """A folder holding `requirements` and the AWS SDK (with their dependencies) built for arm64 Lambda; cached
    by its inputs."""
    named = {Requirement(r).name.lower() for r in requirements}
    pins = sorted(pinned(r) for r in (*requirements, *(sdk for sdk in AWS_SDK if sdk not in named)))
    key = hashlib.sha256("\n".join([python, *ARM64_PLATFORMS, *pins]).encode()).hexdigest()[:16]
    target = cache_dir / key
    if (target / ".complete").is_file():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if pins:
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            "--implementation",
            "cp",
            "--python-version",
            python,
            "--only-binary=:all:",
            *(arg for platform in ARM64_PLATFORMS for arg in ("--platform", platform)),
            *pins,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise WheelInstallError(
                f"pip could not install {', '.join(pins)} for arm64 Lambda (Python {python}); every requirement "
                f"needs a manylinux aarch64 wheel (or is pure Python):\n{output}"
            )
    for cached in target.rglob("__pycache__"):
        shutil.rmtree(cached)
    (target / ".complete").write_text("\n".join(pins) + "\n")
    return target
