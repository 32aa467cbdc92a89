"""Typed errors of the media uploads function."""

from __future__ import annotations


class ConfigurationError(Exception):
    """The function's environment is missing or malformed (an operator's error)."""


class UnusableUpload(Exception):
    """The upload can never be the item's file (an unexpected type, empty, too big, a damaged image).

    Its message is short and written for the catalog's admins: it is what `Media.statusReason` shows.
    """
