"""The premium video page of the blog's site, in headless Chromium: a reader signs in (Cognito's InitiateAuth,
locally the runtime's stand-in) and is refused a premium video; a reader who buys it plays it from a signed
CDN URL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.live_server import LiveServer

PREMIUM_SAMPLE = "Colour bars"  # seeded, premium, READY (seed/demo.json)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, list[str], list[str]]]:
    tab = browser.new_page()
    errors: list[str] = []
    requested: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("request", lambda request: requested.append(request.url))
    try:
        yield tab, errors, requested
    finally:
        tab.close()


@pytest.mark.browser
def test_a_reader_signs_in_and_is_refused_a_premium_video(
    live_server: LiveServer, page: tuple[Any, list[str], list[str]]
) -> None:
    tab, errors, _ = page
    # GIVEN bob, who is not a premium subscriber, signed in on the video page
    tab.goto(f"{live_server.base_url}/_cdn/blog-site/media.html")
    tab.fill("#username", "bob")
    tab.fill("#password", "Passw0rd!")
    tab.click("#sign-in button[type=submit]")
    tab.wait_for_selector("#membership:not([hidden])")
    assert "Signed in as bob" in tab.inner_text("#who")
    assert "not a premium subscriber" in tab.inner_text("#premium-state")
    # WHEN he presses Play on a premium video
    item = tab.locator("li.media", has_text=PREMIUM_SAMPLE)
    item.locator("button.play").click()
    # THEN he is told why, offered to buy it, and nothing plays
    item.locator("button.buy:not([hidden])").wait_for()
    assert "premium subscribers and its buyers" in item.locator(".note").inner_text()
    assert tab.get_attribute("#player", "data-state") == "idle"
    assert errors == []


@pytest.mark.browser
def test_a_reader_buys_a_premium_video_and_it_plays_from_a_signed_url(
    live_server: LiveServer, page: tuple[Any, list[str], list[str]]
) -> None:
    tab, errors, requested = page
    # GIVEN a reader of their own, already signed in (their id token in the page's session)
    token = live_server.token(f"viewer-{uuid.uuid4().hex[:8]}")
    tab.add_init_script(f"sessionStorage.setItem('idToken', {json.dumps(token)})")
    tab.goto(f"{live_server.base_url}/_cdn/blog-site/media.html")
    item = tab.locator("li.media", has_text=PREMIUM_SAMPLE)
    item.locator("button.play").click()
    item.locator("button.buy:not([hidden])").wait_for()
    # WHEN they buy the video and press Play again
    item.locator("button.buy").click()
    item.locator(".note", has_text="Bought").wait_for()
    item.locator("button.play").click()
    # THEN it plays, from a signed URL on the CDN
    tab.wait_for_selector('#player[data-state="playing"]', state="attached", timeout=15_000)
    source = tab.get_attribute("#video", "src")
    assert source is not None and source.startswith(f"{live_server.base_url}/_cdn/premium-media/")
    assert "Signature=" in source and "Key-Pair-Id=" in source and "Policy=" in source
    assert source in requested
    assert errors == []


@pytest.mark.browser
def test_a_wrong_password_is_refused_on_the_page(
    live_server: LiveServer, page: tuple[Any, list[str], list[str]]
) -> None:
    tab, errors, _ = page
    tab.goto(f"{live_server.base_url}/_cdn/blog-site/media.html")
    tab.fill("#username", f"nobody-{uuid.uuid4().hex[:6]}")
    tab.fill("#password", "wrong")
    tab.click("#sign-in button[type=submit]")
    tab.locator("#sign-in-status", has_text="Incorrect username or password.").wait_for()
    assert tab.locator("#membership").is_hidden()
    assert errors == []
