"""The media catalog's APPSYNC_JS resolvers and the User.purchases pipeline (resolvers/js/), run by the local
JS runner against DynamoDB Local."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from appdef import load_config
from appdef.bindings import BindingRegistry
from appsync_local.datasources import DynamoDBDataSource
from appsync_local.datasources.dynamodb import default_client_factory
from appsync_local.errors import AppSyncFieldError
from appsync_local.js import JsResolverRunner
from appsync_local.local_aws import LocalAws
from appsync_local.resolver_context import ResolverInvocation
from tests.functional.test_blog_resolvers import RecordingDataSource

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "appsync.toml")
BINDINGS = BindingRegistry.discover(CONFIG)
JS_FIELDS = [
    "Query.getMedia",
    "Query.listMedia",
    "Mutation.createMedia",
    "Mutation.updateMedia",
    "Mutation.deleteMedia",
    "User.purchases",
]


class Catalog:
    """Calls the catalog's fields the way the executor does: one `runner.run` per field."""

    def __init__(self, runner: JsResolverRunner, media: RecordingDataSource) -> None:
        self.runner = runner
        self.media = media

    async def call(
        self, key: str, identity: dict[str, Any] | None = None, source: Any = None, **arguments: Any
    ) -> Any:
        type_name, _, field_name = key.partition(".")
        binding = BINDINGS.get(type_name, field_name)
        assert binding is not None
        invocation = ResolverInvocation(
            arguments=arguments,
            source=source,
            identity=identity,
            auth_type="AMAZON_COGNITO_USER_POOLS" if identity else "API_KEY",
            request_headers={"host": "localhost"},
            info={
                "fieldName": field_name,
                "parentTypeName": type_name,
                "variables": {},
                "selectionSetList": [],
                "selectionSetGraphQL": "",
            },
            request_id=str(uuid.uuid4()),
        )
        return await self.runner.run(binding, invocation)


def user(*groups: str) -> dict[str, Any]:
    """A Cognito identity in `groups`."""
    sub = str(uuid.uuid4())
    return {
        "sub": sub,
        "username": sub,
        "groups": list(groups),
        "claims": {"sub": sub, "cognito:groups": list(groups)},
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalPool",
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
    }


ADMIN = user("admins")


