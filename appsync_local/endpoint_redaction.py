"""Local endpoint URLs kept out of what clients see.

A function whose local service is down or restarting (DynamoDB Local killed, say) fails with botocore's
`Could not connect to the endpoint URL: "http://127.0.0.1:41063/"`. On AWS that URL would be the service's
public endpoint; locally it is a loopback port a client has no business knowing. The client gets the same
errorType with the service named instead; the invocation log keeps the function's own message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ENDPOINT_PREFIX = "AWS_ENDPOINT_URL_"
# botocore's service ids, as AWS_ENDPOINT_URL_<ID> spells them, and the names people know them by.
SERVICE_NAMES = {
    "DYNAMODB": "DynamoDB",
    "DYNAMODB_STREAMS": "DynamoDB Streams",
    "S3": "S3",
    "STS": "STS",
    "SQS": "SQS",
    "SES": "SES",
    "SESV2": "SES",
    "KINESIS": "Kinesis",
    "SECRETS_MANAGER": "Secrets Manager",
    "COGNITO_IDENTITY_PROVIDER": "Cognito",
    "ATHENA": "Athena",
    "APPSYNC": "AppSync",
}
SHARED = "AWS services"
CANNOT_CONNECT = re.compile(r'^Could not connect to the endpoint URL: "(?P<url>[^"]*)"$')


def local_endpoints(environ: Mapping[str, str]) -> dict[str, str]:
    """Each local endpoint URL of `environ` (without a trailing slash) and the service it serves."""
    services: dict[str, set[str]] = {}
    for key, url in environ.items():
        if key.startswith(ENDPOINT_PREFIX) and url:
            service = key[len(ENDPOINT_PREFIX) :]
            name = SERVICE_NAMES.get(service, service.replace("_", " ").title())
            services.setdefault(url.rstrip("/"), set()).add(name)
    # One server for several services (moto's) cannot tell which one a URL meant.
    return {url: names.pop() if len(names) == 1 else SHARED for url, names in services.items()}


def redact_local_endpoints(message: str, environ: Mapping[str, str]) -> str:
    """`message` with every local endpoint URL (and its path) replaced by the service's name."""
    endpoints = local_endpoints(environ)
    if not endpoints:
        return message
    cannot_connect = CANNOT_CONNECT.match(message)
    if cannot_connect:
        service = _service_of(cannot_connect["url"], endpoints)
        if service is not None:
            return f"Could not connect to the local {service}; retry the request (it may be restarting)."
    for url in sorted(endpoints, key=len, reverse=True):
        message = re.sub(re.escape(url) + r"[^\s\"'<>]*", f"the local {endpoints[url]}", message)
    return message


def _service_of(url: str, endpoints: Mapping[str, str]) -> str | None:
    for endpoint, service in endpoints.items():
        if url == endpoint or url.startswith(endpoint + "/"):
            return service
    return None
