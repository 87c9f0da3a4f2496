"""Narrative checks: what a goal promises (counts, amounts, percentages) vs the indicators.

Built on a spaCy pipeline — `spacy.blank("zh")` with a tokenizer that wraps an isolated jieba
tokenizer plus the domain dictionary, and a component that marks MONEY, COUNT, PERCENT, DATE and
DOCNO spans. spaCy and jieba are imported only when a goal actually holds numbers.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..model import Indicator

_SPANS = [
    ("DOCNO", re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[【(（]\d{4}[〕\]】)）]\d+号")),
    ("DATE", re.compile(r"\d{4}年(\d{1,2}月(\d{1,2}日)?)?(底|末|前|以前)?|\d{1,2}月\d{1,2}日(前)?")),
    ("PERCENT", re.compile(r"\d+(\.\d+)?\s*(%|％|个百分点)")),
    ("MONEY", re.compile(r"\d+(\.\d+)?\s*(亿元|万元|元)")),
    ("COUNT", re.compile(r"\d+(\.\d+)?\s*(个|家|人|户|次|项|件|所|座|台|套|场|册|份|条|篇|批|辆|处|村|公里|km|亩|吨"
                         r"|名|位|门)")),
]
_PAST = re.compile(r"已|累计|共完成|目前|去年|上年|以来|截至|三年共|曾")
_PROMISE = re.compile(r"新增|完成|实现|达到|建成|培育|增长|提高到|提升到|覆盖|开展|组织|举办|认定|引进|培训|改造|建设"
                      r"|发放|补贴|支持")


class _JiebaTokenizer:
    """A spaCy tokenizer over the tool's isolated jieba tokenizer (see auditor.nlp)."""

    def __init__(self, vocab) -> None:
        from ..nlp import segmenter

        self.vocab = vocab
        self.jieba = segmenter()

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words = [w for w in self.jieba.cut(text, HMM=True) if w]
        spaces = [False] * len(words)
        return Doc(self.vocab, words=words, spaces=spaces)


@lru_cache(maxsize=1)
def pipeline():
    """The narrative pipeline, built once per process."""
    import spacy
    from spacy.language import Language
    from spacy.util import filter_spans

    if not Language.has_factory("budget_quantities"):
        @Language.component("budget_quantities")
        def budget_quantities(doc):
            spans = []
            for label, pattern in _SPANS:
                for m in pattern.finditer(doc.text):
                    span = doc.char_span(m.start(), m.end(), label=label, alignment_mode="expand")
                    if span is not None:
                        spans.append(span)
            doc.ents = filter_spans(spans)
            return doc

    nlp = spacy.blank("zh")
    nlp.tokenizer = _JiebaTokenizer(nlp.vocab)
    nlp.add_pipe("budget_quantities")
    return nlp


@dataclass(frozen=True, slots=True)
class Promise:
    text: str  # the clause as printed, e.g. "新增省级企业技术中心1家"
    label: str  # COUNT / PERCENT
    number: float
    unit: str
    detail: str


_CLAUSE = re.compile(r"[，,。；;、：:！!？?]|(?<!\d)\d[、.．](?=\D)")
_SENTENCE = re.compile(r"[。；;！!？?]|(?<!\d)\d[、.．](?=\D)")


def _clauses(text: str, boundary: re.Pattern[str]) -> list[tuple[int, int]]:
    bounds = [0] + [m.end() for m in boundary.finditer(text)] + [len(text)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _may_promise(text: str) -> bool:
    """Cheap test before building a Doc: a count or percentage in a sentence with a promise verb."""
    for start, end in _clauses(text, _SENTENCE):
        sentence = text[start:end]
        if _PROMISE.search(sentence) and not _PAST.search(sentence) and (
                dict(_SPANS)["COUNT"].search(sentence) or dict(_SPANS)["PERCENT"].search(sentence)):
            return True
    return False


def promises(goal: str) -> list[Promise]:
    """Counts and percentages a goal commits to (not past facts, years or document numbers)."""
    text = unicodedata.normalize("NFKC", goal)
    if not re.search(r"\d", text) or not _may_promise(text):
        return []
    doc = pipeline()(text)
    found: list[Promise] = []
    for ent in doc.ents:
        if ent.label_ not in ("COUNT", "PERCENT"):
            continue
        start, end = next(((a, b) for a, b in _clauses(text, _CLAUSE) if a <= ent.start_char < b), (0, len(text)))
        s_start, s_end = next(((a, b) for a, b in _clauses(text, _SENTENCE) if a <= ent.start_char < b),
                              (0, len(text)))
        clause = text[start:end].strip("，,。；;、 ")
        sentence = text[s_start:s_end]
        if _PAST.search(sentence) or not _PROMISE.search(sentence):
            continue
        if text[max(0, ent.start_char - 1):ent.start_char] in ("第", "前", "近"):
            continue  # 第24次会议, 前3名: an ordinal, not a quantity
        # the span was widened to whole jieba tokens; read the quantity itself from its pattern
        m = dict(_SPANS)[ent.label_].search(ent.text)
        if not m:
            continue
        number = re.match(r"\d+(?:\.\d+)?", m.group())
        found.append(Promise(clause, ent.label_, float(number.group()), m.group()[number.end():].strip(), m.group()))
    return found


_SAME_UNIT = {"名": "人", "位": "人", "人次": "人", "个": "家", "所": "家"}


def _unit_class(unit: str) -> str:
    unit = unit.rstrip("以上下内")
    return _SAME_UNIT.get(unit, unit)


def _matches(promise: Promise, row: Indicator) -> bool:
    v = row.value
    numbers = {n for n in (v.number, v.number_high) if n is not None}
    if promise.number not in numbers:
        return False
    if promise.label == "PERCENT":
        return v.kind == "percent"
    return not v.unit or _unit_class(v.unit) == _unit_class(promise.unit) or promise.unit in v.unit


def unmatched_promises(goal: str, rows: Sequence[Indicator]) -> list[Promise]:
    """Promises of the goal that no indicator carries (same number, compatible unit)."""
    result = []
    for promise in promises(goal):
        if not any(_matches(promise, r) for r in rows):
            result.append(promise)
    return result
