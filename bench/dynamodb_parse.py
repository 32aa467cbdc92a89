"""Benchmark: reading a DynamoDB Query answer of 100 posts, botocore's parse against the body's JSON as it is.

The DynamoDB data source reads GetItem, Query, Scan and BatchGetItem answers as DynamoDB wrote them
(`appsync_local/datasources/wire_reads.py`) instead of through botocore's response parser, which walks every
attribute value through the service model. This times both on the same synthetic body, in this process (no
servers): a page of `--items` posts of ten attributes each, as `listposts.py` seeds them, plus a
LastEvaluatedKey. Each figure is the median of `--rounds` rounds of `--parses` parses. It also times what the
data source does next with the items read: make them plain JSON (`to_json_item`).

Usage::

    .venv/bin/python bench/dynamodb_parse.py [--items 100] [--parses 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import orjson

from appsync_local.datasources.dynamodb_values import to_json_item
from appsync_local.local_aws.endpoints import new_session


def post(n: int) -> dict[str, Any]:
    created = f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.{n % 1000:03d}Z"
    return {
        "id": {"S": f"10000000-0000-4000-8000-{n:012d}"},
        "authorId": {"S": f"a1b2c3d4-0000-4000-8000-{n % 12:012d}"},
        "title": {"S": f"Benchmark post {n}"},
        "body": {"S": f"The body of post {n}. " * 20},
        "tags": {"L": [{"S": "bench"}, {"S": f"topic{n % 7}"}]},
        "status": {"S": "PUBLISHED"},
        "createdAt": {"S": created},
        "updatedAt": {"S": created},
        "publishedAt": {"S": created},
        "views": {"N": str(n * 7)},
    }


def query_body(items: int) -> bytes:
    page = [post(n) for n in range(items)]
    last = {"id": page[-1]["id"], "status": page[-1]["status"], "createdAt": page[-1]["createdAt"]}
    return json.dumps(
        {"Items": page, "Count": items, "ScannedCount": items, "LastEvaluatedKey": last}
    ).encode()


def per_parse_ms(parse: Any, parses: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(parses):
            parse()
        samples.append(1000 * (time.perf_counter() - start) / parses)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--parses", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    from botocore.parsers import create_parser

    client = new_session().client("dynamodb", region_name="us-east-1")
    shape = client.meta.service_model.operation_model("Query").output_shape
    botocore_parser = create_parser(client.meta.service_model.metadata["protocol"])
    body = query_body(args.items)
    response = {"status_code": 200, "headers": {}, "body": body}

    def with_botocore() -> Any:
        return botocore_parser.parse(response, shape)

    def as_written() -> Any:
        return orjson.loads(body)

    items = as_written()["Items"]

    def to_plain() -> Any:
        return [to_json_item(item) for item in items]

    assert len(with_botocore()["Items"]) == len(items) == len(to_plain()) == args.items
    botocore_ms = per_parse_ms(with_botocore, args.parses, args.rounds)
    orjson_ms = per_parse_ms(as_written, args.parses, args.rounds)
    plain_ms = per_parse_ms(to_plain, args.parses, args.rounds)
    print(
        f"a Query answer of {args.items} posts, {len(body) / 1024:.0f} KiB; median of {args.rounds} rounds:"
    )
    print(f"  botocore's response parser: {botocore_ms:6.2f} ms per parse")
    print(
        f"  the body's JSON (orjson):   {orjson_ms:6.2f} ms per parse  ({botocore_ms / orjson_ms:.1f}x less)"
    )
    print(f"  then its items as plain JSON (the data source's to_json_item): {plain_ms:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
