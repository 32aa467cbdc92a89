"""The local runtime's HTTP server for the benchmark, with `appsync.toml`'s `[api.cache]` removed.

The app caches `listTodos` for a second per caller; without the table nothing is cached (per-resolver settings
wait unused), so every request runs the whole path: auth, GraphQL, the Lambda boundary and DynamoDB's Query.
Otherwise the same as `bench/serve_runtime.py` (same output, same signals).

Usage: ``python bench/listtodos.py --runtime-server bench/serve_runtime_nocache.py``
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serve_runtime import serve

from appdef.loading import parse_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "appsync.toml")
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="the runtime's data folder (signing keys)"
    )
    args = parser.parse_args(argv)
    path = args.config.resolve()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    raw.get("api", {}).pop("cache", None)
    return serve(parse_config(raw, path.parent, source=path.name), args.data_dir)


if __name__ == "__main__":
    sys.exit(main())
