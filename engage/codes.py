"""Random codes people read and type (ticket codes, voter codes, receipts) and secret tokens.

No Flask imports: the check-in and ballots areas, the demo and the tests share these.
"""
from __future__ import annotations

import hashlib
import re
import secrets

# No 0/O, 1/I/L: they are misread on printed codes and typed wrongly at a busy door.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_code(length: int) -> str:
    """``length`` characters from :data:`CODE_ALPHABET` (about 5 bits each)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def secret_hash(secret: str) -> str:
    """What is kept of a random secret (a session key, a link's token): its SHA-256, hex. A secret of
    128 bits or more needs no salt."""
    return hashlib.sha256(secret.encode()).hexdigest()


def random_token() -> str:
    """A URL-safe secret of 128 bits, for links in QR codes."""
    return secrets.token_urlsafe(16)


def normalise_code(text: str) -> str:
    """What someone typed → a code: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s-]", "", text).upper()


def is_code(text: str, length: int) -> bool:
    """Whether an already normalised ``text`` could be a code of ``length`` characters."""
    return len(text) == length and all(c in CODE_ALPHABET for c in text)


def pretty_code(code: str) -> str:
    """ABCD-EFGH-JKLM: groups of four are easier to read out and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
