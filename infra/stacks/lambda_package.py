"""Stage a Lambda function's code without Docker: the project's package plus its pure-Python dependencies.

The function ships the very package the local runtime imports (`resolvers/`, say) and the installed
distributions it needs (Powertools and its requirements) copied from the environment the tests ran in, so the
deployed code is the tested code. boto3 is left out: the Lambda Python runtime provides it.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

# Distributions the resolvers need beyond the standard library; their requirements come along.
RUNTIME_DISTRIBUTIONS = ("aws-lambda-powertools",)
# Provided by the Lambda Python runtime.
PROVIDED_BY_LAMBDA = frozenset({"boto3", "botocore", "s3transfer", "urllib3", "python-dateutil", "six"})

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


class PackagingError(RuntimeError):
    """A function's code cannot be staged (a missing package, a compiled dependency)."""


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str | None:
    """The distribution a requirement string names, or None for an extra's optional requirement."""
    if re.search(r"\bextra\s*==", requirement):
        return None
    return _normalize(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])


def dependency_closure(names: tuple[str, ...]) -> list[importlib.metadata.Distribution]:
    """The installed distributions `names` need, transitively, minus those Lambda provides."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [_normalize(n) for n in names]
    while pending:
        name = pending.pop()
        if name in found or name in PROVIDED_BY_LAMBDA:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise PackagingError(f"{name} is not installed; run `make setup`") from exc
        found[name] = dist
        pending += [n for n in map(_requirement_name, dist.requires or []) if n]
    return [found[name] for name in sorted(found)]


def _copy_distribution(dist: importlib.metadata.Distribution, target: Path) -> None:
    for file in dist.files or []:
        parts = file.parts
        if parts[0].startswith("..") or "__pycache__" in parts or file.suffix in (".pyc", ".pyo"):
            continue  # console scripts installed outside site-packages, and bytecode
        if file.suffix in (".so", ".pyd"):
            raise PackagingError(
                f"{dist.metadata['Name']} has compiled code ({file}); it cannot be copied to arm64 Lambda as is"
            )
        source = Path(str(dist.locate_file(file)))
        destination = target / Path(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def stage_function_code(root: Path, handler: str, target: Path, exclude: tuple[Path, ...] = ()) -> Path:
    """Copy the handler's top-level package and its dependencies into `target` (emptied first).

    Parameters
    ----------
    root
        The project folder the handler's package lives in.
    handler
        `package.module.function`, as Lambda's `Handler` setting and `appsync.toml` spell it.
    target
        The folder to fill; it becomes the function's asset.
    exclude
        Folders inside the package that are not Python code (the APPSYNC_JS resolvers, say).
    """
    package = handler.split(".", 1)[0]
    source = root / package
    if not (source / "__init__.py").is_file():
        raise PackagingError(f"handler {handler!r}: {source} is not a Python package")
    if target.exists():
        shutil.rmtree(target)
    excluded = {p.resolve() for p in exclude}

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(_IGNORED(folder, names))
        return skipped | {n for n in names if (Path(folder) / n).resolve() in excluded}

    shutil.copytree(source, target / package, ignore=ignore)
    for dist in dependency_closure(RUNTIME_DISTRIBUTIONS):
        _copy_distribution(dist, target)
    return target
