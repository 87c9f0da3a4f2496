"""Rows → feature strings. Tokens are made here (jieba words, character n-grams, value kind and
unit), so the saved vectorizer holds no custom Python function: it splits on spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..nlp import words
from ..values import collapse_doubled, parse_value

_PUNCT = re.compile(r"[\s\u3000,，。.;；:：、()（）“”\"'《》<>\[\]【】]+")


def _chars(text: str, prefix: str, sizes: tuple[int, ...]) -> list[str]:
    text = _PUNCT.sub("", text)
    return [f"{prefix}{text[i:i + n]}" for n in sizes for i in range(len(text) - n + 1)]


def _unit_token(unit: str | None, kind: str) -> str:
    if kind == "percent":
        return "UNIT=%"
    if kind == "money":
        return "UNIT=元"
    if not unit:
        return "UNIT=none"
    return f"UNIT={unit.split('/')[0][-1:]}"


@lru_cache(maxsize=65536)
def vague_features(level2: str, name: str, value: str) -> str:
    """Features for 'can a reviewer verify this value at year end?'."""
    parsed = parse_value(value, name)
    text = collapse_doubled(unicodedata.normalize("NFKC", value or "").replace(" ", ""))[0]
    tokens = [f"L2={level2 or '?'}", f"KIND={parsed.kind}", "DIGIT" if re.search(r"\d", text) else "NODIGIT",
              f"CMP={parsed.comparator or 'none'}", _unit_token(parsed.unit, parsed.kind)]
    tokens += [f"w:{w}" for w in words(text)] if text else ["EMPTY"]
    tokens += _chars(text, "c:", (1, 2))
    tokens += [f"n:{w}" for w in words(unicodedata.normalize("NFKC", name or ""))[:8]]
    return " ".join(tokens)


@lru_cache(maxsize=65536)
def category_features(name: str, value: str) -> str:
    """Features for 'which 二级 does this indicator belong to?': its name, and its value's kind."""
    parsed = parse_value(value, name)
    name = unicodedata.normalize("NFKC", name or "")
    tokens = [f"KIND={parsed.kind}", _unit_token(parsed.unit, parsed.kind)]
    tokens += [f"w:{w}" for w in words(name)]
    tokens += _chars(name, "c:", (1, 2))
    if parsed.per:
        tokens.append(f"PER={parsed.per}")
    return " ".join(tokens)
