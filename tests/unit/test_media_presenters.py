"""The media function shows an item's poster through the media distribution, made from the key the item keeps."""

from __future__ import annotations

from resolvers.media import presenters
from resolvers.media.domain.models import Media, Purchase
from resolvers.records import from_stored

ITEM = {"id": "m1", "title": "Colour bars", "status": "READY", "createdAt": "t0", "updatedAt": "t1"}


def test_a_purchases_media_shows_its_poster_at_the_distributions_address() -> None:
    item = from_stored(
        Media, {**ITEM, "posterKey": "posters/m1/first take.jpg", "objectKey": "media/m1/u.webm"}
    )
    bought = Purchase(user_id="u1", media_id="m1", purchased_at="t2")
    shown = presenters.purchase(bought, item, "http://127.0.0.1:9000/_cdn/premium-media/")
    assert (
        shown["media"]["thumbnailUrl"]
        == "http://127.0.0.1:9000/_cdn/premium-media/posters/m1/first%20take.jpg"
    )
    # where the file and the poster are stored stays inside
    assert not {"posterKey", "objectKey", "uploadKey"} & set(shown["media"])


def test_an_item_stored_with_its_posters_url_shows_that_url() -> None:
    item = from_stored(Media, {**ITEM, "thumbnailUrl": "https://d1.cloudfront.net/posters/m1/a.jpg"})
    assert (
        presenters.media(item, "https://d2.cloudfront.net")["thumbnailUrl"]
        == "https://d1.cloudfront.net/posters/m1/a.jpg"
    )
