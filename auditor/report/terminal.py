"""The terminal summary of `auditor check`: the verdict and what to fix first, then per table.

A self-check is read top-down by someone who wants to know how bad it is and where to start: the
score, the counts and the few most serious findings come first. Below, each table's findings, most
severe first; a finding that only echoes another on the same indicator (a doubled 是是 beside the
verdict on 是) is folded into it, and one suggestion shared by a run of findings is said once.
`verbose` lists every finding on its own, with its suggestion and basis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import click

from ..model import SEVERITY_ORDER, Finding
from ..vocabulary import KIND_LABELS
from .records import CheckedDocument, fix_first, fold_echoes, severity_counts, sort_findings

_COLOURS = {"错误": "red", "警告": "yellow", "提示": "cyan"}
_GRADE_COLOURS = {"优": "green", "良": "green", "中": "yellow", "差": "red"}


def _counts(findings: Sequence[Finding]) -> str:
    parts = []
    for severity, n in severity_counts(findings).items():
        parts.append(click.style(f"{severity} {n}", fg=_COLOURS[severity] if n else None))
    return "  ".join(parts)


def _tag(f: Finding) -> str:
    return click.style(f"{f.severity} {f.rule}", fg=_COLOURS[f.severity], bold=True)


def _where(f: Finding) -> str:
    place = f"第{f.location.line}行" if f.location.line else ""
    if f.location.where and f.location.where not in place:
        place = f"{f.location.where} {place}".strip()
    return click.style(place, dim=True)


def _period(f: Finding) -> str:
    return f"[{f.period}] " if f.period and f.level3 else ""


def _message(f: Finding, echoes: Sequence[Finding]) -> str:
    extra = "".join(f"（原文“{e.value}”，{KIND_LABELS.get(e.kind, e.kind)}）" for e in echoes)
    return f"{_period(f)}{f.message}{extra}"


def _header(c: CheckedDocument) -> list[str]:
    doc = c.document
    title = f"{doc.path}  {doc.unit or '（单位未识别）'} {doc.year or ''}".rstrip()
    cached = click.style("  （结果来自缓存：文件、规则和选项均未变）", dim=True) if c.cached else ""
    lines = [click.style(title, bold=True) + cached]
    if not doc.projects and not doc.overall:
        lines.append("  未找到绩效目标表")
        return lines
    score = click.style(f"{c.score.score:g} 分（{c.score.grade}）", fg=_GRADE_COLOURS[c.score.grade], bold=True)
    tables = f"{len(doc.projects)} 个项目" + (f"、{len(doc.overall)} 张整体表" if doc.overall else "")
    lines.append(f"  总体得分 {score}   {_counts(c.findings)}   （{tables}）")
    if c.suppressed:
        lines.append(f"  按上次审核意见排除误报 {len(c.suppressed)} 条")
    return lines


def _fix_first(c: CheckedDocument) -> list[str]:
    first = fix_first(c.findings)
    if not first:
        return []
    lines = [click.style(f"  先改这些（最严重的 {len(first)} 个）：", bold=True)]
    for n, f in enumerate(first, start=1):
        table = f"【{f.project}】" if f.project else "【全文】"
        lines.append(f"    {n}. {_tag(f)} {table}{_period(f)}{f.message}  {_where(f)}")
    return lines


def _table_lines(findings: Sequence[Finding], verbose: bool) -> list[str]:
    lines: list[str] = []
    if verbose:
        for f in sort_findings(findings):
            lines.append(f"    {_tag(f)} {_period(f)}{f.message}  {_where(f)}")
            lines.append(f"          建议：{f.suggestion}")
            lines.append(click.style(f"          依据：{f.basis}", dim=True))
        return lines
    folded = fold_echoes(findings)
    for i, (f, echoes) in enumerate(folded):
        lines.append(f"    {_tag(f)} {_message(f, echoes)}  {_where(f)}")
        following = folded[i + 1][0] if i + 1 < len(folded) else None
        if following is None or following.suggestion != f.suggestion:
            lines.append(f"          建议：{f.suggestion}")
    return lines


def _grouped(findings: Sequence[Finding]) -> list[Finding]:
    """Most severe first; within a severity, one rule's findings together (their shared suggestion is
    then said once), in document order."""
    order = {f.rule: i for i, f in enumerate(sort_findings(findings))}
    return sorted(sort_findings(findings), key=lambda f: (-SEVERITY_ORDER[f.severity], order[f.rule]))


def render(checked: Sequence[CheckedDocument], verbose: bool = False) -> str:
    lines: list[str] = []
    for c in checked:
        lines.extend(_header(c))
        lines.extend(_fix_first(c))
        by_table: dict[str | None, list[Finding]] = defaultdict(list)
        for f in c.findings:
            by_table[f.project].append(f)
        if c.findings and not verbose:
            lines.append(click.style("  逐项（-v 列出全部问题及依据）：", dim=True))
        for table in [None, *c.table_scores]:
            findings = by_table.get(table, [])
            if table is None and not findings:
                continue
            if table is None:
                lines.append(click.style("  【全文】", bold=True) + f"  {_counts(findings)}")
            else:
                s = c.table_scores[table]
                lines.append(click.style(f"  【{table}】", bold=True) + f" {s.score:g} 分（{s.grade}）"
                             + (f"  {_counts(findings)}" if findings else "  未发现问题"))
            lines.extend(_table_lines(findings if verbose else _grouped(findings), verbose))
        lines.append("")
    total = [f for c in checked for f in c.findings]
    lines.append(f"共 {len(checked)} 个文件：{_counts(total)}")
    return "\n".join(lines)
