"""Typed errors of the welcome e-mail."""

from __future__ import annotations


class ConfigurationError(Exception):
    """The function's environment is missing or malformed (an operator's error)."""


class RecipientRejected(Exception):
    """The mail service refuses this recipient for good (a malformed address): retrying cannot help."""
