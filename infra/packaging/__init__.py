"""Lambda packages without Docker: each function's own modules and its requirements built for arm64, as one zip.

- `modules`: the project modules the handler imports, transitively (read, not executed);
- `wheels`: the function's `requirements` from `appsync.toml`, installed for arm64 Lambda's Python from wheels,
  pinned to the locally tested versions, cached;
- `archive`: a deterministic zip, so unchanged code keeps its asset hash; a set of installed requirements is
  zipped once, and each function's zip starts from a copy of it.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from appdef import FunctionConfig

from .archive import folder_zip, write_zip
from .modules import ModuleNotInProject, project_modules, source_root
from .wheels import LAMBDA_PYTHON, WheelInstallError, install_for_lambda

__all__ = ["LAMBDA_PYTHON", "PackagingError", "package_function"]


class PackagingError(RuntimeError):
    """A function cannot be packaged (its handler is not in the project, a requirement has no arm64 wheel)."""


def package_function(
    root: Path,
    function: FunctionConfig,
    out_dir: Path,
    cache_dir: Path,
    data_files: Sequence[Path] = (),
) -> Path:
    """Build `<out_dir>/<function>.zip`: the handler's modules and the function's requirements for arm64.

    Parameters
    ----------
    root
        The app's folder; the handler's package is imported from it, or else from the import path.
    function
        The function, as `appsync.toml` describes it.
    out_dir
        Where the zip goes (CDK uses it as the function's asset, as is).
    cache_dir
        Where installed requirements are kept between builds.
    data_files
        Other files the function reads (its SQL files): at their place beside its modules, so the code finds
        them where it finds them locally.
    """
    app_root = root
    try:
        root = source_root(function.handler_module, root)
        modules = project_modules(root, function.handler_module)
    except ModuleNotInProject as exc:
        raise PackagingError(f"functions.{function.name}.handler: {exc}") from None
    try:
        dependencies = install_for_lambda(function.requirements, cache_dir)
    except WheelInstallError as exc:
        raise PackagingError(f"functions.{function.name}.requirements: {exc}") from None
    # The requirements' zip leaves out pip's marker and console scripts (Lambda runs none).
    requirements_zip = folder_zip(dependencies, skip=(".complete", "bin"))
    entries = [(path.relative_to(root).as_posix(), path) for path in modules.values()]
    entries += [
        ((p.relative_to(root) if p.is_relative_to(root) else p.relative_to(app_root)).as_posix(), p)
        for p in data_files
    ]
    with zipfile.ZipFile(requirements_zip) as archive:
        names = archive.namelist() + [name for name, _ in entries]
    clashes = sorted(name for name, count in Counter(names).items() if count > 1)
    if clashes:
        raise PackagingError(
            f"functions.{function.name}: project files clash with requirements: {clashes[:5]}"
        )
    return write_zip(out_dir / f"{function.name}.zip", entries, base=requirements_zip)
