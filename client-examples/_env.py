"""What every example reads from the environment, so one file runs against the local API or AppSync on AWS.

APPSYNC_URL           the GraphQL URL: http://127.0.0.1:4000/graphql locally,
                      https://<id>.appsync-api.<region>.amazonaws.com/graphql on AWS
APPSYNC_API_KEY       API key mode (`make api-key` prints the local one)
APPSYNC_ID_TOKEN      Cognito user pools mode (`make token USER=alice` prints a local one)
APPSYNC_PARTNER_TOKEN Lambda authorizer mode: a partner token (`ptk_…`; README lists the local demo ones)
APPSYNC_OIDC_TOKEN    OpenID Connect mode: a token of the API's OIDC issuer (`make token USER=alice ISSUER=oidc`
                      prints one of the local issuer's)
APPSYNC_REALTIME_URL  optional: the realtime URL where it cannot be derived (a custom domain's
                      wss://<domain>/graphql/realtime)
AWS_REGION            IAM mode; optional on AWS, where the URL names the region. The credentials come from the
                      standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a role, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportError, TransportQueryError


class SettingError(Exception):
    """An environment variable the example needs is missing or malformed."""


def setting(name: str, what: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise SettingError(f"set {name} to {what}")
    return value


def graphql_url() -> str:
    url = setting("APPSYNC_URL", "the API's GraphQL URL, e.g. http://127.0.0.1:4000/graphql")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(
            f"APPSYNC_URL must be an http(s) URL such as http://127.0.0.1:4000/graphql, not {url!r}"
        )
    return url


def host() -> str:
    """The GraphQL endpoint's host (and port): what AppSync's auth headers and IAM signatures name."""
    return urlsplit(graphql_url()).netloc


def realtime_url() -> str:
    """The realtime endpoint; gql itself turns https:// into wss:// and appsync-api into appsync-realtime-api."""
    explicit = os.environ.get("APPSYNC_REALTIME_URL", "").strip()
    if explicit:
        return explicit
    url = graphql_url()
    # gql only rewrites https://; the local API also serves plain ws:// next to http://.
    return "ws://" + url[len("http://") :] if url.startswith("http://") else url


def api_key() -> str:
    return setting("APPSYNC_API_KEY", "the API key (`make api-key` prints the local one)")


def id_token() -> str:
    return setting("APPSYNC_ID_TOKEN", "a Cognito ID token (`make token USER=alice` prints a local one)")


def partner_token() -> str:
    return setting(
        "APPSYNC_PARTNER_TOKEN", "a partner token, ptk_… (the README lists the local demo partners' tokens)"
    )


def oidc_token() -> str:
    return setting(
        "APPSYNC_OIDC_TOKEN",
        "a token of the API's OIDC issuer (`make token USER=alice ISSUER=oidc` prints a local one)",
    )


def region() -> str | None:
    """AWS_REGION (or AWS_DEFAULT_REGION); None lets gql read the region from an AppSync URL."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


def print_json(data: Any, *, indent: int | None = 2) -> None:
    print(json.dumps(data, indent=indent), flush=True)


def arguments(description: str | None) -> argparse.ArgumentParser:
    """The example's command line; its docstring (how to run it) is the help text."""
    return argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return seconds


def subscription_arguments(description: str | None) -> argparse.ArgumentParser:
    """`--count` and `--timeout`, so that a subscription example ends by itself."""
    parser = arguments(description)
    parser.add_argument("--count", type=_count, default=1, help="stop after this many events (default 1)")
    parser.add_argument(
        "--timeout", type=_seconds, default=60.0, help="give up after this many seconds (default 60)"
    )
    return parser


async def print_events(
    auth: AppSyncAuthentication, query: str, variables: dict[str, Any] | None, count: int, timeout: float
) -> None:
    """Subscribe over AppSync's realtime protocol with `auth`; print each event as one JSON line and return
    after `count` of them (TimeoutError after `timeout` seconds)."""
    transport = AppSyncWebsocketsTransport(url=realtime_url(), auth=auth)
    async with asyncio.timeout(timeout), Client(transport=transport) as session:
        async for event in session.subscribe(GraphQLRequest(query, variable_values=variables)):
            print_json(event, indent=None)
            count -= 1
            if count == 0:
                return


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run an example's `main()`, turning the usual failures into one line on stderr and a non-zero exit."""
    try:
        asyncio.run(main)
    except SettingError as exc:
        sys.exit(f"error: {exc}")
    except TransportQueryError as exc:
        # AppSync's own errors (errorType, message, path): print them as they came.
        print(json.dumps({"errors": exc.errors, "data": exc.data}, indent=2), file=sys.stderr)
        sys.exit(1)
    except TimeoutError:
        sys.exit(
            "error: timed out (a subscription gives up when --count events do not arrive within --timeout seconds)"
        )
    except NoRegionError:
        sys.exit("error: set AWS_REGION to the API's region (IAM signatures name it)")
    except NoCredentialsError:
        sys.exit(
            "error: no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
        )
    except (TransportError, BotoCoreError, OSError) as exc:
        cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
        sys.exit(f"error: {type(exc).__name__}: {exc}{cause}")
    except KeyboardInterrupt:
        sys.exit(130)
