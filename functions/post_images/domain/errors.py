"""Typed errors of the post-images function."""

from __future__ import annotations


class ConfigurationError(Exception):
    """The function's environment is missing or malformed (an operator's error)."""


class StaleUpload(Exception):
    """The post is gone, or has since been given another upload: this result is no longer wanted."""
