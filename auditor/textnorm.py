"""The matching form of text: how every layer compares a cell, a label or a name."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """Matching form: NFKC (full-width → half-width), no whitespace."""
    if not text:
        return ""
    return _normalise(text)


@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))
