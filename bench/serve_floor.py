"""The floor for `bench/listtodos.py`: the least work that answers the same `listTodos(limit: 20)` request.

A bare ASGI handler under the same server (uvicorn) that verifies the same user-pool JWT (PyJWT, RS256,
`iss`, `aud`, `exp`, `token_use`) and runs the same boto3 Query as the todos resolver (resource layer, the
`byOwnerCreatedAt` index, newest first, 20 items) against the same DynamoDB Local, then writes the same JSON
body. No GraphQL, no Lambda boundary, no auth directives: whatever a runtime adds on top of this is its own
cost. It reads no request body beyond what it must, and answers any POST as the one benchmark query.

It prints ``{"port": N}`` once it listens, and ``{"calls": {"floor": N}}`` (Queries run) on SIGUSR2, the
interface of `serve_runtime.py`.

Usage: ``python bench/serve_floor.py --data-dir DIR [--config appsync.toml]``
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import boto3
import jwt
from boto3.dynamodb.conditions import Key
from serve_runtime import serve_floor

from appdef import load_config
from appsync_local.runtime import local_user_pool

FIELDS = ("id", "title", "done", "dueDate", "version", "createdAt")
PAGE = 20


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "appsync.toml")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the user pool's signing key is")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    pool = local_user_pool(config, args.data_dir)
    assert pool is not None
    keys = {key["kid"]: jwt.PyJWK(key).key for key in pool.jwks()["keys"]}
    table = boto3.resource("dynamodb").Table("Todos")
    calls = 0

    def answer(authorization: str) -> tuple[int, bytes]:
        nonlocal calls
        try:
            kid = jwt.get_unverified_header(authorization)["kid"]
            claims = jwt.decode(
                authorization, keys[kid], algorithms=["RS256"], audience=pool.client_id, issuer=pool.issuer
            )
            if claims.get("token_use") != "id":
                raise jwt.InvalidTokenError("not an id token")
        except (jwt.InvalidTokenError, KeyError):
            return 401, b'{"errors":[{"errorType":"UnauthorizedException"}]}'
        calls += 1
        response = table.query(
            IndexName="byOwnerCreatedAt",
            KeyConditionExpression=Key("ownerId").eq(claims["sub"]),
            ScanIndexForward=False,
            Limit=PAGE,
        )
        items = [{name: plain(item.get(name)) for name in FIELDS} for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        token = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
        body = {"data": {"listTodos": {"items": items, "nextToken": token}}}
        return 200, json.dumps(body).encode()

    return serve_floor(lambda token: answer(token.decode()), b"authorization", lambda: {"floor": calls})


if __name__ == "__main__":
    sys.exit(main())
