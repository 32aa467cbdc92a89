"""The blog's APPSYNC_JS pipelines (resolvers/js/), run by the local JS runner against DynamoDB Local."""

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

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "appsync.toml")
BINDINGS = BindingRegistry.discover(CONFIG)
BLOG_FIELDS = [
    "Query.getPost",
    "Query.listPosts",
    "Mutation.createPost",
    "Mutation.updatePost",
    "Mutation.publishPost",
    "Mutation.deletePost",
    "Mutation.attachPostImage",
]


class RecordingDataSource:
    """A real data source that also keeps every request object it was sent."""

    def __init__(self, inner: DynamoDBDataSource) -> None:
        self.inner = inner
        self.name = inner.name
        self.requests: list[dict[str, Any]] = []

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        self.requests.append(request)
        return await self.inner.invoke(request, invocation)

    @property
    def calls(self) -> int:
        return self.inner.calls

    def reset(self) -> None:
        self.inner.reset_calls()
        self.requests.clear()


PHOTOS_CDN = "https://d111111abcdef8.cloudfront.net"


class Blog:
    """Calls the blog's fields the way the executor does: one `runner.run` per field."""

    def __init__(
        self, runner: JsResolverRunner, posts: RecordingDataSource, users: RecordingDataSource
    ) -> None:
        self.runner = runner
        self.posts = posts
        self.users = users

    async def call(self, key: str, identity: dict[str, Any] | None = None, **arguments: Any) -> Any:
        type_name, _, field_name = key.partition(".")
        binding = BINDINGS.get(type_name, field_name)
        assert binding is not None
        invocation = ResolverInvocation(
            arguments=arguments,
            source=None,
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

    def reset(self) -> None:
        self.posts.reset()
        self.users.reset()


def author(name: str | None = "Writer") -> dict[str, Any]:
    """A Cognito identity in the authors group; with a name, also a Users item (email included)."""
    sub = str(uuid.uuid4())
    if name is not None:
        default_client_factory().put_item(
            TableName="Users",
            Item={
                "id": {"S": sub},
                "username": {"S": name.lower()},
                "email": {"S": f"{sub}@example.com"},
                "name": {"S": name},
                "bio": {"S": "bio"},
            },
        )
    return {
        "sub": sub,
        "username": name or sub,
        "groups": ["authors"],
        "claims": {"sub": sub},
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalPool",
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
    }


def new_post(**fields: Any) -> dict[str, Any]:
    return {"title": "Title", "body": "Body", "tags": [], **fields}


@pytest.fixture
def blog(local_aws: LocalAws) -> Blog:
    posts = RecordingDataSource(DynamoDBDataSource.from_config(CONFIG.data_source("posts")))
    users = RecordingDataSource(DynamoDBDataSource.from_config(CONFIG.data_source("users")))
    environment = {**CONFIG.api.environment, "PHOTOS_CDN_URL": PHOTOS_CDN}  # ${cdn:post-photos}, deployed
    return Blog(JsResolverRunner({"posts": posts, "users": users}, environment), posts, users)


def test_every_blog_field_is_a_pipeline_that_ends_by_attaching_authors() -> None:
    # GIVEN the bindings discovered from resolvers/js and appsync.toml
    # WHEN the blog's fields are looked up
    bindings = [BINDINGS.get(*key.split(".")) for key in BLOG_FIELDS]
    # THEN each is a pipeline whose last step fetches authors from the Users data source
    assert all(b is not None and b.kind == "PIPELINE" for b in bindings)
    assert {(b.functions[-1].name, b.functions[-1].data_source) for b in bindings} == {
        ("attachAuthors", "users")
    }
    # AND Post.author has no resolver of its own (no call per post)
    assert BINDINGS.get("Post", "author") is None
    # AND every file is code AppSync's APPSYNC_JS runtime accepts
    JsResolverRunner({}).check(bindings)  # type: ignore[arg-type]


async def test_create_returns_a_draft_with_only_the_public_side_of_its_author(blog: Blog) -> None:
    # GIVEN an author with a profile (which holds their email)
    writer = author("Ada")
    # WHEN they create a post
    post = await blog.call(
        "Mutation.createPost", writer, input=new_post(title="  Hi  ", tags=["A", "b", "a"])
    )
    # THEN it is a trimmed draft with normalized tags, and its author carries no email or username
    assert (post["title"], post["status"], post["tags"], post["authorId"]) == (
        "Hi",
        "DRAFT",
        ["a", "b"],
        writer["sub"],
    )
    assert post["author"] == {"id": writer["sub"], "name": "Ada", "bio": "bio"}
    assert post["createdAt"] == post["updatedAt"] and "publishedAt" not in post


async def test_a_draft_reads_as_missing_to_all_but_its_author(blog: Blog) -> None:
    writer = author()
    draft = await blog.call("Mutation.createPost", writer, input=new_post())
    # WHEN the public, another author and its author read it
    # THEN only its author gets it
    assert await blog.call("Query.getPost", None, id=draft["id"]) is None
    assert await blog.call("Query.getPost", author(), id=draft["id"]) is None
    assert (await blog.call("Query.getPost", writer, id=draft["id"]))["id"] == draft["id"]
    # AND once published, everyone does
    await blog.call("Mutation.publishPost", writer, id=draft["id"])
    assert (await blog.call("Query.getPost", None, id=draft["id"]))["status"] == "PUBLISHED"


@pytest.mark.parametrize("field", ["Mutation.updatePost", "Mutation.publishPost", "Mutation.deletePost"])
async def test_writes_on_someone_elses_post_fail_as_not_found_and_change_nothing(
    blog: Blog, field: str
) -> None:
    # GIVEN one author's draft
    writer = author()
    post = await blog.call("Mutation.createPost", writer, input=new_post(title="Mine"))
    arguments = (
        {"input": {"id": post["id"], "title": "pwned"}}
        if field.endswith("updatePost")
        else {"id": post["id"]}
    )
    # WHEN another author writes to it
    with pytest.raises(AppSyncFieldError) as refused:
        await blog.call(field, author(), **arguments)
    # THEN the condition on authorId refuses the write, reported as NotFoundError
    assert refused.value.error_type == "NotFoundError"
    assert refused.value.message == f"Post '{post['id']}' not found"
    # AND the write was one conditional call, with no read before it
    assert [r["operation"] for r in blog.posts.requests][-1] in ("UpdateItem", "DeleteItem")
    assert blog.posts.requests[-1]["condition"]["expression"] == "#authorId = :caller"
    unchanged = await blog.call("Query.getPost", writer, id=post["id"])
    assert (unchanged["title"], unchanged["status"]) == ("Mine", "DRAFT")


async def test_deleting_a_missing_post_is_not_found(blog: Blog) -> None:
    with pytest.raises(AppSyncFieldError) as missing:
        await blog.call("Mutation.deletePost", author(), id=str(uuid.uuid4()))
    assert missing.value.error_type == "NotFoundError"


async def test_update_changes_only_what_was_sent_and_a_new_photo_drops_the_thumbnail(blog: Blog) -> None:
    # GIVEN a post with a photo whose thumbnail was made
    writer = author()
    post = await blog.call(
        "Mutation.createPost", writer, input=new_post(photoUrl="https://example.com/a.jpg")
    )
    default_client_factory().update_item(
        TableName="Posts",
        Key={"id": {"S": post["id"]}},
        UpdateExpression="SET thumbnailUrl = :t",
        ExpressionAttributeValues={":t": {"S": "https://example.com/t.jpg"}},
    )
    # WHEN only the body changes, THEN the photo and thumbnail stay
    kept = await blog.call("Mutation.updatePost", writer, input={"id": post["id"], "body": "New body"})
    assert (kept["title"], kept["body"], kept["thumbnailUrl"]) == (
        "Title",
        "New body",
        "https://example.com/t.jpg",
    )
    # WHEN the photo changes, THEN the stale thumbnail goes
    moved = await blog.call(
        "Mutation.updatePost", writer, input={"id": post["id"], "photoUrl": "https://example.com/b.jpg"}
    )
    assert moved["photoUrl"] == "https://example.com/b.jpg" and "thumbnailUrl" not in moved
    # WHEN the photo is removed, THEN it is gone
    removed = await blog.call("Mutation.updatePost", writer, input={"id": post["id"], "photoUrl": None})
    assert "photoUrl" not in removed and removed["author"]["id"] == writer["sub"]


@pytest.mark.parametrize(
    ("input", "message"),
    [
        (new_post(title=" "), "title must be 1 to 200 characters"),
        (new_post(tags=["ok", ""]), "each tag must be 1 to 40 characters"),
        (new_post(tags=[f"t{i}" for i in range(11)]), "a post has at most 10 tags"),
        (new_post(body="x" * 50001), "body must be at most 50000 characters"),
    ],
)
async def test_bad_input_is_a_validation_error_before_any_write(
    blog: Blog, input: dict, message: str
) -> None:
    with pytest.raises(AppSyncFieldError) as bad:
        await blog.call("Mutation.createPost", author(), input=input)
    assert (bad.value.error_type, bad.value.message) == ("ValidationError", message)
    assert blog.posts.requests == []


BAD_FIELDS = [
    ({"title": " "}, "title must be 1 to 200 characters"),
    ({"title": None}, "title must be 1 to 200 characters"),
    ({"body": "x" * 50001}, "body must be at most 50000 characters"),
    ({"tags": ["ok", ""]}, "each tag must be 1 to 40 characters"),
    ({"tags": [f"t{i}" for i in range(11)]}, "a post has at most 10 tags"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_FIELDS)
async def test_create_and_update_refuse_a_bad_field_alike(blog: Blog, fields: dict, message: str) -> None:
    # GIVEN an author's post
    writer = author()
    post = await blog.call("Mutation.createPost", writer, input=new_post())
    blog.reset()
    # WHEN a new post, and a change to the post, send the same bad field
    with pytest.raises(AppSyncFieldError) as on_create:
        await blog.call("Mutation.createPost", writer, input=new_post(**fields))
    with pytest.raises(AppSyncFieldError) as on_update:
        await blog.call("Mutation.updatePost", writer, input={"id": post["id"], **fields})
    # THEN both refuse it with the same validation error, before any write
    assert (on_create.value.error_type, on_create.value.message) == ("ValidationError", message)
    assert (on_update.value.error_type, on_update.value.message) == ("ValidationError", message)
    assert blog.posts.requests == []


async def test_null_tags_mean_no_tags_on_create_and_on_update(blog: Blog) -> None:
    # GIVEN an author
    writer = author()
    # WHEN they create a post with tags: null, and update a tagged post with tags: null
    created = await blog.call("Mutation.createPost", writer, input=new_post(tags=None))
    tagged = await blog.call("Mutation.createPost", writer, input=new_post(tags=["keep", "me"]))
    updated = await blog.call("Mutation.updatePost", writer, input={"id": tagged["id"], "tags": None})
    # THEN both posts have no tags (null is "none", as photoUrl: null is "no photo")
    assert created["tags"] == [] and updated["tags"] == []
    # AND tags normalize the same way on both
    tags = [" A", "a", "B"]
    retagged = await blog.call("Mutation.updatePost", writer, input={"id": tagged["id"], "tags": tags})
    new = await blog.call("Mutation.createPost", writer, input=new_post(tags=tags))
    assert retagged["tags"] == new["tags"] == ["a", "b"]


@pytest.mark.parametrize(("limit", "sent"), [(None, 20), (0, 1), (-4, 1), (7, 7), (100, 100), (1000, 100)])
async def test_list_clamps_the_limit_and_asks_for_newest_first(
    blog: Blog, limit: int | None, sent: int
) -> None:
    arguments = {} if limit is None else {"limit": limit}
    await blog.call("Query.listPosts", None, **arguments)
    (query,) = [r for r in blog.posts.requests if r["operation"] == "Query"]
    assert (query["limit"], query["scanIndexForward"], query["index"]) == (sent, False, "byStatusCreatedAt")


async def test_listing_an_author_shows_drafts_only_to_that_author(blog: Blog) -> None:
    writer = author()
    draft = await blog.call("Mutation.createPost", writer, input=new_post(title="draft"))
    live = await blog.call("Mutation.createPost", writer, input=new_post(title="live"))
    await blog.call("Mutation.publishPost", writer, id=live["id"])
    own = await blog.call("Query.listPosts", writer, authorId=writer["sub"])
    public = await blog.call("Query.listPosts", None, authorId=writer["sub"])
    assert [p["id"] for p in own["items"]] == [live["id"], draft["id"]]
    assert [p["id"] for p in public["items"]] == [live["id"]]
    assert public["nextToken"] is None


@pytest.mark.parametrize("size", [1, 5, 30])
async def test_a_page_costs_one_query_and_one_batch_get_whatever_its_size(blog: Blog, size: int) -> None:
    # GIVEN `size` published posts with a tag of their own, by three authors (one without a profile)
    tag = f"tag-{uuid.uuid4().hex[:8]}"
    writers = [author("One"), author("Two"), author(None)]
    for i in range(size):
        post = await blog.call(
            "Mutation.createPost", writers[i % 3], input=new_post(title=f"p{i}", tags=[tag])
        )
        await blog.call("Mutation.publishPost", writers[i % 3], id=post["id"])
    blog.reset()
    # WHEN one page of them is read
    page = await blog.call("Query.listPosts", None, tag=tag.upper(), limit=size)
    # THEN all come back newest first with their authors (null for the one without a profile)
    assert [p["title"] for p in page["items"]] == [f"p{i}" for i in range(size - 1, -1, -1)]
    for post in page["items"]:
        expected = None if post["authorId"] == writers[2]["sub"] else post["authorId"]
        assert (post["author"] or {}).get("id") == expected
    # AND it took one Query and one BatchGetItem of the distinct authors
    assert (blog.posts.calls, blog.users.calls) == (1, 1)
    (batch,) = blog.users.requests
    assert len(batch["tables"]["Users"]["keys"]) == min(size, 3)


async def test_an_empty_page_makes_no_call_for_authors(blog: Blog) -> None:
    page = await blog.call("Query.listPosts", None, authorId=str(uuid.uuid4()))
    assert page == {"items": [], "nextToken": None}
    assert (blog.posts.calls, blog.users.calls) == (1, 0)


async def test_pages_follow_next_token(blog: Blog) -> None:
    writer = author()
    for i in range(3):
        await blog.call("Mutation.createPost", writer, input=new_post(title=f"p{i}"))
    first = await blog.call("Query.listPosts", writer, authorId=writer["sub"], limit=2)
    rest = await blog.call(
        "Query.listPosts", writer, authorId=writer["sub"], limit=2, nextToken=first["nextToken"]
    )
    assert [p["title"] for p in first["items"] + rest["items"]] == ["p2", "p1", "p0"]


# --- a post's photo: attachPostImage (the thumbnail pipeline's report, IAM only) ------------------------------

CDN = PHOTOS_CDN


async def awaiting_upload(
    blog: Blog, writer: dict[str, Any], photo_url: str | None = None
) -> tuple[dict, str]:
    """A post that awaits an upload, as createPostImageUploadUrl leaves it; the post and the upload's key."""
    post = await blog.call("Mutation.createPost", writer, input=new_post(photoUrl=photo_url))
    key = f"originals/{writer['sub']}/{post['id']}/{uuid.uuid4()}.jpg"
    default_client_factory().update_item(
        TableName="Posts",
        Key={"id": {"S": post["id"]}},
        UpdateExpression="SET photoKey = :k, imageStatus = :p",
        ExpressionAttributeValues={":k": {"S": key}, ":p": {"S": "PENDING"}},
    )
    return post, key


def ready(post_id: str, key: str) -> dict[str, Any]:
    """A READY report, its sizes deliberately out of order."""
    folder = f"thumbnails/{key.removeprefix('originals/').removesuffix('.jpg')}"
    return {
        "postId": post_id,
        "photoKey": key,
        "status": "READY",
        "thumbnails": [
            {"width": 1024, "height": 768, "key": f"{folder}/w1024.webp"},
            {"width": 320, "height": 240, "key": f"{folder}/w320.webp"},
        ],
    }


async def test_a_ready_upload_becomes_the_posts_photo_with_its_sizes(blog: Blog) -> None:
    # GIVEN a post awaiting an upload, after an earlier upload was refused
    writer = author("Ada")
    post, key = await awaiting_upload(blog, writer)
    default_client_factory().update_item(
        TableName="Posts",
        Key={"id": {"S": post["id"]}},
        UpdateExpression="SET imageError = :e",
        ExpressionAttributeValues={":e": {"S": "the upload is empty"}},
    )
    # WHEN the pipeline reports that upload READY
    attached = await blog.call("Mutation.attachPostImage", None, input=ready(post["id"], key))
    # THEN the post shows the original, its sizes smallest first, the smallest as thumbnailUrl, and no error,
    # each through the photos' CDN
    assert attached["imageStatus"] == "READY" and "imageError" not in attached
    assert attached["photoUrl"] == f"{CDN}/{key}"
    folder = f"{CDN}/thumbnails/{key.removeprefix('originals/').removesuffix('.jpg')}"
    assert [(t["width"], t["url"]) for t in attached["thumbnails"]] == [
        (320, f"{folder}/w320.webp"),
        (1024, f"{folder}/w1024.webp"),
    ]
    assert attached["thumbnailUrl"] == attached["thumbnails"][0]["url"]
    # AND the post keeps the objects' keys, not URLs, so it is shown right wherever the CDN is served
    stored = default_client_factory().get_item(TableName="Posts", Key={"id": {"S": post["id"]}})["Item"]
    assert stored["imageKey"] == {"S": key} and "photoUrl" not in stored and "thumbnailUrl" not in stored
    assert [t["M"]["key"]["S"] for t in stored["thumbnails"]["L"]] == [
        f"{folder.removeprefix(CDN + '/')}/w320.webp",
        f"{folder.removeprefix(CDN + '/')}/w1024.webp",
    ]
    assert attached["author"]["name"] == "Ada" and attached["updatedAt"] >= post["updatedAt"]
    # AND the write was one UpdateItem conditional on the post awaiting exactly that upload
    write = blog.posts.requests[-1]
    assert write["operation"] == "UpdateItem"
    assert write["condition"]["expression"] == "attribute_exists(#id) AND #photoKey = :photoKey"


async def test_a_failed_upload_records_why_and_keeps_the_previous_photo(blog: Blog) -> None:
    post, key = await awaiting_upload(blog, author(), photo_url="https://example.com/old.jpg")
    failed = await blog.call(
        "Mutation.attachPostImage",
        None,
        input={"postId": post["id"], "photoKey": key, "status": "FAILED", "error": " the upload is empty "},
    )
    assert (failed["imageStatus"], failed["imageError"]) == ("FAILED", "the upload is empty")
    assert failed["photoUrl"] == "https://example.com/old.jpg"


async def test_a_report_for_an_older_upload_or_a_missing_post_changes_nothing(blog: Blog) -> None:
    # GIVEN a post that, since its first upload, awaits a newer one
    writer = author()
    post, older = await awaiting_upload(blog, writer)
    newer = f"originals/{writer['sub']}/{post['id']}/{uuid.uuid4()}.jpg"
    default_client_factory().update_item(
        TableName="Posts",
        Key={"id": {"S": post["id"]}},
        UpdateExpression="SET photoKey = :k",
        ExpressionAttributeValues={":k": {"S": newer}},
    )
    # WHEN the older upload's report arrives THEN it is refused as a conflict, and the post is unchanged
    with pytest.raises(AppSyncFieldError) as stale:
        await blog.call("Mutation.attachPostImage", None, input=ready(post["id"], older))
    assert (stale.value.error_type, stale.value.message) == (
        "ConflictError",
        f"Post '{post['id']}' no longer awaits the upload '{older}'",
    )
    unchanged = await blog.call("Query.getPost", writer, id=post["id"])
    assert unchanged["imageStatus"] == "PENDING" and "thumbnails" not in unchanged
    # WHEN a report names a post that does not exist THEN it is not found
    missing = str(uuid.uuid4())
    with pytest.raises(AppSyncFieldError) as gone:
        await blog.call("Mutation.attachPostImage", None, input=ready(missing, older))
    assert (gone.value.error_type, gone.value.message) == ("NotFoundError", f"Post '{missing}' not found")


async def test_a_photo_set_by_url_drops_the_uploaded_one_and_any_upload_in_progress(blog: Blog) -> None:
    # GIVEN a post with an uploaded photo READY, and a newer upload in progress
    writer = author()
    post, key = await awaiting_upload(blog, writer)
    await blog.call("Mutation.attachPostImage", None, input=ready(post["id"], key))
    # WHEN its author sets the photo by URL
    moved = await blog.call(
        "Mutation.updatePost", writer, input={"id": post["id"], "photoUrl": "https://example.com/b.jpg"}
    )
    # THEN the uploaded photo's sizes and status are gone
    for stale_field in ("imageKey", "thumbnailUrl", "thumbnails", "imageStatus", "imageError", "photoKey"):
        assert stale_field not in moved
    # AND a late report of the upload cannot bring them back
    with pytest.raises(AppSyncFieldError) as late:
        await blog.call("Mutation.attachPostImage", None, input=ready(post["id"], key))
    assert late.value.error_type == "ConflictError"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"thumbnails": []}, "a READY image has 1 to 10 thumbnails"),
        (
            {"thumbnails": [{"width": 10, "height": 10, "key": ""}]},
            "a thumbnail's key is 1 to 1024 characters",
        ),
        (
            {"thumbnails": [{"width": 0, "height": 10, "key": "thumbnails/x"}]},
            "thumbnail sizes are 1 to 16384 pixels",
        ),
        ({"status": "FAILED"}, "a FAILED image has an error of 1 to 500 characters"),
        ({"status": "PENDING"}, "status must be READY or FAILED"),
    ],
)
async def test_a_malformed_report_is_a_validation_error_before_any_write(
    blog: Blog, change: dict[str, Any], message: str
) -> None:
    post, key = await awaiting_upload(blog, author())
    blog.reset()
    with pytest.raises(AppSyncFieldError) as bad:
        await blog.call("Mutation.attachPostImage", None, input={**ready(post["id"], key), **change})
    assert (bad.value.error_type, bad.value.message) == ("ValidationError", message)
    assert blog.posts.requests == []
