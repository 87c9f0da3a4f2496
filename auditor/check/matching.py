"""Which unit, project and indicator of one year is which of another: names compared with their years
taken out (2025年公建单位职工养老保险 ↔ 2026年公建单位职工养老保险) and small edits tolerated."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from ..textnorm import normalise

T = TypeVar("T")

_YEARS = re.compile(r"(19|20)\d{2}(\s*[-—~至]\s*(19|20)?\d{2})?\s*(年度|年)?")
_PUNCT = re.compile(r"[\"“”‘’'《》〈〉（）()\[\]【】、，,。.：:；;!！?？·\-—_/\\]")


def year_free(text: str | None) -> str:
    """The text with every year (and year range) replaced by one mark: what stays the same year to year."""
    return _YEARS.sub("Y", normalise(text))


def name_key(text: str | None) -> str:
    """A name's matching form: no years, no punctuation, no spacing."""
    return _PUNCT.sub("", _YEARS.sub("", normalise(text)))


def similarity(a: str, b: str) -> float:
    """Edit similarity; a name cut short in print (PDF cells wrap and lose their tail) counts by how much
    of the shorter name the longer one holds, when the shorter has at least six characters."""
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ratio = matcher.ratio()
    shorter = min(len(a), len(b))
    if shorter >= 6:
        held = sum(block.size for block in matcher.get_matching_blocks()) / shorter
        ratio = max(ratio, 0.9 * held)
    return ratio


def match_by_name(old: Sequence[T], new: Sequence[T], key: Callable[[T], str],
                  threshold: float) -> list[tuple[T | None, T | None]]:
    """One-to-one pairs: equal keys first (in order), then the most similar remaining pairs at or above
    the threshold; the rest unpaired, old ones as (old, None), new ones as (None, new), in print order."""
    old_keys, new_keys = [key(o) for o in old], [key(n) for n in new]
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for i, k in enumerate(old_keys):
        j = next((j for j, kn in enumerate(new_keys) if kn == k and j not in taken), None)
        if j is not None:
            partner[i] = j
            taken.add(j)
    candidates = sorted(((similarity(old_keys[i], new_keys[j]), i, j) for i in range(len(old))
                         if i not in partner for j in range(len(new)) if j not in taken), reverse=True)
    for score, i, j in candidates:
        if score < threshold:
            break
        if i not in partner and j not in taken:
            partner[i] = j
            taken.add(j)
    by_new = {j: i for i, j in partner.items()}
    pairs: list[tuple[T | None, T | None]] = []
    for j, n in enumerate(new):
        pairs.append((old[by_new[j]], n) if j in by_new else (None, n))
    pairs.extend((o, None) for i, o in enumerate(old) if i not in partner)
    return pairs
