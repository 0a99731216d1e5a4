"""Links: which ``next`` addresses a redirect may follow."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit


def _has_control(text: str, *, or_space: bool) -> bool:
    # Browsers drop tabs and newlines anywhere in a URL and trim spaces and controls at its ends, so
    # "/\t/evil.example" reaches them as "//evil.example"; a newline in a header is a 500. Format
    # characters (zero-width, bidi marks) only ever hide something.
    return any(unicodedata.category(ch) in ("Cc", "Cf") or (or_space and ch.isspace()) for ch in text)


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (never an open redirect).

    A path starts with exactly one ``/``, never followed by ``/`` or ``\\`` (browsers read both as
    the start of a host), and holds no backslash, control character or whitespace. The same holds
    once percent-decoded, for the proxies and browsers that decode before they look.
    """
    if not target or "\\" in target or _has_control(target, or_space=True):
        return None
    decoded = unquote(target)
    if _has_control(decoded, or_space=False):
        return None
    for form in (target, decoded):
        parts = urlsplit(form)
        if not form.startswith("/") or form[1:2] in ("/", "\\") or parts.scheme or parts.netloc:
            return None
    return target
