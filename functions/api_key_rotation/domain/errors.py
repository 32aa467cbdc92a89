"""Typed errors of the API key rotation."""

from __future__ import annotations


class ConfigurationError(Exception):
    """The function's environment is missing or malformed (an operator's error)."""


class SiteConfigMissing(Exception):
    """The site's config file is not in its bucket (the site is not deployed): nothing to publish to."""
