"""What `${kind:name}` references (in a function's environment, in a site's config) are when the app runs locally.

Tables, buckets, streams, secrets, the Athena workgroup and the Glue database keep their names; a queue is its URL on the local SQS; `${cdn:<bucket>}` is
the bucket's base URL on the runtime's local CDN (`<server>/_cdn/<bucket>`) and `${cdn_key:<bucket>}` the
Key-Pair-Id of the local key its URLs are signed with; `${api:…}` are the runtime's own endpoints (GraphQL,
realtime, its stand-in for Cognito's InitiateAuth), its API key, region and user pool. Deployed, `infra/` puts
in the AWS values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from appdef.references import Reference

# moto's account: local queue URLs and ARNs carry it.
LOCAL_SQS_ACCOUNT = "123456789012"
CDN_PATH = "/_cdn"
COGNITO_PATH = "/_local/cognito/"
REALTIME_PATH = "/graphql/realtime"


class LocalReferences:
    """Resolves references against the local services and the runtime's URL.

    Parameters
    ----------
    public_url
        The runtime's base URL (`http://127.0.0.1:4000`), when it is serving.
    environ
        Where the local AWS endpoints are (`AWS_ENDPOINT_URL_SQS`); read when a reference is resolved.
    cdn_keys
        Bucket -> the Key-Pair-Id of its local signing key.
    api
        The API's own values: `api_key`, `region`, `user_pool_id`, `user_pool_client_id` (those it has).
    api_key
        The API key valid now, asked each time `${api:api_key}` is resolved (it is renewed when it expires);
        it takes the place of a fixed `api_key` in `api`.
    """

    def __init__(
        self,
        public_url: str | None,
        environ: Mapping[str, str],
        *,
        cdn_keys: Mapping[str, str] | None = None,
        api: Mapping[str, str] | None = None,
        api_key: Callable[[], str] | None = None,
    ) -> None:
        self.public_url = public_url.rstrip("/") if public_url else None
        self._environ = environ
        self._cdn_keys = dict(cdn_keys or {})
        self._api = dict(api or {})
        self._api_key = api_key

    def __call__(self, reference: Reference) -> str:
        kind, name = reference.kind, reference.name
        if kind in ("table", "bucket", "stream", "secret", "athena", "glue"):
            return name
        if kind == "queue":
            endpoint = self._environ.get("AWS_ENDPOINT_URL_SQS") or self._environ.get("AWS_ENDPOINT_URL", "")
            return f"{endpoint.rstrip('/')}/{LOCAL_SQS_ACCOUNT}/{name}"
        if kind == "cdn_key" and name in self._cdn_keys:
            return self._cdn_keys[name]
        base = self.public_url or "http://127.0.0.1:4000"
        if kind == "cdn":
            return f"{base}{CDN_PATH}/{name}"
        if kind == "api":
            served = {
                "graphql_url": f"{base}/graphql",
                "realtime_url": "ws" + base.removeprefix("http") + REALTIME_PATH,
                "user_pool_endpoint": base + COGNITO_PATH,
            }
            if name in served:
                return served[name]
            if name == "api_key" and self._api_key is not None:
                return self._api_key()
            if name in self._api:
                return self._api[name]
        raise ValueError(f"{reference}: nothing local answers to it")
