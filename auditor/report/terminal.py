"""The terminal summary of `auditor check`: per document, per table, most severe first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import click

from ..model import Finding
from .records import CheckedDocument, sort_findings

_COLOURS = {"错误": "red", "警告": "yellow", "提示": "cyan"}
_GRADE_COLOURS = {"优": "green", "良": "green", "中": "yellow", "差": "red"}


def _counts(findings: Sequence[Finding]) -> str:
    parts = []
    for severity in ("错误", "警告", "提示"):
        n = sum(1 for f in findings if f.severity == severity)
        parts.append(click.style(f"{severity} {n}", fg=_COLOURS[severity] if n else None))
    return "  ".join(parts)


def render(checked: Sequence[CheckedDocument], verbose: bool = False) -> str:
    lines: list[str] = []
    for c in checked:
        doc = c.document
        title = f"{doc.path}  {doc.unit or '（单位未识别）'} {doc.year or ''}"
        lines.append(click.style(title, bold=True))
        score = click.style(f"{c.score.score:g} 分（{c.score.grade}）", fg=_GRADE_COLOURS[c.score.grade], bold=True)
        lines.append(f"  总体得分 {score}   {_counts(c.findings)}")
        by_table: dict[str | None, list[Finding]] = defaultdict(list)
        for f in c.findings:
            by_table[f.project].append(f)
        if not doc.projects and not doc.overall:
            lines.append("  未找到绩效目标表")
        for table in [None, *c.table_scores]:
            findings = sort_findings(by_table.get(table, []))
            if table is None and not findings:
                continue
            if table is None:
                lines.append(click.style("  【全文】", bold=True))
            else:
                s = c.table_scores[table]
                lines.append(click.style(f"  【{table}】", bold=True) + f" {s.score:g} 分（{s.grade}）")
                if not findings:
                    lines.append("    未发现问题")
            for f in findings:
                where = f"第{f.location.line}行" if f.location.line else ""
                period = f"[{f.period}] " if f.period and f.level3 else ""
                tag = click.style(f"{f.severity} {f.rule}", fg=_COLOURS[f.severity], bold=True)
                lines.append(f"    {tag} {period}{f.message}  {click.style(where, dim=True)}")
                lines.append(f"          建议：{f.suggestion}")
                if verbose:
                    lines.append(click.style(f"          依据：{f.basis}", dim=True))
        lines.append("")
    total = [f for c in checked for f in c.findings]
    lines.append(f"共 {len(checked)} 个文件：{_counts(total)}")
    return "\n".join(lines)
