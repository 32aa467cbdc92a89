"""The `@aws-appsync/utils/dynamodb` module's examples (built-in-modules-js), run on the local runtime.

The module page documents each function's code and which DynamoDB request it generates (GetItem, PutItem, …),
not the request objects' text; so the request is checked for what the page and the request reference fix —
operation, key and item as typed values — and the result for what the example is said to do to the item.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.conformance.conftest import Conformance, put, stored


def S(value: str) -> dict[str, Any]:
    return {"S": value}


def N(value: int) -> dict[str, Any]:
    return {"N": value}


def user(**attributes: dict[str, Any]) -> dict[str, Any]:
    """User 1 of the page's update examples, with typed attributes."""
    return {"id": {"N": "1"}, **attributes}


def number_list(*numbers: int) -> dict[str, Any]:
    return {"L": [{"N": str(n)} for n in numbers]}


async def test_get(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#get"""
    # GIVEN an item
    put(dynamodb, "items", {"id": S("1"), "name": S("One")})

    # WHEN get({ key: { id } }) resolves
    resolution = await appsync.resolve("module/get", "items", id="1")

    # THEN a GetItem request with a typed key is made and the item comes back
    assert resolution.request == {"operation": "GetItem", "key": {"id": S("1")}}
    assert resolution.value == {"id": "1", "name": "One"}


async def test_put(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#put"""
    # WHEN put({ key: { id: util.autoId() }, item: ctx.args }) resolves
    resolution = await appsync.resolve("module/put", "items", title="Hello", views=3, tags=["a"])

    # THEN a PutItem with a generated id and the arguments as typed values is made, and the item comes back
    generated = resolution.request["key"]["id"]["S"]
    assert str(uuid.UUID(generated)) == generated
    assert resolution.request == {
        "operation": "PutItem",
        "key": {"id": S(generated)},
        "attributeValues": {"title": S("Hello"), "views": N(3), "tags": {"L": [S("a")]}},
    }
    assert resolution.value == {"id": generated, "title": "Hello", "views": 3, "tags": ["a"]}


async def test_remove(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#remove"""
    # GIVEN an item
    put(dynamodb, "items", {"id": S("1"), "name": S("One")})

    # WHEN remove({ key: { id } }) resolves
    resolution = await appsync.resolve("module/remove", "items", id="1")

    # THEN a DeleteItem is made, the deleted item comes back and is gone
    assert resolution.request == {"operation": "DeleteItem", "key": {"id": S("1")}}
    assert resolution.value == {"id": "1", "name": "One"}
    assert stored(dynamodb, "items", {"id": S("1")}) is None


async def test_scan_pages_with_next_token(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#scan"""
    # GIVEN twelve items
    put(dynamodb, "items", *({"id": S(f"{i:02}")} for i in range(12)))

    # WHEN scan({ limit = 10, nextToken }) resolves, then again with the token it handed out
    first = await appsync.resolve("module/scan", "items")
    second = await appsync.resolve("module/scan", "items", nextToken=first.value["nextToken"])

    # THEN the Scan carries the limit (and the token), and the two pages hold every item once
    assert first.request == {"operation": "Scan", "limit": 10}
    assert second.request == {"operation": "Scan", "limit": 10, "nextToken": first.value["nextToken"]}
    assert len(first.value["items"]) == 10 and isinstance(first.value["nextToken"], str)
    assert second.value["nextToken"] is None
    ids = sorted(item["id"] for page in (first, second) for item in page.value["items"])
    assert ids == [f"{i:02}" for i in range(12)]


def _update_request_is_for_user_1(request: dict[str, Any], attribute: str) -> None:
    """What the page fixes about an `update` request: UpdateItem on key {id: 1}, an expression naming the field."""
    assert request["operation"] == "UpdateItem"
    assert request["key"] == {"id": N(1)}
    update = request["update"]
    assert isinstance(update["expression"], str) and update["expression"]
    assert attribute in update.get("expressionNames", {}).values()


async def test_update_add(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#add"""
    # GIVEN user 1 without an address
    put(dynamodb, "users", user(name=S("Ann")))

    # WHEN operations.add adds the address
    resolution = await appsync.resolve("module/update.add", "users")

    # THEN the item has the new address attribute
    _update_request_is_for_user_1(resolution.request, "address")
    assert resolution.value == {
        "id": 1,
        "name": "Ann",
        "address": {"street1": "123 Main St", "city": "New York", "zip": "10001"},
    }


async def test_update_append(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#append"""
    # GIVEN user 1 with one friend
    put(dynamodb, "users", user(friendsIds=number_list(100)))

    # WHEN operations.append adds the new friend ids
    resolution = await appsync.resolve("module/update.append", "users")

    # THEN they are appended to the existing list
    _update_request_is_for_user_1(resolution.request, "friendsIds")
    assert resolution.value["friendsIds"] == [100, 101, 104, 111]


async def test_update_decrement(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#decrement"""
    # GIVEN user 1 with 50 friends
    put(dynamodb, "users", user(friendsCount={"N": "50"}))

    # WHEN operations.decrement(10) resolves / THEN the counter went down by 10
    resolution = await appsync.resolve("module/update.decrement", "users")
    _update_request_is_for_user_1(resolution.request, "friendsCount")
    assert resolution.value == {"id": 1, "friendsCount": 40}


async def test_update_increment(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#increment"""
    # GIVEN user 1 with 50 friends
    put(dynamodb, "users", user(friendsCount={"N": "50"}))

    # WHEN operations.increment(10) resolves / THEN the counter went up by 10
    resolution = await appsync.resolve("module/update.increment", "users")
    _update_request_is_for_user_1(resolution.request, "friendsCount")
    assert resolution.value == {"id": 1, "friendsCount": 60}


async def test_update_prepend(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#prepend"""
    # GIVEN user 1 with one friend
    put(dynamodb, "users", user(friendsIds=number_list(100)))

    # WHEN operations.prepend adds the new friend ids / THEN they come first
    resolution = await appsync.resolve("module/update.prepend", "users")
    _update_request_is_for_user_1(resolution.request, "friendsIds")
    assert resolution.value["friendsIds"] == [101, 104, 111, 100]


async def test_update_replace(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#replace"""
    # GIVEN user 1 whose info holds an address with an extra field, and another field
    put(
        dynamodb,
        "users",
        user(info={"M": {"address": {"M": {"street1": S("Old St"), "apt": S("4B")}}, "phone": S("555")}}),
    )

    # WHEN operations.replace replaces info.address
    resolution = await appsync.resolve("module/update.replace", "users")

    # THEN the whole address is the new object (no `apt` left) and the rest of info is untouched
    _update_request_is_for_user_1(resolution.request, "address")
    assert resolution.value["info"] == {
        "address": {"street1": "123 Main St", "city": "New York", "zip": "10001"},
        "phone": "555",
    }


async def test_update_update_list_item(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#updateListItem"""
    # GIVEN user 1 with four friend ids
    put(dynamodb, "users", user(friendsIds=number_list(100, 101, 104, 111)))

    # WHEN updateListItem('102', 1) and updateListItem('112', 2) resolve
    resolution = await appsync.resolve("module/update.updateListItem", "users")

    # THEN the second and third entries are replaced, the others kept
    _update_request_is_for_user_1(resolution.request, "friendsIds")
    assert resolution.value["friendsIds"] == [100, "102", "112", 111]


async def test_remove_with_an_owner_condition(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#Inputs RemoveInput"""
    # GIVEN a task owned by alice
    put(dynamodb, "items", {"id": S("t1"), "title": S("Task"), "owner": S("alice")})

    # WHEN bob, then alice, remove it on condition that they own it
    refused = await appsync.resolve("module/remove.condition", "items", id="t1", owner="bob")
    removed = await appsync.resolve("module/remove.condition", "items", id="t1", owner="alice")

    # THEN the request carries the condition; bob's delete is rejected and alice's deletes the task
    assert refused.request["operation"] == "DeleteItem" and refused.request["key"] == {"id": S("t1")}
    condition = refused.request["condition"]
    assert condition["expressionNames"] and S("bob") in condition["expressionValues"].values()
    assert refused.error is not None
    assert refused.error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert removed.error is None and removed.value == {"id": "t1", "title": "Task", "owner": "alice"}


async def test_query_with_a_key_condition(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: built-in-modules-js#Inputs QueryInput"""
    # GIVEN people named John aged 18, 25 and 40, and a Jane aged 30
    put(
        dynamodb,
        "people",
        *({"name": S("John"), "age": {"N": str(age)}} for age in (18, 25, 40)),
        {"name": S("Jane"), "age": {"N": "30"}},
    )

    # WHEN query({ name: { eq: 'John' }, age: { gt: 20 } }) resolves
    resolution = await appsync.resolve("module/query", "people")

    # THEN a Query with both key conditions is made and only Johns over 20 come back, in key order
    request = resolution.request
    assert request["operation"] == "Query"
    assert set(request["query"]["expressionNames"].values()) == {"name", "age"}
    assert sorted(request["query"]["expressionValues"].values(), key=repr) == [N(20), S("John")]
    assert resolution.value["items"] == [{"name": "John", "age": 25}, {"name": "John", "age": 40}]
    assert resolution.value["nextToken"] is None
