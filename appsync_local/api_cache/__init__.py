"""AppSync's server-side API cache, emulated in memory (D14)."""

from .resolver_cache import ApiCache, FieldPolicy
from .store import CacheStore

__all__ = ["ApiCache", "CacheStore", "FieldPolicy"]
