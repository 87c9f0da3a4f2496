"""Parse a printed 指标值 into comparator, number, unit, period and kind.

"≥285.464元/月" → (≥, 285.464, 元/月, per 月, money, 285.464 元, 3425.568 元/年);
"不少于三万人" → (≥, 30000, 人, quantity); "及时及时" → doubled, text "及时".
"""

from __future__ import annotations

import math
import re
import unicodedata

from .model import Value
from .vocabulary import MONEY_SCALES

_SYMBOLS = {"≥": "≥", ">=": "≥", "≧": "≥", "⩾": "≥", "≤": "≤", "<=": "≤", "≦": "≤", "⩽": "≤",
            ">": ">", "<": "<", "=": "=", "≈": "="}
_PREFIX_WORDS = [  # longest first
    ("大于等于", "≥"), ("大于或等于", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("至少", "≥"),
    ("最少", "≥"), ("达到", "≥"), ("达", "≥"),
    ("小于等于", "≤"), ("小于或等于", "≤"), ("不超过", "≤"), ("不高于", "≤"), ("不多于", "≤"), ("不大于", "≤"),
    ("最多", "≤"), ("至多", "≤"), ("控制在", "≤"), ("低于", "<"), ("小于", "<"), ("少于", "<"),
    ("高于", ">"), ("大于", ">"), ("超过", ">"), ("多于", ">"), ("等于", "="), ("为", "="),
]
_SUFFIX_WORDS = [("及以上", "≥"), ("以上", "≥"), ("以内", "≤"), ("之内", "≤"), ("及以下", "≤"), ("以下", "≤"),
                 ("内", "≤")]

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿点"
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)")
_CN_NUMBER = re.compile(rf"[{_CN_DIGITS}]+")
_RANGE_SEP = re.compile(r"^\s*(?:-|~|～|—|–|至|到)\s*")
_UNIT = re.compile(
    r"^([%‰]|个百分点|百分点|百分比|[^\d\s,，;；、。()（）≥≤<>=~～—–-]{1,8}?)"
    r"(?=$|[\s,，;；、。()（）~～—–-]|至|到|以上|以下|以内|之内|左右|及以上|及以下)"
)
_DATE = re.compile(
    r"(\d{4}年)?\d{1,2}月(\d{1,2}[日号])?(底|末|中旬|上旬|下旬)?(前|之前|以前|内)?"
    r"|\d{4}年(底|末|内|年底|年末)(前)?|\d{1,2}[日号](前|之前)?"
)
_DURATION_UNITS = ("工作日", "个工作日", "小时", "分钟", "天", "日", "周", "个月", "月", "年", "季度", "秒", "h", "min")
_TIME_PERS = {"年": 1, "全年": 1, "每年": 1, "半年": 2, "季": 4, "季度": 4, "月": 12, "每月": 12,
              "周": 52, "旬": 36}
_YES_NO = frozenset({"是", "否", "有", "无", "是的", "没有"})
_WEEKDAY = re.compile(r"^(每)?(周|星期)[一二三四五六日天]$")


