"""The blog's public site, served by the local CDN from site/: a person reads the published posts in headless
Chromium and sees a new one appear as it is published; the edge serves repeat visits from its copies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.contract.clients import api_key_client, run, user_client
from tests.fixtures.live_server import LiveServer

CREATE = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }"
PUBLISH = "mutation($id: ID!) { publishPost(id: $id) { id status authorId tags } }"


@pytest.fixture
def tab(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page that may reach the local server only; (page, errors it logged, URLs it asked for)."""
    page = browser.new_page()
    errors: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))
    try:
        yield page, errors, requested
    finally:
        page.close()


@pytest.mark.browser
def test_a_reader_sees_published_posts_and_a_new_one_as_it_is_published(
    live_server: LiveServer, tab: tuple[Any, list[str], list[str]]
) -> None:
    page, errors, requested = tab
    # GIVEN the site open in a browser, subscribed to new posts
    page.goto(f"{live_server.base_url}/_cdn/blog-site/")
    page.wait_for_selector('#status[data-live="live"]', state="attached", timeout=15_000)
    newest = run(
        api_key_client(live_server.url, live_server.api_key), "{ listPosts(limit: 20) { items { title } } }"
    )
    shown = page.locator("#posts h2").all_inner_texts()
    assert shown == [
        post["title"] for post in newest["listPosts"]["items"]
    ]  # what the API lists, in its order
    # WHEN an author publishes a post
    author = user_client(
        live_server.url, live_server.token(f"writer-{uuid.uuid4().hex[:6]}", groups=["authors"])
    )
    title = f"Fresh from the oven {uuid.uuid4().hex[:6]}"
    post_id = run(author, CREATE, input={"title": title, "body": "Warm bread.", "tags": ["baking"]})[
        "createPost"
    ]["id"]
    run(author, PUBLISH, id=post_id)
    # THEN it appears at the top of the page, marked new, without a reload
    fresh = page.locator("li.post.new", has_text=title)
    fresh.wait_for(timeout=15_000)
    assert page.locator("li.post").first.get_attribute("data-post-id") == post_id
    assert "baking" in fresh.inner_text()
    assert errors == []
    assert all(url.startswith((live_server.base_url, "data:")) for url in requested), requested


def test_the_site_is_cached_at_the_edge_with_etags(live_server: LiveServer) -> None:
    # GIVEN the site's page, fetched once (so the edge holds it)
    url = f"{live_server.base_url}/_cdn/blog-site/index.html"
    first = httpx.get(url, timeout=10)
    stats = live_server.cdn.distributions["blog-site"].stats
    hits, fetches = stats.hits, stats.misses
    # WHEN it is fetched again, and revalidated by its ETag
    second = httpx.get(url, timeout=10)
    revalidated = httpx.get(url, headers={"If-None-Match": first.headers["etag"]}, timeout=10)
    # THEN both come from the edge, the second as 304, with the site's Cache-Control
    assert first.headers["cache-control"] == "public, max-age=300"
    assert second.headers["x-cache"] == "Hit from cloudfront" and second.text == first.text
    assert (revalidated.status_code, revalidated.content) == (304, b"")
    assert (stats.hits - hits, stats.misses - fetches) == (2, 0)
    # AND the site's config tells its pages where the API is
    config = httpx.get(f"{live_server.base_url}/_cdn/blog-site/config.json", timeout=10).json()
    assert config["graphqlUrl"] == live_server.url and config["apiKey"] == live_server.api_key


@pytest.mark.browser
def test_the_cdn_page_shows_each_distribution_and_its_edge(
    live_server: LiveServer, tab: tuple[Any, list[str], list[str]]
) -> None:
    page, errors, _ = tab
    # GIVEN the site read twice and a premium video asked for without a signature
    for _ in range(2):
        httpx.get(f"{live_server.base_url}/_cdn/blog-site/index.html", timeout=10)
    httpx.get(f"{live_server.base_url}/_cdn/premium-media/media/anything.webm", timeout=10)
    # WHEN a person opens the CDN page
    page.goto(f"{live_server.base_url}/_local/cdn")
    # THEN each distribution is listed with how it is reached and what its edge did
    site = page.locator("tr", has_text="blog-site").inner_text().split("\t")
    premium = page.locator("tr", has_text="premium-media").inner_text().split("\t")
    assert site[1] == "public" and int(site[3]) >= 1  # hits
    assert premium[1] == "signed URLs (public: posters/*)" and int(premium[6]) >= 1  # refused
    page.locator("a", has_text="blog-site").click()
    page.wait_for_selector("#posts")
    assert errors == []
