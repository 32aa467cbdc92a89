"""Benchmark: what DynamoDB Local's JIT settings cost at start-up and after warm-up (bench/README, "Fifth round").

For each set of JVM flags, in turn: DynamoDB Local starts with `make run`'s command line plus those flags on an
empty folder; the time and the JVM's CPU (from /proc) when ListTables is first answered; its CPU after what
start-up asks of it (10 CreateTables, 20 PutItems, 50 Queries); then, after `--warm` Queries of 20 items, the
JVM's CPU per Query over `--rounds` rounds of 2,000.

Usage::

    .venv/bin/python bench/dynamodb_jit.py [--warm 25000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT  # noqa: F401 - puts the project on sys.path

from appsync_local.local_aws.dynamodb_local import DynamoDBLocal
from appsync_local.local_aws.endpoints import local_session
from appsync_local.local_aws.stack import JAR_DIR

TIER4 = (
    ("Tier4InvocationThreshold", 5000),
    ("Tier4MinInvocationThreshold", 600),
    ("Tier4CompileThreshold", 15000),
)
TIER4 += (("Tier4BackEdgeThreshold", 40000),)


def tier4_times(factor: int) -> list[str]:
    """HotSpot's C2 thresholds (defaults above) `factor` times higher: C2 compiles later, not never."""
    return [f"-XX:{name}={value * factor}" for name, value in TIER4]


FLAG_SETS: dict[str, list[str]] = {
    "`make run`'s (full JIT)": [],
    "C2 thresholds x 4": tier4_times(4),
    "C2 thresholds x 10": tier4_times(10),
    "`-XX:TieredStopAtLevel=1` (C1 only)": ["-XX:TieredStopAtLevel=1"],
}
QUERIES_PER_ROUND = 2000
_TICK = os.sysconf("SC_CLK_TCK")


def jvm_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


class _WithFlags(DynamoDBLocal):
    def __init__(self, *args: Any, flags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flags = flags

    def _command(self, java: str, jar: Path, port: int) -> list[str]:
        command = super()._command(java, jar, port)
        return [command[0], *self.flags, *command[1:]]


def measure(flags: list[str], warm: int, rounds: int) -> tuple[float, float, float, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        ddb = _WithFlags(JAR_DIR, Path(folder), flags=flags)
        ddb.start()
        try:
            assert ddb._process is not None
            pid = ddb._process.pid
            ready_wall, ready_cpu = time.perf_counter() - started, jvm_cpu(pid)
            client = local_session("us-east-1").client("dynamodb", endpoint_url=ddb.endpoint)
            keys = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
            types = [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")]
            for n in range(10):
                client.create_table(
                    TableName=f"Table{n}",
                    KeySchema=keys,
                    AttributeDefinitions=types,
                    BillingMode="PAY_PER_REQUEST",
                )
            for n in range(20):
                item = {
                    "pk": {"S": "u"},
                    "sk": {"S": f"{n:04}"},
                    "title": {"S": "x" * 40},
                    "done": {"BOOL": False},
                }
                client.put_item(TableName="Table0", Item=item)

            def query(times: int) -> None:
                for _ in range(times):
                    client.query(
                        TableName="Table0",
                        KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "u"}},
                        Limit=20,
                    )

            query(50)
            setup_cpu = jvm_cpu(pid)
            query(warm)
            per_query = []
            for _ in range(rounds):
                before = jvm_cpu(pid)
                query(QUERIES_PER_ROUND)
                per_query.append(1000 * (jvm_cpu(pid) - before) / QUERIES_PER_ROUND)
            return ready_wall, ready_cpu, setup_cpu, per_query
        finally:
            ddb.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=25_000, help="warm-up Queries before the measured rounds")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        "| JVM flags | ListTables answered: wall / JVM CPU (s) | JVM CPU after the start-up requests (s) "
        f"| JVM CPU ms / Query after {args.warm:,} Queries ({args.rounds} rounds) |"
    )
    print("|---|---:|---:|---|")
    for label, flags in FLAG_SETS.items():
        wall, ready, setup, per_query = measure(flags, args.warm, args.rounds)
        rounds = ", ".join(f"{ms:.3f}" for ms in per_query)
        print(f"| {label} | {wall:.2f} / {ready:.2f} | {setup:.2f} | {rounds} |", flush=True)


if __name__ == "__main__":
    main()
