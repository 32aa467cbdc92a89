"""The local CDN: every `cdn = true` bucket's distribution, served at `/_cdn/<bucket>/…`, and its page.

`/_cdn/<bucket>` stands for the distribution's domain: `/_cdn/<bucket>/` is its root (the default root
object, `index.html`), and `/_local/cdn` shows each distribution with what its edge did (hits, origin fetches,
refusals).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from appdef import AppConfig

from ..local_pages import local_page
from ..local_references import CDN_PATH
from .content import SiteConfigs
from .distribution import LocalDistribution, error_response
from .origin import BucketOrigin
from .signing_keys import SigningKey

CDN_PAGE_PATH = "/_local/cdn"
# `[local] pages`: `/_local/<page>` opens a page of a bucket's site on the CDN.
LOCAL_PAGES_PATH = "/_local"


def _redirect_to(location: str) -> Callable[[Request], Response]:
    def redirect(request: Request) -> Response:
        return RedirectResponse(location, status_code=302)

    return redirect


class LocalCdn:
    """The distributions of an app's `cdn = true` buckets.

    Parameters
    ----------
    config
        The app.
    s3
        A boto3 S3 client for the local S3 (the origins).
    keys
        Each signed bucket's key pair (`signing_keys`); its distribution trusts the public half.
    clock
        Seconds since the epoch, for signatures and cached copies alike (tests move it).
    site_configs
        Brings a site's config file up to date before it is served (a renewed API key); the edge's copy of a
        rewritten file is invalidated, as a deploy invalidates its distribution.
    """

    def __init__(
        self,
        config: AppConfig,
        s3: Any,
        keys: Mapping[str, SigningKey],
        clock: Callable[[], float] = time.time,
        site_configs: SiteConfigs | None = None,
    ) -> None:
        self.clock = clock
        self.site_configs = site_configs
        self.pages = dict(config.local.pages)
        self.distributions = {
            bucket.name: LocalDistribution(
                bucket,
                BucketOrigin(bucket.name, s3),
                {keys[bucket.name].key_pair_id: keys[bucket.name].public_key} if bucket.name in keys else {},
                clock=lambda: self.clock(),
            )
            for bucket in config.cdn_buckets
        }

    def routes(self) -> list[BaseRoute]:
        """The distributions' routes and the CDN page."""

        def serve(request: Request) -> Response:
            distribution = self.distributions.get(request.path_params["bucket"])
            if distribution is None:
                return error_response(404, "NoSuchDistribution", "No distribution serves this bucket")
            key = request.path_params["key"]
            if self.site_configs is not None and self.site_configs.refresh(distribution.name, key):
                distribution.cache.invalidate(key)
            return distribution.serve(request, key)

        def root(request: Request) -> Response:
            if request.path_params["bucket"] not in self.distributions:
                return error_response(404, "NoSuchDistribution", "No distribution serves this bucket")
            return RedirectResponse(f"{CDN_PATH}/{request.path_params['bucket']}/", status_code=301)

        shortcuts = [
            Route(f"{LOCAL_PAGES_PATH}/{page}", _redirect_to(f"{CDN_PATH}/{target}"), methods=["GET", "HEAD"])
            for page, target in self.pages.items()
        ]
        return [
            *shortcuts,
            Route(CDN_PATH + "/{bucket}", root, methods=["GET", "HEAD"]),
            Route(CDN_PATH + "/{bucket}/{key:path}", serve, methods=["GET", "HEAD"]),
            Route(CDN_PAGE_PATH, self._page),
        ]

    async def _page(self, request: Request) -> Response:
        rows = []
        for name, distribution in self.distributions.items():
            stats = distribution.stats
            access = (
                "signed URLs"
                + (f" (public: {', '.join(distribution.public_paths)})" if distribution.public_paths else "")
                if distribution.signed
                else "public"
            )
            rows.append(
                f"<tr><td><a href='{CDN_PATH}/{html.escape(name)}/'>{html.escape(name)}</a></td>"
                f"<td>{html.escape(access)}</td><td>{stats.requests}</td><td>{stats.hits}</td>"
                f"<td>{stats.refresh_hits}</td><td>{stats.misses}</td><td>{stats.refused}</td>"
                f"<td>{len(distribution.cache)} ({distribution.cache.size:,} bytes)</td></tr>"
            )
        table = (
            "<table><thead><tr><th>Distribution</th><th>Access</th><th>Requests</th><th>Hits</th>"
            "<th>Refresh hits</th><th>Origin fetches</th><th>Refused</th><th>At the edge</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else "<p class='empty'>No bucket is served through the CDN (`cdn = true`).</p>"
        )
        intro = (
            "<p>Each <code>cdn = true</code> bucket, served as CloudFront serves it: signed distributions refuse "
            "unsigned, expired or tampered URLs with 403; copies stay at the edge as long as their "
            "Cache-Control allows.</p>"
        )
        return local_page("Local CDN", f"<h1>Local CDN</h1>{intro}{table}")
