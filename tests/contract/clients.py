"""gql clients for each AppSync auth mode, configured the way an app configures them for AWS."""

from __future__ import annotations

from typing import Any

from botocore.credentials import Credentials
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication
from gql.transport.requests import RequestsHTTPTransport


def user_client(url: str, token: str) -> Client:
    """Cognito user pools: the ID token in `Authorization`."""
    return Client(transport=RequestsHTTPTransport(url=url, headers={"Authorization": token}, retries=0))


def api_key_client(url: str, api_key: str) -> Client:
    return Client(transport=RequestsHTTPTransport(url=url, headers={"x-api-key": api_key}, retries=0))


def iam_client(url: str, host: str, access_key: str, secret_key: str, region: str = "us-east-1") -> Client:
    """IAM: every request signed with SigV4 by gql's own AppSync authentication."""
    auth = AppSyncIAMAuthentication(
        host=host, region_name=region, credentials=Credentials(access_key, secret_key)
    )
    return Client(transport=AIOHTTPTransport(url=url, auth=auth))


def run(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    with client as session:
        return session.execute(GraphQLRequest(query, variable_values=variables or None))


async def run_async(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    async with client as session:
        return await session.execute(GraphQLRequest(query, variable_values=variables or None))


def lambda_client(url: str, token: str) -> Client:
    """AWS_LAMBDA: the token, whatever its form, in `Authorization`; the API's authorizer function decides."""
    return Client(transport=RequestsHTTPTransport(url=url, headers={"Authorization": token}, retries=0))
