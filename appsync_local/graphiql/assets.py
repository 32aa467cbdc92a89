"""GraphiQL's browser files, served from the project's own `node_modules` so the page works with no internet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

ASSETS_PREFIX = "/graphiql/assets"

# The versions `package-lock.json` pins; the page puts them in each asset's URL (`?v=`), so a browser may keep
# a file for a year and still fetches the new one after an upgrade. A test checks them against node_modules.
REACT_VERSION = "18.3.1"
GRAPHIQL_VERSION = "4.1.2"
ASSET_VERSION = f"react-{REACT_VERSION}.graphiql-{GRAPHIQL_VERSION}"

_LONG_CACHE = "public, max-age=31536000, immutable"
_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"


@dataclass(frozen=True)
class Asset:
    """One whitelisted file: the name the page asks for, where it lives under `node_modules`, its type."""

    name: str
    source: str
    media_type: str


# graphiql's UMD build bundles everything it needs (graphql, @graphiql/react, CodeMirror, graphql-ws, fonts as
# data: URLs) except React and ReactDOM, which it takes from the `React` and `ReactDOM` globals.
ASSETS: tuple[Asset, ...] = (
    Asset("react.production.min.js", "react/umd/react.production.min.js", _JS),
    Asset("react-dom.production.min.js", "react-dom/umd/react-dom.production.min.js", _JS),
    Asset("graphiql.min.js", "graphiql/dist/index.umd.js", _JS),
    Asset("graphiql.css", "graphiql/dist/style.css", _CSS),
)


def graphiql_routes(node_modules: Path) -> list[BaseRoute]:
    """Routes serving exactly the whitelisted GraphiQL files at `/graphiql/assets/<name>`.

    Parameters
    ----------
    node_modules
        The project's `node_modules` folder (installed by `make setup`).

    Returns
    -------
    list[BaseRoute]
        One route; any name outside the whitelist answers 404, so no other file can be reached.
    """
    by_name = {asset.name: asset for asset in ASSETS}

    async def serve(request: Request) -> Response:
        asset = by_name.get(request.path_params["name"])
        if asset is None:
            return PlainTextResponse("Not Found", status_code=404)
        path = node_modules / asset.source
        if not path.is_file():
            return PlainTextResponse(
                f"GraphiQL's file {asset.source} is missing from {node_modules}: run `make setup` to install it.",
                status_code=503,
            )
        return FileResponse(
            path,
            media_type=asset.media_type,
            headers={"Cache-Control": _LONG_CACHE, "X-Content-Type-Options": "nosniff"},
        )

    return [Route(f"{ASSETS_PREFIX}/{{name}}", serve, methods=["GET", "HEAD"], name="graphiql_asset")]


def asset_url(name: str) -> str:
    """The URL the page uses for a whitelisted file, with the pinned versions as a cache key."""
    if name not in {asset.name for asset in ASSETS}:
        raise KeyError(f"{name!r} is not a GraphiQL asset")
    return f"{ASSETS_PREFIX}/{name}?v={ASSET_VERSION}"
