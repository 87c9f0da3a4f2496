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
from ..vocabulary import FINDING_KINDS

SEVERITIES = ("错误", "警告", "提示")
SCOPES = ("row", "project", "document", "pair", "batch")  # pair: a project and its earlier year; batch: across units
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
    source: str = ""  # the YAML file, and the line the rule starts on: where a pack's mistake is
    line: int = 0

    def suggestion_for(self, level2: str | None) -> str:
        return self.suggestions.get(level2 or "", self.suggestion)


_REQUIRED = ("code", "name", "kind", "severity", "scope", "check", "message", "suggestion", "basis")


def _rule_from(data: dict[str, Any], source: Path, group: str, pack: str, line: int = 0) -> Rule:
    where = f"{source}:{line}: 规则 {data.get('code', '?')}" if line else f"{source}: {data.get('code', '?')}"
    if not isinstance(data, dict):
        raise RuleError(f"{where}: 每条规则应是键值对（code、name、kind……）")
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
        source=str(source), line=line,
    )


def pack_files(base: Path) -> list[Path]:
    """The rule files of a folder: rules/<pack>/*.yml, or a user's folder of *.yml (and its subfolders)."""
    files = sorted(base.glob("*.yml")) + sorted(base.glob("*/*.yml"))
    return [f for f in files if f.parent.name not in ("profiles", "lexicon") and f.name != "profile.yml"]


def read_pack(path: Path) -> list[Rule]:
    """The rules of one file, each knowing the line it starts on."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        data = safe_load_yaml(text) or {}
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: 无法读取规则文件（{exc}）") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise RuleError(f"{where}: 不是有效的 YAML（{getattr(exc, 'problem', None) or exc}）") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules") or [], list):
        raise RuleError(f"{path}: 规则文件应有 rules: 列表")
    lines: list[int] = []
    for key, value in (node.value if node is not None and hasattr(node, "value") else []):
        if getattr(key, "value", None) == "rules" and isinstance(value.value, list):
            lines = [item.start_mark.line + 1 for item in value.value]
    group = data.get("group", path.stem)
    return [_rule_from(item, path, group, path.parent.name, lines[i] if i < len(lines) else 0)
            for i, item in enumerate(data.get("rules") or [])]


@lru_cache(maxsize=8)
def load_rules(directory: str | None = None, extra: str | None = None) -> tuple[Rule, ...]:
    """Every rule of every pack under rules/<pack>/*.yml (and of the user's folder `extra`), in code
    order; codes are unique across all of them."""
    base = Path(directory) if directory else rules_dir()
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    folders = [base] + ([Path(extra)] if extra else [])
    if extra and not Path(extra).is_dir():
        raise RuleError(f"{extra}: 规则文件夹不存在")
    for folder in folders:
        files = pack_files(folder)
        if folder is not base and not files:
            raise RuleError(f"{folder}: 文件夹中没有规则文件（*.yml）")
        for path in files:
            for rule in read_pack(path):
                if rule.code in seen:
                    raise RuleError(f"{rule.source}:{rule.line}: 规则代码 {rule.code} 与 {seen[rule.code]} 重复")
                seen[rule.code] = f"{rule.source}:{rule.line}"
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
