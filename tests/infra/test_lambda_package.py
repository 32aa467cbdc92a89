"""Lambda code staged without Docker: the handler's package and Powertools, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.stacks.lambda_package import PackagingError, dependency_closure, stage_function_code

ROOT = Path(__file__).resolve().parents[2]


def test_the_staged_package_holds_the_handler_and_powertools_but_no_js_or_bytecode(tmp_path: Path) -> None:
    # GIVEN the todos handler
    # WHEN its code is staged
    staged = stage_function_code(
        ROOT,
        "resolvers.todos.handler.lambda_handler",
        tmp_path / "todos",
        exclude=(ROOT / "resolvers" / "js",),
    )
    # THEN the handler, its package and Powertools are there; APPSYNC_JS code, bytecode and boto3 are not
    assert (staged / "resolvers" / "todos" / "handler.py").is_file()
    assert (staged / "aws_lambda_powertools" / "__init__.py").is_file()
    assert not (staged / "resolvers" / "js").exists()
    assert not list(staged.rglob("*.pyc"))
    assert not (staged / "boto3").exists()


def test_restaging_replaces_what_was_there(tmp_path: Path) -> None:
    target = tmp_path / "todos"
    (target / "stale").mkdir(parents=True)
    stage_function_code(ROOT, "resolvers.todos.handler.lambda_handler", target)
    assert not (target / "stale").exists()


def test_powertools_requirements_come_along_without_what_lambda_provides() -> None:
    names = {
        d.metadata["Name"].lower().replace("_", "-") for d in dependency_closure(("aws-lambda-powertools",))
    }
    assert "aws-lambda-powertools" in names
    assert not names & {"boto3", "botocore"}


def test_a_handler_outside_a_package_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="is not a Python package"):
        stage_function_code(tmp_path, "nowhere.handler.lambda_handler", tmp_path / "out")
