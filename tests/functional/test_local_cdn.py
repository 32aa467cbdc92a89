"""The local CDN over real HTTP: signed distributions refuse what CloudFront refuses, public paths and sites are
served, and the edge keeps copies as CloudFront's CachingOptimized policy does."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette

from appdef import AppConfig, load_config
from appsync_local.cdn import LocalCdn, SigningKey, signing_keys
from appsync_local.cdn.content import sync_content
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.provision import provision
from appsync_local.local_references import LocalReferences
from appsync_local.serving import BackgroundServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "local_cdn_app"
VIDEO = bytes(range(256)) * 4096  # 1 MiB
NOW = 1_900_000_000.0


@dataclass
class Edge:
    url: str
    cdn: LocalCdn
    key: SigningKey
    s3: Any
    config: AppConfig
    now: float = NOW

    def media(self, path: str) -> str:
        return f"{self.url}/_cdn/edge-media/{path}"

    def sign(self, url: str, ttl: int = 300, key: rsa.RSAPrivateKey | None = None, **conditions: Any) -> str:
        private = key or self.key.private_key

        def rsa_signer(message: bytes) -> bytes:
            return private.sign(message, padding.PKCS1v15(), hashes.SHA1())

        signer = CloudFrontSigner(self.key.key_pair_id, rsa_signer)
        expires = datetime.fromtimestamp(self.now + ttl, UTC)
        policy = signer.build_policy(url, expires, **conditions)
        return str(signer.generate_presigned_url(url, policy=policy))

    def move_clock(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def edge(local_aws: LocalAws, tmp_path: Path) -> Iterator[Edge]:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    config = load_config(root / "appsync.toml")
    provision(config, local_aws.session(), local_aws.endpoints)
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    s3.put_object(Bucket="edge-media", Key="videos/intro.webm", Body=VIDEO, ContentType="video/webm")
    s3.put_object(
        Bucket="edge-media", Key="posters/intro.jpg", Body=b"\xff\xd8poster", ContentType="image/jpeg"
    )
    keys = signing_keys(config, tmp_path / "data")
    cdn = LocalCdn(config, s3, keys)
    edge = Edge("", cdn, keys["edge-media"], s3, config)
    cdn.clock = lambda: edge.now
    with BackgroundServer(Starlette(routes=cdn.routes())) as server:
        edge.url = server.url
        yield edge
    for bucket in ("edge-media", "edge-site"):
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])


def _refusal(response: requests.Response) -> tuple[int, str, str]:
    assert response.headers["content-type"].startswith("text/xml")
    body = response.text
    code = body.split("<Code>")[1].split("</Code>")[0]
    message = body.split("<Message>")[1].split("</Message>")[0]
    return response.status_code, code, message


def test_a_signed_url_plays_with_ranges_until_it_expires(edge: Edge) -> None:
    # GIVEN a URL signed for five minutes
    url = edge.sign(edge.media("videos/intro.webm"))
    # WHEN a player reads it whole and then a range
    whole = requests.get(url, timeout=10)
    part = requests.get(url, headers={"Range": "bytes=1024-2047"}, timeout=10)
    # THEN both are served, the range as 206 with its Content-Range
    assert (whole.status_code, whole.headers["content-type"], whole.content) == (200, "video/webm", VIDEO)
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["etag"]
    assert (part.status_code, part.headers["content-range"]) == (206, f"bytes 1024-2047/{len(VIDEO)}")
    assert part.content == VIDEO[1024:2048]
    # AND once the five minutes are over, the same URL is refused
    edge.move_clock(301)
    assert _refusal(requests.get(url, timeout=10)) == (403, "AccessDenied", "Access denied")


def test_unsigned_tampered_and_foreign_urls_are_refused(edge: Edge) -> None:
    url = edge.sign(edge.media("videos/intro.webm"))
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = {
        "unsigned": edge.media("videos/intro.webm"),
        "tampered": url.replace("Signature=", "Signature=x"),
        "another path": url.replace("videos/intro.webm", "videos/other.webm"),
        "another key": edge.sign(edge.media("videos/intro.webm"), key=other_key),
        "unknown key id": url.replace(edge.key.key_pair_id, "KUNKNOWN000000"),
    }
    answers = {name: _refusal(requests.get(case, timeout=10)) for name, case in cases.items()}
    assert answers == {
        "unsigned": (403, "MissingKey", "Missing Key-Pair-Id query parameter or cookie value"),
        "tampered": (403, "AccessDenied", "Access denied"),
        "another path": (403, "AccessDenied", "Access denied"),
        "another key": (403, "AccessDenied", "Access denied"),
        "unknown key id": (403, "InvalidKey", "Unknown Key"),
    }
    assert edge.cdn.distributions["edge-media"].stats.refused == 5


def test_a_url_bound_to_an_address_plays_only_there(edge: Edge) -> None:
    assert requests.get(edge.sign(edge.media("videos/intro.webm"), ip_address="127.0.0.1"), timeout=10).ok
    elsewhere = edge.sign(edge.media("videos/intro.webm"), ip_address="203.0.113.9")
    assert _refusal(requests.get(elsewhere, timeout=10))[:2] == (403, "AccessDenied")


def test_public_paths_of_a_signed_distribution_need_no_signature(edge: Edge) -> None:
    poster = requests.get(edge.media("posters/intro.jpg"), timeout=10)
    assert (poster.status_code, poster.content) == (200, b"\xff\xd8poster")
    missing = requests.get(edge.media("posters/none.jpg"), timeout=10)
    assert _refusal(missing)[:2] == (403, "AccessDenied")  # the origin cannot list: no 404


def test_the_edge_keeps_copies_and_revalidates_them(edge: Edge) -> None:
    distribution = edge.cdn.distributions["edge-media"]
    url = edge.sign(edge.media("videos/intro.webm"), ttl=10 * 86_400)
    first = requests.get(url, timeout=10)
    second = requests.get(url, timeout=10)
    again = requests.get(url, headers={"If-None-Match": first.headers["etag"]}, timeout=10)
    assert [first.headers["x-cache"], second.headers["x-cache"]] == [
        "Miss from cloudfront",
        "Hit from cloudfront",
    ]
    assert (again.status_code, again.content) == (304, b"")
    assert (distribution.stats.misses, distribution.stats.hits) == (1, 2)
    # WHEN a day passes (the default TTL of an object without Cache-Control), the copy is revalidated
    edge.move_clock(86_401)
    refreshed = requests.get(url, timeout=10)
    assert (refreshed.headers["x-cache"], refreshed.content) == ("RefreshHit from cloudfront", VIDEO)
    # AND once the origin changed, the next stale read brings the new object
    edge.s3.put_object(Bucket="edge-media", Key="videos/intro.webm", Body=b"v2", ContentType="video/webm")
    assert requests.get(url, timeout=10).content == VIDEO  # still fresh: CloudFront serves its copy
    edge.move_clock(86_401)
    changed = requests.get(url, timeout=10)
    assert (changed.headers["x-cache"], changed.content) == ("Miss from cloudfront", b"v2")


def test_ranges_outside_the_object_are_refused_and_head_has_no_body(edge: Edge) -> None:
    url = edge.sign(edge.media("videos/intro.webm"))
    requests.get(url, timeout=10)  # now at the edge
    beyond = requests.get(url, headers={"Range": f"bytes={len(VIDEO)}-"}, timeout=10)
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{len(VIDEO)}")
    tail = requests.get(url, headers={"Range": "bytes=-10"}, timeout=10)
    assert (tail.status_code, tail.content) == (206, VIDEO[-10:])
    head = requests.head(url, timeout=10)
    assert (head.status_code, head.headers["content-length"], head.content) == (200, str(len(VIDEO)), b"")


def test_a_site_is_synced_from_its_folder_with_its_config(edge: Edge) -> None:
    # GIVEN the site's folder with a hidden file, and references the local server answers
    www = edge.config.root / "www"
    (www / ".env").write_text("never served")
    resolve = LocalReferences(edge.url, {}, api={"api_key": "da2-local"})
    # WHEN it is synced
    assert sync_content(edge.config, edge.s3, resolve) == {"edge-site": 3}
    # THEN the distribution's root is its index, with the configured caching
    index = requests.get(f"{edge.url}/_cdn/edge-site/", timeout=10)
    assert (index.status_code, index.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert index.headers["cache-control"] == "public, max-age=60" and "<h1>Edge site</h1>" in index.text
    css = requests.get(f"{edge.url}/_cdn/edge-site/css/site.css", timeout=10)
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    config = requests.get(f"{edge.url}/_cdn/edge-site/config.json", timeout=10).json()
    assert config == {
        "graphqlUrl": f"{edge.url}/graphql",
        "apiKey": "da2-local",
        "media": f"{edge.url}/_cdn/edge-media",
    }
    assert _refusal(requests.get(f"{edge.url}/_cdn/edge-site/.env", timeout=10))[0] == 403
    # AND a second sync changes nothing, while a removed file is removed
    assert sync_content(edge.config, edge.s3, resolve) == {"edge-site": 0}
    (www / "css" / "site.css").unlink()
    assert sync_content(edge.config, edge.s3, resolve) == {"edge-site": 1}
    assert "css/site.css" not in {o["Key"] for o in edge.s3.list_objects_v2(Bucket="edge-site")["Contents"]}


def test_a_site_copy_goes_stale_after_its_max_age(edge: Edge) -> None:
    sync_content(edge.config, edge.s3, LocalReferences(edge.url, {}, api={"api_key": "k"}))
    url = f"{edge.url}/_cdn/edge-site/index.html"
    verdicts = [requests.get(url, timeout=10).headers["x-cache"] for _ in range(2)]
    edge.move_clock(61)
    verdicts.append(requests.get(url, timeout=10).headers["x-cache"])
    assert verdicts == ["Miss from cloudfront", "Hit from cloudfront", "RefreshHit from cloudfront"]
    bare = requests.get(f"{edge.url}/_cdn/edge-site", timeout=10, allow_redirects=False)
    assert (bare.status_code, bare.headers["location"]) == (301, "/_cdn/edge-site/")


def test_the_cdn_page_shows_what_each_edge_did(edge: Edge) -> None:
    requests.get(edge.media("videos/intro.webm"), timeout=10)
    page = requests.get(f"{edge.url}/_local/cdn", timeout=10)
    assert (
        page.status_code == 200
        and "edge-media" in page.text
        and "signed URLs (public: posters/*)" in page.text
    )


def test_keys_persist_and_their_ids_differ(tmp_path: Path) -> None:
    config = load_config(FIXTURE / "appsync.toml")
    first = signing_keys(config, tmp_path)["edge-media"]
    again = signing_keys(config, tmp_path)["edge-media"]
    other = signing_keys(config, tmp_path / "elsewhere")["edge-media"]
    assert first.key_pair_id == again.key_pair_id != other.key_pair_id
    assert first.key_pair_id.startswith("K") and len(first.key_pair_id) == 14
    assert (tmp_path / "cdn" / "edge-media" / "private_key.pem").stat().st_mode & 0o777 == 0o600
    assert first.secret == "edge-media-signing-key" and "BEGIN PRIVATE KEY" in first.private_pem()


def test_a_player_reading_ranges_fills_the_edge_but_large_objects_stay_at_the_origin(edge: Edge) -> None:
    url = edge.sign(edge.media("videos/intro.webm"))
    # GIVEN a player whose first request is a range (as browsers' media elements ask: bytes=0-)
    opening = requests.get(url, headers={"Range": "bytes=0-"}, timeout=10)
    seek = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    # THEN the object is fetched whole once, and the next range comes from the edge
    assert (opening.status_code, opening.headers["x-cache"], opening.content) == (
        206,
        "Miss from cloudfront",
        VIDEO,
    )
    assert (seek.status_code, seek.headers["x-cache"], seek.content) == (
        206,
        "Hit from cloudfront",
        VIDEO[100:200],
    )
    # AND an object larger than the edge keeps is read range by range from the origin
    distribution = edge.cdn.distributions["edge-media"]
    distribution.cache.invalidate()
    distribution.cache.max_object_bytes = 1024
    verdicts = [
        requests.get(url, headers={"Range": f"bytes={start}-{start + 99}"}, timeout=10).headers["x-cache"]
        for start in (0, 500)
    ]
    assert verdicts == ["Miss from cloudfront", "Miss from cloudfront"] and len(distribution.cache) == 0
