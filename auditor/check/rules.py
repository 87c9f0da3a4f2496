"""Rule packs as data: load the YAML files under rules/, validate them, select by code.

A rule names its finding `kind`, its `scope` (row, project or document) and its `check`: for row
rules the generic `match` (conditions on the row, see conditions.py), otherwise one of the named
Python checks in project_checks.py / document_checks.py. Everything a user reads — message,
suggestion, basis, examples — lives in the YAML.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..resources import rules_dir

FINDING_KINDS = frozenset("""
vague_value doubled_value yes_no_value empty_value placeholder_value generic_name missing_level1
missing_cost missing_output_dimension missing_benefit timeliness_no_deadline bad_time_token
cost_wrong_direction cost_exceeds_budget cost_restates_budget cost_incomplete not_a_cost
cost_qualitative quantity_in_money quantity_as_rate unit_mismatch missing_unit impossible_percent
conservative_rate satisfaction_not_numeric satisfaction_low satisfaction_wrong_respondent
misplaced_indicator duplicate_indicator duplicate_table table_fragment goal_copies_field
goal_input_only goal_indicator_mismatch funds_sources_mismatch period_annual_mismatch year_mismatch
declared_count_mismatch declared_amount_mismatch declared_percent_mismatch overall_unbalanced
overall_budget_mismatch boilerplate_values
selfeval_score_exceeds_weight selfeval_total_mismatch selfeval_grade_mismatch selfeval_unmet_full_marks
selfeval_met_but_deducted selfeval_no_deviation_reason selfeval_vague_result selfeval_execution_rate
selfeval_unfilled_scored
""".split())
SEVERITIES = ("错误", "警告", "提示")
SCOPES = ("row", "project", "document")
_CODE = re.compile(r"^[A-Z]{1,3}\d{2}$")


class RuleError(ValueError):
    """A rule pack that does not follow the schema (names the file and the rule)."""


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    kind: str
    severity: str
    scope: str
    check: str
    message: str
    suggestion: str
    basis: str
    description: str = ""
    when: dict[str, Any] = field(default_factory=dict)
    test: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)  # per 二级, overriding `suggestion`
    examples: dict[str, list[Any]] = field(default_factory=dict)
    group: str = ""
    pack: str = ""

    def suggestion_for(self, level2: str | None) -> str:
        return self.suggestions.get(level2 or "", self.suggestion)


_REQUIRED = ("code", "name", "kind", "severity", "scope", "check", "message", "suggestion", "basis")


def _rule_from(data: dict[str, Any], source: Path, group: str, pack: str) -> Rule:
    where = f"{source}: {data.get('code', '?')}"
    missing = [k for k in _REQUIRED if not data.get(k)]
    if missing:
        raise RuleError(f"{where}: 缺少字段 {', '.join(missing)}")
    unknown = set(data) - {*_REQUIRED, "description", "when", "test", "params", "suggestions", "examples"}
    if unknown:
        raise RuleError(f"{where}: 未知字段 {', '.join(sorted(unknown))}")
    if not _CODE.match(data["code"]):
        raise RuleError(f"{where}: 规则代码格式应为字母加两位数字")
    if data["kind"] not in FINDING_KINDS:
        raise RuleError(f"{where}: 未知的问题类型 {data['kind']}")
    if data["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: 严重程度应为 {'/'.join(SEVERITIES)}")
    if data["scope"] not in SCOPES:
        raise RuleError(f"{where}: scope 应为 {'/'.join(SCOPES)}")
    return Rule(
        code=data["code"], name=data["name"], kind=data["kind"], severity=data["severity"], scope=data["scope"],
        check=data["check"], message=data["message"].strip(), suggestion=data["suggestion"].strip(),
        basis=data["basis"].strip(), description=(data.get("description") or "").strip(),
        when=data.get("when") or {}, test=data.get("test") or {}, params=data.get("params") or {},
        suggestions=data.get("suggestions") or {}, examples=data.get("examples") or {}, group=group, pack=pack,
    )


@lru_cache(maxsize=8)
def load_rules(directory: str | None = None) -> tuple[Rule, ...]:
    """Every rule of every pack under rules/<pack>/*.yml, in code order; codes are unique."""
    base = Path(directory) if directory else rules_dir()
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in sorted(base.glob("*/*.yml")):
        if path.parent.name in ("profiles", "lexicon"):
            continue
        data = safe_load_yaml(path.read_text(encoding="utf-8")) or {}
        group = data.get("group", path.stem)
        for item in data.get("rules") or []:
            rule = _rule_from(item, path, group, path.parent.name)
            if rule.code in seen:
                raise RuleError(f"{path}: 规则代码 {rule.code} 与 {seen[rule.code]} 重复")
            seen[rule.code] = path
            rules.append(rule)
    if not rules:
        raise RuleError(f"{base}: 没有找到规则包")
    return tuple(sorted(rules, key=lambda r: (r.code[0], int(r.code[1:]) if r.code[1:].isdigit() else 0, r.code)))


def safe_load_yaml(text: str) -> Any:
    """YAML through libyaml's safe loader when present (several times faster), else PyYAML's."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def select_rules(rules: tuple[Rule, ...], select: str | None = None, ignore: str | None = None) -> list[Rule]:
    """--select/--ignore: comma-separated codes, globs (V0*) or finding kinds."""

    def matches(rule: Rule, patterns: list[str]) -> bool:
        return any(fnmatch.fnmatch(rule.code, p) or p == rule.kind or p == rule.name for p in patterns)

    chosen = list(rules)
    if select:
        patterns = [p.strip() for p in select.split(",") if p.strip()]
        chosen = [r for r in chosen if matches(r, patterns)]
    if ignore:
        patterns = [p.strip() for p in ignore.split(",") if p.strip()]
        chosen = [r for r in chosen if not matches(r, patterns)]
    return chosen


@lru_cache(maxsize=4)
def load_lexicon(directory: str | None = None) -> dict[str, Any]:
    """Named word lists (rules/lexicon/*.yml) that rules refer to by name."""
    base = Path(directory) if directory else rules_dir()
    lexicon: dict[str, Any] = {}
    for path in sorted((base / "lexicon").glob("*.yml")):
        lexicon.update(safe_load_yaml(path.read_text(encoding="utf-8")) or {})
    return lexicon