def mark(media_id: str, status: str, **attributes: Any) -> None:
    """Set an item's status (and more) as the upload pipeline does."""
    names = {"#status": "status", **{f"#{k}": k for k in attributes}}
    values = {":status": {"S": status}, **{f":{k}": {"S": str(v)} for k, v in attributes.items()}}
    sets = ", ".join(["#status = :status", *(f"#{k} = :{k}" for k in attributes)])
    default_client_factory().update_item(
        TableName="Media",
        Key={"id": {"S": media_id}},
        UpdateExpression=f"SET {sets}",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


@pytest.fixture
def catalog(local_aws: LocalAws) -> Catalog:
    media = RecordingDataSource(DynamoDBDataSource.from_config(CONFIG.data_source("media")))
    purchases = DynamoDBDataSource.from_config(CONFIG.data_source("purchases"))
    runner = JsResolverRunner({"media": media, "purchases": purchases}, CONFIG.api.environment)  # type: ignore[dict-item]
    return Catalog(runner, media)


def test_the_catalog_fields_are_js_on_the_media_table_and_acceptable_to_appsync() -> None:
    bindings = [BINDINGS.get(*key.split(".")) for key in JS_FIELDS]
    assert all(b is not None for b in bindings)
    assert {(b.kind, b.data_source) for b in bindings[:-1] if b} == {("JS", "media")}
    purchases = bindings[-1]
    assert purchases is not None and purchases.kind == "PIPELINE"
    assert [(f.name, f.data_source) for f in purchases.functions] == [
        ("queryPurchases", "purchases"),
        ("attachPurchasedMedia", "media"),
    ]
    # AND no Purchase.media resolver: a page of purchases costs one Query and one BatchGetItem
    assert BINDINGS.get("Purchase", "media") is None
    JsResolverRunner({}).check(bindings)  # type: ignore[arg-type]


async def test_an_admin_creates_a_pending_premium_item_that_the_public_does_not_see(catalog: Catalog) -> None:
    # WHEN an admin creates an item with a padded title and no description
    created = await catalog.call(
        "Mutation.createMedia", ADMIN, input={"title": "  The sea  ", "durationSeconds": 95}
    )
    # THEN it is premium, waiting for its file, with no file details
    assert (created["title"], created["premium"], created["status"], created["durationSeconds"]) == (
        "The sea",
        True,
        "PENDING_UPLOAD",
        95,
    )
    assert created["createdAt"] == created["updatedAt"]
    assert not {"description", "contentType", "size", "thumbnailUrl"} & set(created)
    # AND only admins see it until it is READY
    assert await catalog.call("Query.getMedia", None, id=created["id"]) is None
    assert await catalog.call("Query.getMedia", user(), id=created["id"]) is None
    assert (await catalog.call("Query.getMedia", ADMIN, id=created["id"]))["id"] == created["id"]
    mark(created["id"], "READY")
    assert (await catalog.call("Query.getMedia", None, id=created["id"]))["status"] == "READY"


async def test_the_catalog_lists_ready_items_newest_first_and_admins_list_the_others(
    catalog: Catalog,
) -> None:
    # GIVEN three READY items and a FAILED one
    ready = []
    for n in range(3):
        item = await catalog.call("Mutation.createMedia", ADMIN, input={"title": f"ready {n}"})
        mark(item["id"], "READY", createdAt=f"2030-01-0{n + 1}T00:00:00.000Z")
        ready.append(item["id"])
    failed = await catalog.call("Mutation.createMedia", ADMIN, input={"title": "broken"})
    mark(failed["id"], "FAILED", createdAt="2030-01-09T00:00:00.000Z", statusReason="the upload is empty")
    # WHEN the public lists the catalog two at a time
    first = await catalog.call("Query.listMedia", None, limit=2)
    rest = await catalog.call("Query.listMedia", None, limit=2, nextToken=first["nextToken"])
    # THEN the newest READY items come first, and the FAILED one is not there
    listed = [item["id"] for item in first["items"] + rest["items"]]
    assert listed[:3] == ready[::-1]
    assert failed["id"] not in listed
    # AND an admin lists the FAILED ones with their reason, and anyone else is refused
    failures = await catalog.call("Query.listMedia", ADMIN, status="FAILED", limit=100)
    assert {i["id"]: i["statusReason"] for i in failures["items"]}[failed["id"]] == "the upload is empty"
    for caller in (None, user()):
        with pytest.raises(AppSyncFieldError) as refused:
            await catalog.call("Query.listMedia", caller, status="PENDING_UPLOAD")
        assert (refused.value.error_type, refused.value.message) == (
            "Unauthorized",
            "Not Authorized to access listMedia on type Query",
        )


async def test_an_update_changes_what_was_sent_and_null_clears_what_may_be_cleared(catalog: Catalog) -> None:
    created = await catalog.call(
        "Mutation.createMedia", ADMIN, input={"title": "Title", "description": "About it", "premium": False}
    )
    changed = await catalog.call(
        "Mutation.updateMedia", ADMIN, input={"id": created["id"], "description": None, "premium": True}
    )
    assert (changed["title"], changed["premium"], "description" in changed) == ("Title", True, False)
    assert changed["updatedAt"] >= created["updatedAt"] and changed["status"] == "PENDING_UPLOAD"


@pytest.mark.parametrize(
    ("input", "message"),
    [
        ({"title": " "}, "title must be 1 to 200 characters"),
        ({"title": "t", "description": "x" * 5001}, "description must be at most 5000 characters"),
        ({"title": "t", "durationSeconds": -1}, "durationSeconds must be 0 to 86400"),
        ({"title": "t", "durationSeconds": 86401}, "durationSeconds must be 0 to 86400"),
        ({"title": "t", "premium": None}, "premium must be true or false"),
    ],
)
async def test_bad_input_is_a_validation_error_before_any_write(
    catalog: Catalog, input: dict[str, Any], message: str
) -> None:
    catalog.media.reset()
    with pytest.raises(AppSyncFieldError) as bad:
        await catalog.call("Mutation.createMedia", ADMIN, input=input)
    assert (bad.value.error_type, bad.value.message) == ("ValidationError", message)
    assert catalog.media.requests == []


@pytest.mark.parametrize("field", ["Mutation.updateMedia", "Mutation.deleteMedia"])
async def test_writes_to_a_missing_item_are_not_found_and_create_nothing(
    catalog: Catalog, field: str
) -> None:
    missing = str(uuid.uuid4())
    arguments = {"input": {"id": missing, "title": "x"}} if field.endswith("updateMedia") else {"id": missing}
    with pytest.raises(AppSyncFieldError) as refused:
        await catalog.call(field, ADMIN, **arguments)
    assert (refused.value.error_type, refused.value.message) == (
        "NotFoundError",
        f"Media '{missing}' not found",
    )
    assert await catalog.call("Query.getMedia", ADMIN, id=missing) is None


async def test_delete_returns_the_item_and_it_leaves_the_catalog(catalog: Catalog) -> None:
    created = await catalog.call("Mutation.createMedia", ADMIN, input={"title": "Gone soon"})
    deleted = await catalog.call("Mutation.deleteMedia", ADMIN, id=created["id"])
    assert deleted["id"] == created["id"]
    assert await catalog.call("Query.getMedia", ADMIN, id=created["id"]) is None


async def test_a_users_purchases_come_with_their_media_in_one_batch_read(catalog: Catalog) -> None:
    # GIVEN a buyer of two items, one of which has since left the catalog
    buyer = user()
    kept = await catalog.call("Mutation.createMedia", ADMIN, input={"title": "Kept"})
    gone = await catalog.call("Mutation.createMedia", ADMIN, input={"title": "Gone"})
    for item in (kept, gone):
        default_client_factory().put_item(
            TableName="Purchases",
            Item={
                "userId": {"S": buyer["sub"]},
                "mediaId": {"S": item["id"]},
                "purchasedAt": {"S": "2024-05-01T12:00:00.000Z"},
            },
        )
    await catalog.call("Mutation.deleteMedia", ADMIN, id=gone["id"])
    catalog.media.reset()
    # WHEN the buyer's purchases are read (User.purchases under `me`)
    page = await catalog.call("User.purchases", buyer, source={"id": buyer["sub"]})
    # THEN both purchases are listed; the one that left the catalog shows no media
    by_id = {p["mediaId"]: p for p in page["items"]}
    assert set(by_id) == {kept["id"], gone["id"]} and page["nextToken"] is None
    assert by_id[kept["id"]]["media"]["title"] == "Kept"
    assert by_id[gone["id"]]["media"] is None
    assert by_id[kept["id"]]["purchasedAt"] == "2024-05-01T12:00:00.000Z"
    # AND the media came from one BatchGetItem
    assert [r["operation"] for r in catalog.media.requests] == ["BatchGetItem"]
    # AND someone who bought nothing gets an empty page, with no read of the catalog
    catalog.media.reset()
    nobody = user()
    assert await catalog.call("User.purchases", nobody, source={"id": nobody["sub"]}) == {
        "items": [],
        "nextToken": None,
    }
    assert catalog.media.requests == []
