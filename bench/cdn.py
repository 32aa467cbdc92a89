"""Benchmark: the local CDN — a signed URL checked and 1 MiB of video read, per second.

`.venv/bin/python bench/cdn.py [--rounds 3] [--duration 10] [--connections 4]`

1. Signature checks alone: `check()` on a botocore-signed custom-policy URL, in this process (RSA-2048
   verification with SHA-1, policy decoding, conditions), per second.
2. Signed URL + `Range: bytes=1048576-2097151` of a 4 MiB object the edge holds (after the first read):
   requests/s and p50 / p99, by wrk over HTTP on 127.0.0.1.
3. The same on a 16 MiB object, larger than the edge keeps (8 MiB): every range is read from the origin (the
   local S3, moto's server).

The CDN runs in this process on in-memory local AWS; no peer: amplify-appsync-simulator has no CDN. Prints the
median of `--rounds` rounds.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from starlette.applications import Starlette

from appdef import load_config
from appsync_local.cdn import LocalCdn, SigningKey, signing_keys
from appsync_local.cdn.signed_urls import check, signed_request
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.serving import BackgroundServer

APP = ROOT / "tests" / "fixtures" / "local_cdn_app" / "appsync.toml"
MIB = 1024 * 1024
RANGE = f"bytes={MIB}-{2 * MIB - 1}"


def _signed(key: SigningKey, url: str) -> str:
    def rsa_signer(message: bytes) -> bytes:
        return key.private_key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    signer = CloudFrontSigner(key.key_pair_id, rsa_signer)
    policy = signer.build_policy(url, datetime.now(UTC) + timedelta(hours=1))
    return str(signer.generate_presigned_url(url, policy=policy))


def checks_per_second(key: SigningKey) -> float:
    url = _signed(key, "https://d111111abcdef8.cloudfront.net/media/1/video.webm")
    parts = urlsplit(url)
    request = signed_request(parts.scheme, parts.netloc, parts.path, parts.query, {}, "127.0.0.1")
    trusted = {key.key_pair_id: key.public_key}
    now = datetime.now(UTC).timestamp()
    assert check(request, trusted, now) is None
    count = 2000
    seconds = timeit.timeit(lambda: check(request, trusted, now), number=count)
    return count / seconds


def wrk(url: str, *, connections: int, seconds: float) -> tuple[float, float, float, float]:
    """(requests/s, MiB/s, p50 ms, p99 ms) of wrk GETting `url` with the range header."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-H", f"Range: {RANGE}", url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw refusals:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rps, rps, _percentile(output, "50%"), _percentile(output, "99%")


def _percentile(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", output)
    assert match is not None, output
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("`wrk` was not found on PATH; install it with `apt-get install -y wrk`.")
    config = load_config(APP)
    with contextlib.ExitStack() as stack:
        aws = stack.enter_context(LocalAws(config, in_memory=True, dynamodb="moto"))  # no tables: S3 only
        data = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        s3 = client(aws.session(), "s3", aws.endpoints.s3)
        s3.put_object(
            Bucket="edge-media", Key="media/edge.webm", Body=b"e" * 4 * MIB, ContentType="video/webm"
        )
        s3.put_object(
            Bucket="edge-media", Key="media/origin.webm", Body=b"o" * 16 * MIB, ContentType="video/webm"
        )
        key = signing_keys(config, data)["edge-media"]
        cdn = LocalCdn(config, s3, {"edge-media": key})
        server = stack.enter_context(BackgroundServer(Starlette(routes=cdn.routes())))
        urls = {
            "edge copy": _signed(key, f"{server.url}/_cdn/edge-media/media/edge.webm"),
            "origin": _signed(key, f"{server.url}/_cdn/edge-media/media/origin.webm"),
        }
        rows: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in urls}
        checks: list[float] = []
        for round_number in range(1, args.rounds + 1):
            checks.append(checks_per_second(key))
            for name, url in urls.items():
                result = wrk(url, connections=args.connections, seconds=args.duration)
                rows[name].append(result)
                print(
                    f"round {round_number} {name}: {result[0]:.0f} req/s, p50 {result[2]:.1f} ms, p99 {result[3]:.1f} ms"
                )
        stats = cdn.distributions["edge-media"].stats
        print(f"\nedge: {stats.hits} hits, {stats.misses} origin fetches, {stats.refused} refused")
        print(f"\n| measure (median of {args.rounds}, {args.connections} connections) | value |\n|---|---|")
        print(f"| signature checks alone | {statistics.median(checks):,.0f} /s |")
        for name, results in rows.items():
            rps = statistics.median(r[0] for r in results)
            p50 = statistics.median(r[2] for r in results)
            p99 = statistics.median(r[3] for r in results)
            print(
                f"| signed URL + 1 MiB range from the {name} | {rps:,.0f} req/s ({rps:,.0f} MiB/s), p50 {p50:.1f} / p99 {p99:.1f} ms |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
