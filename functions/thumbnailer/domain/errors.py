"""Typed errors of the thumbnailer."""

from __future__ import annotations


class ConfigurationError(Exception):
    """The function's environment is missing or malformed (an operator's error)."""


class UnusableUpload(Exception):
    """The upload can never become thumbnails (not an image, truncated, too many pixels, too big).

    Its message is short and written for the post's author: it is what `Post.imageError` shows.
    """
