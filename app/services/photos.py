"""Case photos: checked to be real images of an allowed kind and size, re-encoded (which also drops
EXIF data such as the phone's GPS position), stored under the upload folder with a random name.

A file written during a transaction that is rolled back is deleted again: nothing orphaned.
"""
from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from ..security import actor
from ..timekeeping import utc_now

FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
# Pillow's own bomb guard at our limit: it warns above it and refuses at twice it, inside open(),
# before our check below sees the size (a 30000×30000 PNG of 110 KB never gets that far).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(ValueError):
    pass


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "cases"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(data: bytes, filename: str | None) -> Image.Image:
    """The one place an uploaded image is opened: its size, kind and pixels checked (from the
    header, before anything is decoded), then decoded; or PhotoError saying what is wrong."""
    name = filename or ""
    limit = current_app.config["CASE_PHOTO_MAX_BYTES"]
    if len(data) > limit:
        raise PhotoError(_l("%(name)s is larger than %(mb)s MB.", name=name, mb=limit // 1_000_000))
    too_many_pixels = PhotoError(_l("%(name)s has more than %(limit)s million pixels: send a smaller photo.",
                                    name=name, limit=MAX_PIXELS // 1_000_000))
    not_a_photo = PhotoError(_l("%(name)s is not a JPEG, PNG or WebP photo.", name=name))
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        if image.width * image.height > MAX_PIXELS:
            raise too_many_pixels
        image.verify()
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        image.load()
    except PhotoError:
        raise
    # The warning is an exception where warnings are errors (python -W error).
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_a_photo from None
    return image


def store(case, data: bytes, filename: str | None, username: str | None):
    """Check, re-encode and store one photo; returns the CasePhoto row, added to ``case``."""
    from ..extensions import db
    from ..models import CasePhoto

    image = check(data, filename)
    content_type, suffix = FORMATS[image.format]
    out = io.BytesIO()
    if image.format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85)
    else:
        image.save(out, image.format)
    name = uuid.uuid4().hex + suffix
    (folder() / name).write_bytes(out.getvalue())
    db.session.info.setdefault("written_files", []).append(folder() / name)
    photo = CasePhoto(stored_name=name, original_name=(filename or "")[:200], content_type=content_type,
                      size=out.tell(), uploaded_at=utc_now(), uploaded_by=username)
    case.photos.append(photo)
    return photo


def store_uploads(case, uploads) -> list:
    """Every uploaded file (a form's or a request's ``photo`` files) stored on ``case``."""
    uploader = actor.current().name
    return [store(case, upload.read(), upload.filename, uploader) for upload in uploads if upload.filename]


def path_of(photo) -> Path:
    return folder() / photo.stored_name


def remove_files_of_a_rolled_back_transaction(session: Session) -> None:
    for path in session.info.pop("written_files", []):
        Path(path).unlink(missing_ok=True)


def keep_files_of_a_committed_transaction(session: Session) -> None:
    session.info.pop("written_files", None)
