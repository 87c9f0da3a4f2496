"""What every extraction must satisfy, whatever the input (checked by the tests and the fuzzer)."""

from __future__ import annotations

import math

from .model import Document, Indicator


def violations(doc: Document) -> list[str]:
    problems: list[str] = []
    last = doc.line_count

    def row(r: Indicator, where: str) -> None:
        v = r.value
        for name in ("number", "number_high", "yuan", "annual_yuan"):
            x = getattr(v, name)
            if x is not None and not math.isfinite(x):
                problems.append(f"{where}: {name} 不是有限数 {x!r}")
        if not (0 < r.line <= max(last, 1)):
            problems.append(f"{where}: 行号 {r.line} 超出 1–{last}")
        if r.period not in ("实施期", "年度"):
            problems.append(f"{where}: 期间 {r.period!r}")

    for p in doc.projects:
        if not p.name:
            problems.append("项目没有名称")
        for r in (*p.indicators, *p.annual_indicators):
            row(r, p.name)
        if not (0 < p.line_start <= p.line_end <= max(last, 1)):
            problems.append(f"{p.name}: 行范围 {p.line_start}–{p.line_end}")
    for o in doc.overall:
        for r in o.indicators:
            row(r, "整体表")
    for f in doc.fragments:
        for r in f.indicators:
            row(r, "残表")
    return problems
