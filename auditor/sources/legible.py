"""Is decoded text something a person can read, or the garbage of a wrong decoding?

Bytes in one Chinese encoding often decode without error in another (Big5 read as GB18030), and a
PDF whose fonts lack a Unicode map yields codes, not characters. Both look like text to a decoder
and would be audited as an empty document scoring 100. Real Chinese prose draws nearly all its
characters from the few thousand in common use (GB2312 level 1, Big5 常用字); a wrong decoding
scatters over rare characters and code points no Chinese document uses.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import lru_cache

_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# What Chinese documents are made of: ASCII, Latin-1 signs, Greek (units), punctuation, symbols,
# numbers in circles, shapes, CJK radicals, punctuation, ideographs and full-width forms. Anything
# else (Latin-1 letters, Cyrillic, Arabic, kana, box drawing, private use, controls, U+FFFD, or a
# pdfminer "(cid:12)") is the trace of a wrong decoding.
_ODD = re.compile(r"[^\t\n\r\x20-\x7e\u00a0-\u00bf\u00d7\u00f7\u0391-\u03c9\u2000-\u24ff\u25a0-\u26ff"
                  r"\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
                  r"\uff00-\uffef]|\(cid:\d+\)")
MIN_HANZI = 30  # fewer than this: too little Chinese to judge by
MIN_COMMON_SHARE = 0.8  # measured: the samples 0.99+, Big5 read as GB18030 about 0.5
MAX_ODD_SHARE = 0.05


@lru_cache(maxsize=1)
def common_hanzi() -> frozenset[str]:
    """GB2312 level 1 (3,755 simplified) and Big5 常用字 (5,401 traditional), from the codecs."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    return frozenset(chars)


@lru_cache(maxsize=1)
def _rare() -> re.Pattern[str]:
    """One character class of every ideograph outside common use (counted in C, not in a loop)."""
    common = common_hanzi()
    ranges: list[str] = []
    for low, high in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
        start = None
        for code in range(low, high + 2):
            rare = code <= high and chr(code) not in common
            if rare and start is None:
                start = code
            elif not rare and start is not None:
                ranges.append(f"{chr(start)}-{chr(code - 1)}" if code - 1 > start else chr(start))
                start = None
    return re.compile("[" + "".join(ranges) + "]")


@dataclass(frozen=True, slots=True)
class Legibility:
    hanzi: int  # Chinese characters in the sample
    common_share: float  # of them, the share in common use
    odd_share: float  # code points no Chinese document is made of, per visible character

    @property
    def readable(self) -> bool:
        if self.odd_share > MAX_ODD_SHARE:
            return False
        return self.hanzi < MIN_HANZI or self.common_share >= MIN_COMMON_SHARE


def legibility(text: str, sample: int = 3_000) -> Legibility:
    """Judged on three stretches (start, middle, end) of `sample` characters: enough evidence, and
    a document garbled only past its first pages is still caught."""
    if len(text) <= 3 * sample:
        head = text
    else:
        middle = len(text) // 2 - sample // 2
        head = text[:sample] + text[middle:middle + sample] + text[-sample:]
    visible = len(head) - head.count(" ") - head.count("\n") - head.count("\t") - head.count("\r")
    hanzi = len(_HANZI.findall(head))
    share = 1 - len(_rare().findall(head)) / hanzi if hanzi else 1.0
    odd = sum(len(m) if len(m) == 1 else 1 for m in _ODD.findall(head))
    return Legibility(hanzi, round(share, 3), round(odd / max(1, visible), 3))


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones (a Big5 document), when OpenCC is installed."""
    try:
        import opencc
    except ImportError:
        return text
    return opencc.OpenCC("t2s").convert(text)
