"""The CDK app: `cd infra && npx aws-cdk@2 deploy` runs this file (see cdk.json)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Python puts this script's folder (infra/) first on the import path, where `infra/packaging` would shadow
# PyPI's `packaging`; the stack imports the app's own packages (appdef, jsbundles, resolvers, infra) from the
# project folder instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT))]

from appdef import ConfigError
from infra.stacks.assembly import build_app


def main() -> int:
    try:
        app, _ = build_app(ROOT / "appsync.toml", account=os.environ.get("CDK_DEFAULT_ACCOUNT"))
    except ConfigError as exc:
        print(f"appsync.toml: {exc}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
