"""Checking and cleaning a proposal's picture: type and size checked, metadata stripped."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pb.errors import InvalidInput

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before they fill memory
LONGEST_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanImage:
    content_type: str
    data: bytes
    width: int
    height: int


def clean_image(upload: bytes) -> CleanImage:
    """Decode the upload, and re-encode its pixels alone as a JPEG at most 1600 px on its longest side.

    Re-encoding drops everything but the picture: EXIF (location, camera, time), comments,
    embedded thumbnails and anything hidden after the image data.
    Raises InvalidInput (field "image") for a file that is too big, not a JPEG, PNG or WebP
    picture, or damaged.
    """
    if len(upload) > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The picture must be smaller than 5 MB."), field="image")
    try:
        with Image.open(io.BytesIO(upload)) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidInput(_("The picture must be a JPG, PNG or WebP file."), field="image")
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(_("The picture has too many pixels. Choose a smaller one."), field="image")
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep the orientation the camera recorded, then drop EXIF
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            pixels = upright.convert("RGB")
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise InvalidInput(_("The picture must be a JPG, PNG or WebP file."), field="image") from error
    out = io.BytesIO()
    pixels.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return CleanImage("image/jpeg", out.getvalue(), pixels.width, pixels.height)
