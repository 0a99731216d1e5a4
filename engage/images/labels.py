"""Every word the images area shows."""
from flask_babel import lazy_gettext as _l

REFUSALS = {
    "empty": _l("The file is empty. Choose a photo or picture to upload."),
    "too_big": _l("The file is larger than 10 MB. Choose a smaller photo."),
    "not_image": _l("The file is not a photo or picture we can read. Upload a JPEG, PNG or WebP file."),
    "too_many_pixels": _l("The picture is too large (more than 40 megapixels). Choose a smaller one."),
    "too_small": _l("The picture is too small (under 100 pixels on its longer side). Choose a larger one."),
}
