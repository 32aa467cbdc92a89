"""Clients never read a local endpoint's URL in a function's error; they read the service's name."""

from __future__ import annotations

from appsync_local.endpoint_redaction import redact_local_endpoints

ENVIRON = {
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:41063",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:39001/",
    "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:39001",
    "AWS_REGION": "us-east-1",
}


def test_a_refused_connection_to_a_local_service_names_the_service() -> None:
    message = 'Could not connect to the endpoint URL: "http://127.0.0.1:41063/"'

    assert redact_local_endpoints(message, ENVIRON) == (
        "Could not connect to the local DynamoDB; retry the request (it may be restarting)."
    )


def test_a_local_url_anywhere_in_a_message_becomes_the_service_with_its_path() -> None:
    message = (
        "Connection was closed before we received a valid response from endpoint URL: "
        '"http://127.0.0.1:41063/shell".'
    )

    redacted = redact_local_endpoints(message, ENVIRON)

    assert redacted == (
        'Connection was closed before we received a valid response from endpoint URL: "the local DynamoDB".'
    )


def test_messages_without_local_urls_and_other_urls_are_left_alone() -> None:
    message = 'Could not connect to the endpoint URL: "https://dynamodb.us-east-1.amazonaws.com/"'

    assert redact_local_endpoints(message, ENVIRON) == message
    assert redact_local_endpoints("ConditionalCheckFailed", ENVIRON) == "ConditionalCheckFailed"
    assert redact_local_endpoints(message, {}) == message


def test_a_server_of_several_services_is_named_as_such() -> None:
    message = 'Could not connect to the endpoint URL: "http://127.0.0.1:39001/queue/x"'

    assert redact_local_endpoints(message, ENVIRON) == (
        "Could not connect to the local AWS services; retry the request (it may be restarting)."
    )
