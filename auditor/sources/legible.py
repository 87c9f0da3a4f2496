"""Is decoded text something a person can read, or the garbage of a wrong decoding?

Bytes in one Chinese encoding often decode without error in another (Big5 read as GB18030), and a
PDF whose fonts lack a Unicode map yields codes, not characters. Both look like text to a decoder
and would be audited as an empty document scoring 100. Real Chinese prose draws nearly all its
characters from the few thousand in common use (GB2312 level 1, Big5 常用字); a wrong decoding
scatters over rare characters and code points no Chinese document uses.
"""

from __future__ import annotations

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
    gb = bytes(b for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF) for b in (lead, trail))
    big5 = bytes(b for lead in range(0xA4, 0xC7) for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF))
                 for b in (lead, trail))
    chars = gb.decode("gb2312", errors="ignore") + big5.decode("big5", errors="ignore")
    return frozenset(ch for ch in chars if "\u3400" <= ch <= "\u9fff")


@lru_cache(maxsize=1)
def _drop_common() -> dict[int, None]:
    return dict.fromkeys(map(ord, common_hanzi()))


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
    ideographs = "".join(_HANZI.findall(head))
    hanzi = len(ideographs)
    share = 1 - len(ideographs.translate(_drop_common())) / hanzi if hanzi else 1.0
    odd = sum(len(m) if len(m) == 1 else 1 for m in _ODD.findall(head))
    return Legibility(hanzi, round(share, 3), round(odd / max(1, visible), 3))


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones (a Big5 document), when OpenCC is installed."""
    try:
        import opencc
    except ImportError:
        return text
    return opencc.OpenCC("t2s").convert(text)
