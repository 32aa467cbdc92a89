"""``ImageRenderer`` with Pillow: WebP copies, EXIF orientation applied, no metadata, no decompression bombs.

An upload is attacker-controlled bytes. Only JPEG, PNG, WebP and GIF are opened; the pixel count is checked
from the header before any pixel is decoded (a small file can claim a huge image); Pillow's own
decompression-bomb warning is an error here; truncated files are refused rather than padded.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from PIL import Image, ImageOps, UnidentifiedImageError

from functions.thumbnailer.domain.errors import UnusableUpload
from functions.thumbnailer.domain.models import Rendition

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_PIXELS = 40_000_000
WEBP_QUALITY = 80


class PillowRenderer:
    """Resizes to each width (never enlarging), keeping the aspect ratio, and encodes WebP.

    Parameters
    ----------
    max_pixels
        The most pixels (width times height) an upload may have.
    quality
        WebP quality, 0-100.
    """

    def __init__(self, *, max_pixels: int = MAX_PIXELS, quality: int = WEBP_QUALITY) -> None:
        self._max_pixels = max_pixels
        self._quality = quality

    def render(self, data: bytes, widths: Sequence[int]) -> list[Rendition]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                return self._render(data, sorted(set(widths)))
            except UnusableUpload:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise UnusableUpload(self._too_many_pixels()) from None
            except UnidentifiedImageError:
                raise UnusableUpload("the upload is not a JPEG, PNG, WebP or GIF image") from None
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                # Pillow's ways of saying the file is damaged ("image file is truncated", bad chunks, …).
                raise UnusableUpload(f"the image cannot be read ({exc})"[:200]) from None

    def _render(self, data: bytes, widths: list[int]) -> list[Rendition]:
        with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
            if opened.width * opened.height > self._max_pixels:
                raise UnusableUpload(self._too_many_pixels(opened.width, opened.height))
            # JPEGs decode at a reduced scale when that is still at least the largest width (much faster).
            opened.draft(opened.mode, (widths[-1], widths[-1]))
            opened.load()
            image = ImageOps.exif_transpose(opened)
            icc_profile = opened.info.get("icc_profile")
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        renditions: list[Rendition] = []
        for target in widths:
            width = min(target, image.width)
            if renditions and renditions[-1].width == width:
                continue  # the image is narrower than this width too: the copy would be the same
            height = max(1, round(image.height * width / image.width))
            resized = (
                image.resize((width, height), Image.Resampling.LANCZOS) if width != image.width else image
            )
            renditions.append(
                Rendition(target, width, height, self._encode(resized, icc_profile), "image/webp", "webp")
            )
        return renditions

    def _encode(self, image: Image.Image, icc_profile: bytes | None) -> bytes:
        image.info = {}  # no EXIF, XMP or comments: only the pixels (and their colour profile) are kept
        encoded = io.BytesIO()
        options = {"icc_profile": icc_profile} if icc_profile else {}
        image.save(encoded, format="WEBP", quality=self._quality, method=4, **options)
        return encoded.getvalue()

    def _too_many_pixels(self, width: int | None = None, height: int | None = None) -> str:
        size = f" ({width} by {height})" if width and height else ""
        return f"the image has too many pixels{size}; the limit is {self._max_pixels // 1_000_000} megapixels"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
