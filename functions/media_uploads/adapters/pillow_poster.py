"""``PosterRenderer`` with Pillow: a JPEG, upright as the EXIF orientation says, without metadata.

An upload is untrusted bytes. Only JPEG, PNG and WebP are opened; the pixel count is checked from the header
before any pixel is decoded (a small file can claim a huge image); Pillow's decompression-bomb warning is an
error here; truncated files are refused rather than padded.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from functions.media_uploads.domain.errors import UnusableUpload
from functions.media_uploads.domain.models import Poster

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000
POSTER_WIDTH = 640
JPEG_QUALITY = 82
# What a transparent image is laid on: a JPEG has no alpha.
BACKGROUND = (255, 255, 255)


class PillowPosterRenderer:
    """Resizes to the poster width (never enlarging), keeping the aspect ratio, and encodes a JPEG.

    Parameters
    ----------
    width
        The poster's width in pixels (narrower images keep theirs).
    max_pixels
        The most pixels (width times height) an upload may have.
    """

    def __init__(self, *, width: int = POSTER_WIDTH, max_pixels: int = MAX_PIXELS) -> None:
        self._width = width
        self._max_pixels = max_pixels

    def render(self, data: bytes) -> Poster:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                return self._render(data)
            except UnusableUpload:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise UnusableUpload(self._too_many_pixels()) from None
            except UnidentifiedImageError:
                raise UnusableUpload("the upload is not a JPEG, PNG or WebP image") from None
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                # Pillow's ways of saying the file is damaged ("image file is truncated", bad chunks, …).
                raise UnusableUpload(f"the image cannot be read ({exc})"[:200]) from None

    def _render(self, data: bytes) -> Poster:
        with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
            if opened.width * opened.height > self._max_pixels:
                raise UnusableUpload(self._too_many_pixels(opened.width, opened.height))
            # JPEGs decode at a reduced scale when that is still at least the poster's width (much faster).
            opened.draft("RGB", (self._width, self._width))
            opened.load()
            image = ImageOps.exif_transpose(opened)
        image = _flattened(image)
        width = min(self._width, image.width)
        if width != image.width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        image.info = {}  # no EXIF, XMP or comments: only the pixels
        encoded = io.BytesIO()
        image.save(encoded, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        return Poster(encoded.getvalue(), image.width, image.height)

    def _too_many_pixels(self, width: int | None = None, height: int | None = None) -> str:
        size = f" ({width} by {height})" if width and height else ""
        return f"the image has too many pixels{size}; the limit is {self._max_pixels // 1_000_000} megapixels"


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on the background."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, BACKGROUND)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
