"""DynamoDB reads answered as DynamoDB wrote them: the response body's JSON, not botocore's parse of it.

AppSync's DynamoDB data source hands `ctx.result` plain JSON made from DynamoDB's own JSON. botocore instead
walks every `AttributeValue` of a response through its shape model (base64-decoding binary values on the way),
and the data source then walks it again to make plain JSON: for a page of 100 posts that walk cost about twenty
times reading the body (`bench/dynamodb_parse.py`). A client made by `wire_read_client` reads the successful
responses of the reads below with orjson, and leaves everything else to botocore: requests, signing, retries,
every error, and every write.

The only difference a caller can see is the form of binary values: base64 text, as on the wire, where botocore
gives bytes. The data source's conversions (`dynamodb_values`) take either.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

from appsync_local.local_aws.endpoints import new_session

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.model import Shape

# The output shapes of the reads read from the wire; their results only go to plain JSON or into tokens.
WIRE_READ_OUTPUTS = frozenset({"GetItemOutput", "QueryOutput", "ScanOutput", "BatchGetItemOutput"})


class _WireReadParser:
    """botocore's parser for everything but a successful read, which is the body's JSON as it is."""

    def __init__(self, parser: Any) -> None:
        self._parser = parser

    def parse(self, response: dict[str, Any], shape: Shape | None) -> dict[str, Any]:
        if shape is None or shape.name not in WIRE_READ_OUTPUTS or response["status_code"] >= 300:
            parsed: dict[str, Any] = self._parser.parse(response, shape)
            return parsed
        body = response["body"]
        try:
            parsed = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            # orjson refuses an escaped lone surrogate; botocore reads it with the standard decoder, as here
            parsed = json.loads(body)
        headers = response["headers"]
        parsed["ResponseMetadata"] = {
            "RequestId": headers.get("x-amzn-requestid", ""),
            "HTTPStatusCode": response["status_code"],
            "HTTPHeaders": headers,
        }
        return parsed


def _parser_factory() -> Any:
    from botocore.parsers import ResponseParserFactory  # botocore is imported on first use (start-up)

    class WireReadParserFactory(ResponseParserFactory):
        def create_parser(self, protocol_name: str) -> Any:
            return _WireReadParser(super().create_parser(protocol_name))

    return WireReadParserFactory()


def wire_read_client(config: Config) -> Any:
    """A DynamoDB client configured the standard way (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, credentials),
    whose GetItem, Query, Scan and BatchGetItem results are DynamoDB's JSON."""
    session = new_session(components={"response_parser_factory": _parser_factory()})
    return session.client("dynamodb", config=config)
