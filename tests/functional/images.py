"""Images made on the spot for the photo tests: real encoder output, never files checked in."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def jpeg(width: int, height: int, *, orientation: int | None = None) -> bytes:
    """A photo-like JPEG; with `orientation`, an EXIF Orientation tag (6: the camera was turned right)."""
    image = Image.new("RGB", (width, height), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 2, height // 2), fill=(220, 40, 40))  # red top-left quarter
    draw.ellipse((width // 3, height // 3, width * 2 // 3, height * 2 // 3), fill=(250, 220, 60))
    exif = Image.Exif()
    exif[0x010F] = "Example Camera"  # Make
    if orientation is not None:
        exif[0x0112] = orientation
    encoded = io.BytesIO()
    image.save(encoded, format="JPEG", quality=90, exif=exif.tobytes())
    return encoded.getvalue()


def png_with_alpha(width: int, height: int) -> bytes:
    """A PNG whose left half is transparent."""
    image = Image.new("RGBA", (width, height), (0, 160, 80, 255))
    ImageDraw.Draw(image).rectangle((0, 0, width // 2, height), fill=(0, 0, 0, 0))
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    return encoded.getvalue()


def decompression_bomb(megapixels: int = 50) -> bytes:
    """A small PNG file (tens of kilobytes) that decodes to `megapixels` million pixels."""
    image = Image.new("1", (10_000, megapixels * 100))
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", optimize=True)
    return encoded.getvalue()


def opened(data: bytes) -> Image.Image:
    """`data` decoded (the test's view of what a browser would show)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
