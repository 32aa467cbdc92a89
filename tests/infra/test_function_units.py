"""Each function deploys as a unit: its own asset (its modules and arm64 requirements), environment and settings."""

from __future__ import annotations

import zipfile
from typing import Any

import pytest

from tests.infra.conftest import Synthesized

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")


def _functions(units: Synthesized) -> dict[str, dict[str, Any]]:
    """Function name in appsync.toml -> its AWS::Lambda::Function properties."""
    found = {}
    for resource in units.resources("AWS::Lambda::Function").values():
        properties = resource["Properties"]
        found[properties["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]] = properties
    return found


def test_each_function_has_its_own_packaged_asset_and_environment(units: Synthesized) -> None:
    functions = _functions(units)
    assert set(functions) == {"greeter", "thumbnails"}
    greeter, thumbnails = functions["greeter"], functions["thumbnails"]
    # THEN two assets, and each environment is the function's own, SHARED set differently
    assert greeter["Code"]["S3Key"] != thumbnails["Code"]["S3Key"]
    assert greeter["Environment"]["Variables"]["SHARED"] == "from greeter"
    assert thumbnails["Environment"]["Variables"]["SHARED"] == "from thumbnails"
    assert "THUMBNAIL_FORMAT" not in greeter["Environment"]["Variables"]
    # and the settings appsync.toml gives each
    assert (thumbnails["MemorySize"], thumbnails["Timeout"], thumbnails["Architectures"]) == (
        1024,
        60,
        ["arm64"],
    )
    assert thumbnails["Handler"] == "tests.fixtures.units_app.thumbnails.handler"


def test_the_asset_of_the_function_with_pillow_holds_the_arm64_build(units: Synthesized) -> None:
    functions = _functions(units)
    assets = {name: units.outdir / f"asset.{props['Code']['S3Key']}" for name, props in functions.items()}
    with zipfile.ZipFile(assets["thumbnails"]) as archive:
        names = archive.namelist()
        header = archive.read("PIL/_imaging.cpython-313-aarch64-linux-gnu.so")[:20]
    assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == 0xB7  # AArch64
    assert "tests/fixtures/units_app/thumbnails.py" in names
    assert "tests/fixtures/units_app/greeter.py" not in names
    greeter_names = zipfile.ZipFile(assets["greeter"]).namelist()
    assert "tests/fixtures/units_app/greeter.py" in greeter_names
    assert not [n for n in greeter_names if n.startswith("PIL/")]
