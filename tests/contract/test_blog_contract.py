"""The blog through real HTTP with gql: public reads, drafts, authors' own writes, pages, and no N+1."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from gql import Client
from gql.transport.exceptions import TransportQueryError

from tests.contract.clients import api_key_client, iam_client, run, run_async, user_client
from tests.fixtures.live_server import LiveServer

POST_FIELDS = (
    "id authorId title body tags status createdAt updatedAt publishedAt photoUrl thumbnailUrl "
    "author { id name }"
)
CREATE = f"mutation($input: CreatePostInput!) {{ createPost(input: $input) {{ {POST_FIELDS} }} }}"
UPDATE = f"mutation($input: UpdatePostInput!) {{ updatePost(input: $input) {{ {POST_FIELDS} }} }}"
PUBLISH = f"mutation($id: ID!) {{ publishPost(id: $id) {{ {POST_FIELDS} }} }}"
DELETE = f"mutation($id: ID!) {{ deletePost(id: $id) {{ {POST_FIELDS} }} }}"
GET = f"query($id: ID!) {{ getPost(id: $id) {{ {POST_FIELDS} }} }}"
LIST = """
query($limit: Int, $nextToken: String, $authorId: ID, $tag: String) {
  listPosts(limit: $limit, nextToken: $nextToken, authorId: $authorId, tag: $tag) {
    items { id authorId title tags status author { id name } }
    nextToken
  }
}"""

# The seeded posts (seed/demo.json): alice's, three published and one draft.
SEEDED_PUBLISHED = "7a1e0c00-0000-4000-8000-00000000b003"
SEEDED_DRAFT = "7a1e0c00-0000-4000-8000-00000000b004"


def errors_of(exc: pytest.ExceptionInfo[TransportQueryError]) -> list[dict]:
    return list(exc.value.errors or [])


def error_of(client: Client, query: str, **variables: object) -> dict:
    with pytest.raises(TransportQueryError) as failed:
        run(client, query, **variables)
    (error,) = errors_of(failed)
    return error


def list_all(client: Client, **variables: object) -> list[dict]:
    """Every post of a listing, following nextToken to the end."""
    items: list[dict] = []
    token = None
    while True:
        page = run(client, LIST, nextToken=token, **variables)["listPosts"]
        items += page["items"]
        token = page["nextToken"]
        if token is None:
            return items


@pytest.fixture
def public(live_server: LiveServer) -> Client:
    return api_key_client(live_server.url, live_server.api_key)


@pytest.fixture
def bob(live_server: LiveServer) -> Client:
    return user_client(live_server.url, live_server.token("bob"))


@pytest.fixture
def new_author(live_server: LiveServer) -> Callable[..., tuple[Client, str]]:
    """A member of the `authors` group of their own, with a profile named after them; returns (client, sub)."""

    def make(groups: list[str] | None = None) -> tuple[Client, str]:
        username = f"author-{uuid.uuid4().hex[:8]}"
        client = user_client(live_server.url, live_server.token(username, groups=groups or ["authors"]))
        run(client, "mutation($n: String) { updateProfile(input: {name: $n}) { id } }", n=username.title())
        return client, live_server.sub(username)

    return make


def create(client: Client, title: str = "Hello", **fields: object) -> dict:
    return run(client, CREATE, input={"title": title, "body": "Some words.", "tags": [], **fields})[
        "createPost"
    ]


def published(client: Client, title: str = "Hello", **fields: object) -> dict:
    return run(client, PUBLISH, id=create(client, title, **fields)["id"])["publishPost"]


def test_anyone_with_the_api_key_reads_published_posts_and_their_authors(
    live_server: LiveServer, public: Client
) -> None:
    # GIVEN alice's seeded posts and a caller who has not signed in
    alice = live_server.sub("alice")
    # WHEN they list alice's posts and read one
    posts = list_all(public, authorId=alice)
    post = run(public, GET, id=SEEDED_PUBLISHED)["getPost"]
    # THEN they see the published ones, newest first, each with alice's public profile
    assert [p["title"] for p in posts][:3] == [
        "How to keep a tidy todo list",
        "Tea parties, ranked",
        "Down the rabbit hole",
    ]
    assert {p["status"] for p in posts} == {"PUBLISHED"}
    assert {(p["author"]["id"], p["author"]["name"]) for p in posts} == {(alice, "Alice Liddell")}
    assert (post["title"], post["author"]["name"], post["publishedAt"]) == (
        "How to keep a tidy todo list",
        "Alice Liddell",
        "2024-05-12T08:45:00.000Z",
    )
    # AND alice's draft is as invisible as a post that does not exist
    assert run(public, GET, id=SEEDED_DRAFT) == {"getPost": None}
    assert SEEDED_DRAFT not in {p["id"] for p in posts}


async def test_iam_callers_read_published_posts(live_server: LiveServer) -> None:
    creds = live_server.iam
    client = iam_client(live_server.url, live_server.host, creds.access_key_id, creds.secret_access_key)
    result = await run_async(
        client, "query($id: ID!) { getPost(id: $id) { id author { name } } }", id=SEEDED_PUBLISHED
    )
    assert result == {"getPost": {"id": SEEDED_PUBLISHED, "author": {"name": "Alice Liddell"}}}


def test_a_draft_is_visible_to_its_author_only(new_author, public: Client, bob: Client) -> None:
    # GIVEN an author's draft
    author, sub = new_author()
    draft = create(author, "Work in progress")
    assert draft["status"] == "DRAFT" and draft["publishedAt"] is None
    # WHEN its author and others read it
    # THEN only its author sees it, by id and in their own listing
    assert run(author, GET, id=draft["id"])["getPost"]["title"] == "Work in progress"
    assert [p["id"] for p in list_all(author, authorId=sub)] == [draft["id"]]
    for other in (public, bob, new_author()[0]):
        assert run(other, GET, id=draft["id"]) == {"getPost": None}
        assert list_all(other, authorId=sub) == []
    # AND the public listing never shows drafts, not even to their author
    assert draft["id"] not in {p["id"] for p in run(author, LIST, limit=100)["listPosts"]["items"]}


def test_an_author_creates_publishes_updates_and_deletes_their_post(new_author, public: Client) -> None:
    author, sub = new_author()
    # WHEN an author creates a post
    post = create(
        author,
        "  First light  ",
        body="Dawn.",
        tags=["Morning", "light", "morning"],
        photoUrl="https://example.com/dawn.jpg",
    )
    # THEN it is their draft, trimmed, with tags lower-cased once each, and their profile as author
    assert (post["authorId"], post["title"], post["status"]) == (sub, "First light", "DRAFT")
    assert post["tags"] == ["morning", "light"]
    assert post["author"] == {"id": sub, "name": post["author"]["name"]}
    assert post["photoUrl"] == "https://example.com/dawn.jpg" and post["thumbnailUrl"] is None
    assert post["createdAt"] == post["updatedAt"]
    # WHEN they publish it
    live = run(author, PUBLISH, id=post["id"])["publishPost"]
    # THEN everyone can read it
    assert (live["status"], live["author"]["id"]) == ("PUBLISHED", sub)
    assert live["publishedAt"] is not None
    assert run(public, GET, id=post["id"])["getPost"]["title"] == "First light"
    # WHEN they update it, removing the photo
    updated = run(author, UPDATE, input={"id": post["id"], "title": "Last light", "photoUrl": None})[
        "updatePost"
    ]
    # THEN only the fields they sent change
    assert (updated["title"], updated["body"], updated["tags"]) == (
        "Last light",
        "Dawn.",
        ["morning", "light"],
    )
    assert updated["photoUrl"] is None and updated["status"] == "PUBLISHED"
    assert updated["updatedAt"] >= live["updatedAt"] and updated["author"]["id"] == sub
    # AND publishing again keeps the first publication time
    assert run(author, PUBLISH, id=post["id"])["publishPost"]["publishedAt"] == live["publishedAt"]
    # WHEN they delete it, it comes back once and is gone
    assert run(author, DELETE, id=post["id"])["deletePost"]["id"] == post["id"]
    assert run(public, GET, id=post["id"]) == {"getPost": None}
    assert error_of(author, DELETE, id=post["id"])["errorType"] == "NotFoundError"


def test_tags_null_on_update_removes_every_tag_and_new_tags_normalize_as_on_create(new_author) -> None:
    author, _ = new_author()
    # GIVEN a tagged post
    post = create(author, tags=["Sea", "sky"])
    # WHEN its author updates it with tags: null (UpdatePostInput.tags is nullable)
    cleared = run(author, UPDATE, input={"id": post["id"], "tags": None})["updatePost"]
    # THEN it has no tags, as a post created with none
    assert cleared["tags"] == [] == create(author, tags=[])["tags"]
    # AND tags sent on update are normalized exactly as on create
    retagged = run(author, UPDATE, input={"id": post["id"], "tags": [" Sea", "sea", "SKY"]})["updatePost"]
    assert retagged["tags"] == create(author, tags=[" Sea", "sea", "SKY"])["tags"] == ["sea", "sky"]


def test_another_author_cannot_touch_a_post_and_cannot_tell_it_exists(
    new_author, live_server: LiveServer
) -> None:
    # GIVEN alice's post and another member of the authors group
    alice = user_client(live_server.url, live_server.token("alice"))
    post = create(alice, "Alice's words")
    other, _ = new_author()
    missing = str(uuid.uuid4())
    for query, variables in [
        (UPDATE, lambda id: {"input": {"id": id, "title": "pwned"}}),
        (PUBLISH, lambda id: {"id": id}),
        (DELETE, lambda id: {"id": id}),
    ]:
        # WHEN they try to change it, and a post that does not exist
        theirs = error_of(other, query, **variables(post["id"]))
        nobodys = error_of(other, query, **variables(missing))
        # THEN both fail alike, with a NotFoundError naming only the id they sent
        assert theirs["errorType"] == nobodys["errorType"] == "NotFoundError"
        assert theirs["message"].replace(post["id"], "ID") == nobodys["message"].replace(missing, "ID")
    # AND alice's post is untouched
    unchanged = run(alice, GET, id=post["id"])["getPost"]
    assert (unchanged["title"], unchanged["status"]) == ("Alice's words", "DRAFT")


@pytest.mark.parametrize("who", ["bob", "carol", "no-groups", "api-key"])
def test_only_members_of_the_authors_group_may_write(live_server: LiveServer, who: str) -> None:
    # GIVEN a caller outside the authors group (carol is in admins and premium)
    if who == "api-key":
        client = api_key_client(live_server.url, live_server.api_key)
    elif who == "no-groups":
        client = user_client(live_server.url, live_server.token(f"user-{uuid.uuid4().hex[:8]}", groups=[]))
    else:
        client = user_client(live_server.url, live_server.token(who))
    # WHEN they try each mutation
    for field, query, variables in [
        ("createPost", CREATE, {"input": {"title": "x", "body": "y", "tags": []}}),
        ("updatePost", UPDATE, {"input": {"id": SEEDED_PUBLISHED, "title": "pwned"}}),
        ("publishPost", PUBLISH, {"id": SEEDED_DRAFT}),
        ("deletePost", DELETE, {"id": SEEDED_PUBLISHED}),
    ]:
        error = error_of(client, query, **variables)
        # THEN AppSync's field-level Unauthorized comes back and nothing changes
        assert error["errorType"] == "Unauthorized"
        assert error["message"] == f"Not Authorized to access {field} on type Mutation"
    assert (
        run(api_key_client(live_server.url, live_server.api_key), GET, id=SEEDED_PUBLISHED)["getPost"][
            "title"
        ]
        == "How to keep a tidy todo list"
    )


def test_the_same_user_may_write_once_in_the_authors_group(live_server: LiveServer) -> None:
    username = f"user-{uuid.uuid4().hex[:8]}"
    outside = user_client(live_server.url, live_server.token(username, groups=["premium"]))
    inside = user_client(live_server.url, live_server.token(username, groups=["premium", "authors"]))
    assert (
        error_of(outside, CREATE, input={"title": "x", "body": "y", "tags": []})["errorType"]
        == "Unauthorized"
    )
    assert create(inside, "Now I write")["authorId"] == live_server.sub(username)


def test_pages_are_newest_first_and_limits_are_clamped(new_author, public: Client) -> None:
    # GIVEN one draft, then five published posts, by one author
    author, sub = new_author()
    create(author, "draft")
    for i in range(5):
        published(author, f"post {i}")
    # WHEN the public pages through them two at a time
    first = run(public, LIST, authorId=sub, limit=2)["listPosts"]
    second = run(public, LIST, authorId=sub, limit=2, nextToken=first["nextToken"])["listPosts"]
    # THEN they come newest first, without the draft
    assert [p["title"] for p in first["items"]] == ["post 4", "post 3"]
    assert [p["title"] for p in second["items"]] == ["post 2", "post 1"]
    assert [p["title"] for p in list_all(public, authorId=sub, limit=2)] == [
        f"post {i}" for i in range(4, -1, -1)
    ]
    # AND their author sees the draft among them
    assert [p["title"] for p in list_all(author, authorId=sub)][-1] == "draft"
    # AND limits out of range are clamped to 1..100
    assert len(run(public, LIST, authorId=sub, limit=0)["listPosts"]["items"]) == 1
    assert len(run(public, LIST, authorId=sub, limit=-3)["listPosts"]["items"]) == 1
    assert len(run(public, LIST, authorId=sub, limit=1000)["listPosts"]["items"]) == 5
    assert len(run(public, LIST, limit=1000)["listPosts"]["items"]) <= 100


def test_a_nextToken_that_was_not_issued_is_refused(public: Client) -> None:
    error = error_of(public, LIST, nextToken="not-a-token")
    assert error["errorType"].startswith("DynamoDB:")
    assert error["path"] == ["listPosts"]


def test_posts_by_tag_across_authors(new_author, public: Client) -> None:
    # GIVEN posts with a tag of their own by two authors, and others without it
    tag = f"tag-{uuid.uuid4().hex[:8]}"
    first, first_sub = new_author()
    second, second_sub = new_author()
    by_first = published(first, "a", tags=[tag.upper()])["id"]
    by_second = published(second, "b", tags=["x", tag])["id"]
    tagged = {by_first, by_second}
    published(first, "untagged", tags=["x"])
    draft = create(second, "draft", tags=[tag])["id"]
    # WHEN the public lists the tag (in any case), following nextToken over short pages
    found = list_all(public, tag=f"  {tag.title()} ", limit=3)
    # THEN exactly the published tagged posts come back, with their authors
    assert {p["id"] for p in found} == tagged
    assert {p["author"]["id"] for p in found} == {first_sub, second_sub}
    # AND the tag combines with an author
    assert [p["id"] for p in list_all(public, authorId=first_sub, tag=tag)] == [by_first]
    assert [p["id"] for p in list_all(second, authorId=second_sub, tag=tag)] == [draft, by_second]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"tags": [" "]}, "tag"),
        ({"photoUrl": "not a url"}, "as a valid AWSURL"),
    ],
)
def test_bad_posts_are_refused_with_a_validation_error(new_author, fields: dict, fragment: str) -> None:
    author, sub = new_author()
    error = error_of(author, CREATE, input={"title": "ok", "body": "ok", "tags": [], **fields})
    # the resolvers' own refusals are ValidationError; a variable's (AppSync's engine) has no errorType
    assert error.get("errorType", "ValidationError") == "ValidationError"
    assert fragment in error["message"]
    assert list_all(author, authorId=sub) == []


def test_an_author_without_a_profile_has_a_null_author(live_server: LiveServer) -> None:
    username = f"author-{uuid.uuid4().hex[:8]}"
    author = user_client(live_server.url, live_server.token(username, groups=["authors"]))
    post = create(author, "Anonymous so far")
    assert (post["authorId"], post["author"]) == (live_server.sub(username), None)


def test_a_page_costs_the_same_data_source_calls_for_5_or_50_posts(
    live_server: LiveServer, new_author, public: Client
) -> None:
    # GIVEN 50 published posts with one tag, by five authors
    tag = f"page-{uuid.uuid4().hex[:8]}"
    authors = [new_author() for _ in range(5)]
    for i in range(50):
        published(authors[i % 5][0], f"post {i}", tags=[tag])
    # WHEN a page of 5 and a page of 50 are read, counting the data-source calls of each
    calls = []
    for limit in (5, 50):
        before = data_source_calls(live_server)
        page = run(public, LIST, tag=tag, limit=limit)["listPosts"]["items"]
        calls.append(data_source_calls(live_server) - before)
        # THEN each page is full and every post has its author
        assert len(page) == limit
        assert all(p["author"]["id"] == p["authorId"] for p in page)
    # AND both cost the same: one Query and one BatchGetItem, whatever the page size
    assert calls[0] == calls[1] == 2


def data_source_calls(live_server: LiveServer) -> int:
    """How many requests the runtime's APPSYNC_JS data sources have been asked to run so far."""
    runner = live_server.runtime.executor.code_runner
    assert runner is not None, "the runtime has no APPSYNC_JS runner"
    return sum(getattr(source, "calls", 0) for source in runner.data_sources.values())  # type: ignore[attr-defined]
