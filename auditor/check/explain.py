"""A rule explained as a reviewer reads it — what it checks, its message and suggestion, its fail and
pass examples in Chinese (each pass example noted: does it pass every row rule, or which reports it),
its basis — as plain data, for `auditor explain` and the web page alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..vocabulary import EXAMPLE_FIELD_LABELS, KIND_LABELS
from .examples import run_example
from .profile import Profile
from .rules import Rule

SCOPE_LABELS = {"row": "每条指标", "project": "每张项目表", "document": "整份文件", "pair": "本年与上年的同一项目",
                "batch": "一批文件中的不同单位"}


def explanation(rule: Rule, rules: Sequence[Rule], profile: Profile) -> dict[str, Any]:
    peers = [r for r in rules if r.scope == rule.scope and r is not rule and r.check != "model"]
    examples: dict[str, list[dict[str, str]]] = {}
    for outcome in ("fail", "pass"):
        examples[outcome] = [
            {"text": describe_example(example),
             "note": _pass_note(example, peers, profile) if outcome == "pass" else ""}
            for example in rule.examples.get(outcome) or []]
    return {"code": rule.code, "kind": rule.kind, "label": KIND_LABELS.get(rule.kind, rule.kind),
            "severity": rule.severity, "scope": SCOPE_LABELS[rule.scope], "description": rule.description or "",
            "message": rule.message, "suggestion": rule.suggestion, "suggestions": dict(rule.suggestions),
            "fail": examples["fail"], "pass": examples["pass"], "basis": rule.basis}


def _pass_note(example: Any, peers: Sequence[Rule], profile: Profile) -> str:
    """What a pass example passes: every rule on an indicator, or this one while others report it.
    A table's or a document's example only writes what its rule reads, so only this rule is meant."""
    if not peers or peers[0].scope != "row":
        return "（本规则不报；示例只写出与本规则有关的内容）"
    others = [r for r in peers if run_example(r, example, profile)]
    if not others:
        return "（其他逐条指标规则也都不报）"
    return f"（本规则不报；此例的问题由 {'、'.join(r.code for r in others)} 报告）"


def describe_example(example: Any) -> str:
    """An example as a reviewer reads it: Chinese labels, indicators as 二级 / 三级 / 指标值."""
    if isinstance(example, dict) and "level3" in example:
        platform = ("nature", "unit", "explanation")  # the platform's own cells, where the example prints them
        cells = "".join(f"（{EXAMPLE_FIELD_LABELS[k]}：{example[k] or '空'}）" for k in platform if k in example)
        return (f"{example.get('level2', '')} / {example.get('level3', '')} / {example.get('value', '') or '（空）'}"
                f"{cells}")
    if isinstance(example, dict):
        return "；".join(f"{EXAMPLE_FIELD_LABELS.get(k, k)}：{_describe_value(k, v)}" for k, v in example.items())
    return _describe_value("", example)


def _describe_value(key: str, value: Any) -> str:
    if key == "rows" and isinstance(value, list):
        return "，".join(" / ".join(str(c) for c in row) if isinstance(row, list) else _describe_value("", row)
                        for row in value)
    if isinstance(value, dict):
        return "{" + describe_example(value) + "}"
    if isinstance(value, list):
        return "、".join(_describe_value(key, v) for v in value)
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "（空）" if value is None else str(value)