def collapse_doubled(text: str) -> tuple[str, bool]:
    """'及时及时' → ('及时', True); '每年几乎无碳排放每年几乎无' (second copy cut short) too."""
    n = len(text)
    if n < 2 or text.replace(".", "").replace(",", "").isdigit():
        return text, False
    for k in range((n + 1) // 2, n):
        tail = text[k:]
        if len(tail) >= max(1, k // 2) and text.startswith(tail) and (len(tail) == k or len(tail) >= 2):
            head = text[:k]
            if len(tail) == k or k >= 4:
                return head, True
    return text, False


def _cn_to_number(text: str) -> float | None:
    try:
        import cn2an
    except ImportError:  # pragma: no cover - cn2an is a declared dependency
        return None
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _comparator(text: str) -> tuple[str | None, str]:
    for symbol in (">=", "<=", "≥", "≤", "≧", "≦", "⩾", "⩽", ">", "<", "=", "≈"):
        if text.startswith(symbol):
            return _SYMBOLS[symbol], text[len(symbol):]
    for word, symbol in _PREFIX_WORDS:
        rest = text[len(word):]
        if text.startswith(word) and rest and (rest[0].isdigit() or rest[0] in _CN_DIGITS):
            return symbol, rest
    return None, text


def _suffix_comparator(text: str) -> tuple[str | None, str]:
    for word, symbol in _SUFFIX_WORDS:
        if text.endswith(word) and len(text) > len(word):
            return symbol, text[: -len(word)]
    return None, text


def _first_number(text: str) -> tuple[float | None, int, int]:
    """The first number (Arabic or Chinese) as (value, start, end); scales 万/亿 stay in the unit."""
    arabic = _NUMBER.search(text)
    chinese = _CN_NUMBER.search(text)
    if chinese and chinese.group() in {"万", "亿", "千", "百", "十", "点", "两"}:
        chinese = None
    if chinese and (arabic is None or chinese.start() < arabic.start()):
        raw = chinese.group()
        # keep the scale words 万/亿 as part of the unit when they end the numeral ("三万人" → 3, 万人)
        trimmed = raw.rstrip("万亿") if len(raw.rstrip("万亿")) else raw
        value = _cn_to_number(trimmed)
        if value is not None:
            return value, chinese.start(), chinese.start() + len(trimmed)
    if arabic:
        return float(arabic.group().replace(",", "")), arabic.start(), arabic.end()
    return None, -1, -1


def _kind_of_unit(unit: str | None, text: str, name: str) -> str:
    if unit and (unit[0] in "%‰" or "百分" in unit):
        return "percent"
    base = unit.split("/")[0] if unit else ""
    if base in MONEY_SCALES or base.endswith("元"):
        return "money"
    if base and any(base == u or base.endswith(u) for u in _DURATION_UNITS):
        if _DATE.fullmatch(text) or re.fullmatch(r"[≥≤<>=]?\d{1,2}月", text):
            return "deadline"
        if re.fullmatch(r"\d{4}年", text):
            return "deadline"
        return "duration"
    return "quantity"


def parse_value(raw: str | None, name: str = "") -> Value:
    """Parse a printed value; `name` (the 三级 name) disambiguates yes/no questions."""
    printed = re.sub(r"\s+", " ", raw or "").strip()
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", printed))
    text = text.replace("＜", "<").replace("＞", ">").replace("﹤", "<").replace("﹥", ">")
    if not text:
        return Value(raw=printed, text="", kind="empty")
    collapsed, doubled = collapse_doubled(text)
    text = collapsed
    approximate = False
    body = text
    for word in ("左右", "上下"):
        if body.endswith(word):
            body, approximate = body[: -len(word)], True
    if body.startswith("约"):
        body, approximate = body[1:], True
    comparator, body = _comparator(body)
    suffix_cmp, body_wo_suffix = _suffix_comparator(body)
    if comparator is None and suffix_cmp is not None:
        comparator, body = suffix_cmp, body_wo_suffix
    if _WEEKDAY.match(body):
        return Value(raw=printed, text=text, doubled=doubled, kind="deadline", date=_date_of(body))
    number, start, end = _first_number(body)
    name_norm = unicodedata.normalize("NFKC", name or "")
    if number is None or not math.isfinite(number):
        if _WEEKDAY.match(text) or re.fullmatch(r"(年底|年末|月底|月末|年内|年中)(前)?", text):
            kind = "deadline"
        elif text in _YES_NO or ("是否" in name_norm and not re.search(r"\d", text)):
            kind = "yesno"
        else:
            kind = "qualitative"
        return Value(raw=printed, text=text, doubled=doubled, comparator=comparator, kind=kind,
                     approximate=approximate)
    prefix = body[:start]
    rest = body[end:]
    number_high = None
    sep = _RANGE_SEP.match(rest)
    if sep:
        high, hs, he = _first_number(rest[sep.end():])
        if high is not None and hs == 0:
            number_high = high
            rest = rest[sep.end() + he:]
    unit_match = _UNIT.match(rest)
    unit = unit_match.group(1) if unit_match else None
    if unit is None and rest.startswith("/"):
        unit_match = re.match(r"^/[^\d\s]{1,4}", rest)
        unit = unit_match.group() if unit_match else None
    if number_high is None and unit and rest[len(unit):]:
        sep = _RANGE_SEP.match(rest[len(unit):])
        if sep:
            high, hs, _ = _first_number(rest[len(unit) + sep.end():])
            if high is not None and hs == 0:
                number_high = high
    if comparator is None and unit:
        suffix_cmp, _ = _suffix_comparator(rest)
        comparator = suffix_cmp
    if unit and len(unit) > 1 and unit[0] in "万亿千" and _kind_of_unit(unit, "", "") != "money":
        scale = {"万": 1e4, "亿": 1e8, "千": 1e3}[unit[0]]  # "3万人" → 30000 人
        number, unit = number * scale, unit[1:]
        number_high = number_high * scale if number_high is not None else None
    per = unit.split("/", 1)[1] if unit and "/" in unit else None
    kind = _kind_of_unit(unit, body, name_norm)
    if _DATE.fullmatch(body) or (prefix.startswith("每") and unit in ("日", "号", "日前", "号前")):
        kind = "deadline"
    if unit in ("号", "日") and re.fullmatch(r"\d{1,2}[号日](前|之前)?", body):
        kind = "deadline"
    yuan = annual = None
    if kind == "money":
        base = unit.split("/")[0] if unit else "元"
        scale = MONEY_SCALES.get(base, 1.0 if base.endswith("元") else 1e4)
        yuan = number * scale
        if per is None:
            annual = yuan
        elif per in _TIME_PERS:
            annual = yuan * _TIME_PERS[per]
    return Value(raw=printed, text=text, doubled=doubled, comparator=comparator, number=number,
                 number_high=number_high, unit=unit, per=per, kind=kind, yuan=yuan, annual_yuan=annual,
                 approximate=approximate, date=_date_of(body) if kind == "deadline" else None)


_YMD = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(?:(\d{1,2})[日号])?")


def _date_of(text: str) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day) of a deadline, parts that are not printed left None."""
    for match in _YMD.finditer(text):
        if match.group(0):
            year, month, day = (int(g) if g else None for g in match.groups())
            return year, month, day
    return None


def parse_amount(text: str | None) -> float | None:
    """A plain printed amount such as '1,200,000' or '28,794.24' (no unit) → float."""
    if not text:
        return None
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").rstrip("元")
    if re.fullmatch(r"-?\d+(?:\.\d+)?", cleaned):
        return float(cleaned)
    return None
