"""What `${kind:name}` references in a function's environment are when the app runs locally.

Tables, buckets and streams keep their names; a queue is its URL on the local SQS; `${cdn:<bucket>}` is the
bucket's base URL on the runtime's local CDN (`<server>/_cdn/<bucket>`); `${api:graphql_url}` is the runtime's
own GraphQL endpoint. Deployed, `infra/` puts in the AWS values.
"""

from __future__ import annotations

from collections.abc import Mapping

from appdef.references import Reference

# moto's account: local queue URLs and ARNs carry it.
LOCAL_SQS_ACCOUNT = "123456789012"
CDN_PATH = "/_cdn"


class LocalReferences:
    """Resolves references against the local services and the runtime's URL.

    Parameters
    ----------
    public_url
        The runtime's base URL (`http://127.0.0.1:4000`), when it is serving.
    environ
        Where the local AWS endpoints are (`AWS_ENDPOINT_URL_SQS`); read when a reference is resolved.
    """

    def __init__(self, public_url: str | None, environ: Mapping[str, str]) -> None:
        self.public_url = public_url.rstrip("/") if public_url else None
        self._environ = environ

    def __call__(self, reference: Reference) -> str:
        if reference.kind in ("table", "bucket", "stream"):
            return reference.name
        if reference.kind == "queue":
            endpoint = self._environ.get("AWS_ENDPOINT_URL_SQS") or self._environ.get("AWS_ENDPOINT_URL", "")
            return f"{endpoint.rstrip('/')}/{LOCAL_SQS_ACCOUNT}/{reference.name}"
        base = self.public_url or "http://127.0.0.1:4000"
        if reference.kind == "cdn":
            return f"{base}{CDN_PATH}/{reference.name}"
        if reference.kind == "api":
            return f"{base}/graphql"
        raise ValueError(f"{reference}: unknown kind")
