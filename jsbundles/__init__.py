"""APPSYNC_JS bundles: each resolver file with the `lib/` files it imports, bundled by esbuild as AWS documents.

The local runtime runs these bundles and `infra/` deploys the very same text. Positions in a bundle map back
to the source file and line through its source map, so every refusal names the file the developer wrote.
"""

from __future__ import annotations

from .bundler import Bundle, Bundler, BundlerUnavailable, default_bundler
from .errors import JsCodeError

__all__ = ["Bundle", "Bundler", "BundlerUnavailable", "JsCodeError", "default_bundler"]
