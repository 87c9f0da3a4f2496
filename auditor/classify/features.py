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


# the value's kind and unit count as much as this many words of the name: "≤2小时" says 时效 more surely than
# any one word, and a long name would otherwise drown it (grouped CV on real rows: 0.73 → 0.74 alone)
VALUE_KIND_WEIGHT = 3


@lru_cache(maxsize=65536)
def category_features(name: str, value: str, level1: str | None = None) -> str:
    """Features for 'which 二级 does this indicator belong to?': its name, its value's kind and unit (and
    its words when it has no number), and the 一级 block it was printed in (when known)."""
    parsed = parse_value(value, name)
    name = unicodedata.normalize("NFKC", name or "")
    kind = [f"KIND={parsed.kind}", _unit_token(parsed.unit, parsed.kind)] + ([f"PER={parsed.per}"] if parsed.per
                                                                             else [])
    tokens = kind * VALUE_KIND_WEIGHT
    tokens += [f"w:{w}" for w in words(name)]
    tokens += _chars(name, "c:", (1, 2))
    value_text = collapse_doubled(unicodedata.normalize("NFKC", value or "").replace(" ", ""))[0]
    if value_text and not re.search(r"\d", value_text):
        # a worded value says where it belongs (合规, 正常 are quality; 及时 is timeliness; 持续 lasts)
        tokens += [f"v:{w}" for w in words(value_text)] + _chars(value_text, "vc:", (1,))
    if level1:
        tokens.append(f"L1={level1}")
    return " ".join(tokens)
