"""Text written into files other programs read: Atom (XML) and iCalendar feeds."""
from __future__ import annotations

import re

#: Characters XML 1.0 forbids even as character references (C0 controls but tab, line feed and
#: carriage return; lone surrogates; U+FFFE and U+FFFF), and DELETE, which iCalendar forbids too.
#: One of them in a title makes the whole feed unreadable, so they are dropped on the way out.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def feed_text(value: str) -> str:
    """``value`` without the characters an XML or iCalendar reader refuses."""
    return _FORBIDDEN.sub("", value)
