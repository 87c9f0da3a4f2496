"""Turn a text file into clean, numbered lines.

Decoding is automatic (UTF-8 with or without BOM, UTF-16, GB18030/GBK); markdown and HTML
residue, watermark lines, decorated page numbers and repeated running headers are removed.
Line numbers always refer to the original file so findings can point back to it.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from pathlib import Path

from ..errors import InputError, describe_os_error
from .base import Line
from .legible import legibility, to_simplified

WATERMARKS = frozenset({"仅供内部审核", "内部资料", "仅供参考", "内部审核", "样稿", "草稿", "征求意见稿"})
_WATERMARK = re.compile("|".join(sorted(WATERMARKS, key=len, reverse=True)))

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}\s*页|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$",
    re.IGNORECASE,
)
_RUNNING_HEADER_HINT = re.compile(r"(预算|决算)(公开|报告)|部门预算|单位预算|部门决算|单位决算")
_STRUCTURAL = re.compile(r"绩效目标|自评表|申报表|年度\)|年度）")
_SPACES = re.compile(r"\s+")
_UNREADABLE = re.compile(r"[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


GARBLED = "文字无法识别（乱码：编码不对或文字已损坏），请用 UTF-8 或 GB18030 编码另存后再审核"


def decode(data: bytes, path: str) -> str:
    """Decode bytes, detecting the encoding; raise InputError when it is not text."""
    if not data.strip(b" \t\r\n\x00"):
        raise InputError(path, "文件为空")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"), path)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _checked(data.decode(utf16, errors="replace"), path)
    if b"\x00" in data:
        raise InputError(path, "不是文本文件（含二进制内容）")
    try:
        return _checked(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        pass
    decoded = False
    for encoding in ("gb18030", "big5"):  # GB first: Big5 bytes often decode as GB18030 too, illegibly
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        decoded = True
        if legibility(text).readable:
            return _checked(to_simplified(text) if encoding == "big5" else text, path)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(path, GARBLED if decoded else "无法识别文件编码")
    return _checked(str(best), path)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes, and a decoding that reads as CJK/ASCII text."""
    if b"\x00" not in data[:4000]:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            sample = data[:4000 - 4000 % 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        plausible = sum(1 for ch in sample if ch.isprintable() or ch in "\t\r\n")
        if sample and plausible / len(sample) > 0.95 and not _mostly_cjk_noise(sample):
            return encoding
    return None


def _mostly_cjk_noise(sample: str) -> bool:
    """Random bytes decoded as UTF-16 give rare CJK and private-use code points."""
    odd = sum(1 for ch in sample
              if "\ue000" <= ch <= "\uf8ff" or "\u3400" <= ch <= "\u4dbf" or "\uac00" <= ch <= "\ud7af")
    return odd > len(sample) * 0.2


def _checked(text: str, path: str) -> str:
    sample = text[:20000]
    if not sample.strip():
        raise InputError(path, "文件为空")
    bad = len(_UNREADABLE.findall(sample))
    if bad > max(8, len(sample) // 50):
        raise InputError(path, "不是文本文件（含大量无法识别的字符）")
    if not legibility(text).readable:
        raise InputError(path, GARBLED)
    return text


def read_text(path: str | Path) -> str:
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), "是目录，不是文件") from None
    except OSError as exc:
        raise InputError(str(path), f"无法读取（{describe_os_error(exc)}）") from None
    return decode(data, str(path))


def strip_residue(text: str) -> str:
    """Remove markdown/HTML residue and invisible characters from one line."""
    text = _CONTROL.sub("", text.replace("\u3000", " ").replace("\xa0", " "))
    return _strip_markup(text)


def _strip_markup(text: str) -> str:
    if "#" in text:
        text = _MD_HEADING.sub("", text)
    if "**" in text or "__" in text:
        text = _MD_EMPHASIS.sub(r"\2", text)
    if "<" in text:
        text = _TAG.sub("", text)
    return text


def _markdown_table_row(text: str) -> str | None:
    stripped = text.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        return "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
    return None


def clean_lines(text: str) -> list[Line]:
    """Split text into numbered lines without residue, watermarks, page numbers or running headers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\xa0", " ")
    raw_lines = _CONTROL.sub("", text).split("\n")  # one pass over the text, not one per line
    lines: list[Line] = []
    for number, raw in enumerate(raw_lines, start=1):
        table_row = None
        if "|" in raw:
            if _MD_TABLE_RULE.match(raw):
                continue
            table_row = _markdown_table_row(raw)
        text_line = _strip_markup(table_row if table_row is not None else raw)
        if "\f" in text_line:
            text_line = text_line.replace("\f", "")
        stripped = text_line.strip()
        if not stripped:
            lines.append(Line(number, ""))
            continue
        if len(stripped) <= 40 and (_SPACES.sub("", stripped) in WATERMARKS or _PAGE_NUMBER.match(text_line)):
            continue
        if "\t" in text_line and _WATERMARK.search(text_line):
            text_line = "\t".join("" if c.strip() in WATERMARKS else c for c in text_line.split("\t"))
        lines.append(Line(number, text_line.rstrip()))
    return _drop_running_headers(lines)


def _drop_running_headers(lines: list[Line]) -> list[Line]:
    counts = Counter(_SPACES.sub("", ln.text) for ln in lines if ln.text and "\t" not in ln.text)
    repeated = {
        key for key, n in counts.items()
        if n >= 3 and len(key) <= 40 and _RUNNING_HEADER_HINT.search(key) and not _STRUCTURAL.search(key)
    }
    if not repeated:
        return lines
    first_seen: set[str] = set()
    kept = []
    for ln in lines:
        key = _SPACES.sub("", ln.text)
        if key in repeated:
            if key in first_seen:
                continue
            first_seen.add(key)
        kept.append(ln)
    return kept
