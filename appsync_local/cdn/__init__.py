"""The local CDN: buckets served as their CloudFront distributions serve them (signed URLs, edge caching)."""

from __future__ import annotations

from .service import CDN_PAGE_PATH, LOCAL_PAGES_PATH, LocalCdn
from .signing_keys import SigningKey, key_pair_ids, signing_keys

__all__ = ["CDN_PAGE_PATH", "LOCAL_PAGES_PATH", "LocalCdn", "SigningKey", "key_pair_ids", "signing_keys"]
