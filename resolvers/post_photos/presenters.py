"""Domain objects in the shape of the GraphQL contract's types."""

from __future__ import annotations

import json
from typing import Any

from resolvers.post_photos.domain.models import PostImageUpload
from resolvers.records import contract_form


def post_image_upload(upload: PostImageUpload) -> dict[str, Any]:
    """A ``PostImageUpload``; ``fields`` is AWSJSON, a JSON string of the form fields to POST."""
    return {**contract_form(upload), "fields": json.dumps(upload.fields, separators=(",", ":"))}
