"""What `make run` prints once it serves: the endpoints, the credentials and the local pages."""

from __future__ import annotations

from .cdn import CDN_PAGE_PATH, LOCAL_PAGES_PATH
from .invocations.page import INVOCATIONS_PATH
from .local_references import CDN_PATH
from .mail.inbox import INBOX_PATH
from .runtime import Runtime


def banner(runtime: Runtime, url: str, kinesis: str = "", athena: str = "") -> str:
    """What `make run` prints once it serves; `kinesis` and `athena` are the local endpoints, when the app has
    streams and analytics."""
    api = runtime.config.api
    lines = [
        "",
        f"  AppSync API    {url}/graphql"
        + ("   (GraphiQL: open it in a browser)" if runtime.config.local.graphiql else ""),
        f"  Auth modes     {', '.join(api.auth_modes)} (default {api.default_auth})",
    ]
    if runtime.api_keys is not None:
        key = runtime.api_keys.current()
        lines.append(f"  API key        {key.id}   (x-api-key; `make api-key` prints it)")
    users = runtime.config.local_users
    if runtime.user_pool is not None and users:
        names = ", ".join(u.username for u in users)
        passwords = {u.password for u in users}
        password = f"; password {passwords.pop()}" if len(passwords) == 1 else ""
        hint = f"`make token USER={users[0].username}` (demo users: {names}{password})"
        lines.append(f"  User tokens    {hint}")
    if runtime.oidc_issuer is not None:
        example = users[0].username if users else "alice"
        lines.append(
            f"  OIDC tokens    `make token USER={example} ISSUER=oidc` (the local issuer of {runtime.oidc_issuer.issuer})"
        )
    if runtime.sigv4 is not None:
        lines.append("  IAM            `python -m appsync_local iam-credentials` prints the local access key")
    config = runtime.config
    if config.email.senders:
        lines.append(f"  Local inbox    {url}{INBOX_PATH}   (every e-mail the app sends)")
    for bucket in config.cdn_buckets:
        access = "signed URLs only" if bucket.signed_urls else "public"
        if bucket.signed_urls and bucket.signed_urls.public_paths:
            access += f", but {', '.join(bucket.signed_urls.public_paths)}"
        lines.append(f"  CDN            {url}{CDN_PATH}/{bucket.name}/   ({access})")
    if config.cdn_buckets:
        lines.append(f"  CDN edge       {url}{CDN_PAGE_PATH}   (what each distribution served and refused)")
    for page, target in config.local.pages.items():
        lines.append(
            f"  {page.capitalize():<14} {url}{LOCAL_PAGES_PATH}/{page}   ({CDN_PATH.lstrip('/')}/{target})"
        )
    if config.functions:
        lines.append(f"  Invocations    {url}{INVOCATIONS_PATH}   (each function run: logs, metrics, trace)")
    if athena and config.analytics is not None:
        workgroup = config.analytics.workgroup
        lines.append(f"  Athena         {athena}   (workgroup {workgroup}: the SQL runs on DuckDB)")
    sources = sum(len(f.triggers) for f in config.functions.values())
    if sources:
        lines.append(
            f"  Event sources  {sources} trigger(s) delivering to functions (one log line per delivery)"
        )
    if kinesis:
        streams = ", ".join(config.streams)
        lines.append(
            f"  Kinesis        {kinesis}   (streams: {streams}; the endpoint_url of a kinesis client)"
        )
    lines.append("")
    return "\n".join(lines)
