"""Profiles set the thresholds rules use (satisfaction floor, tolerances, where 成本 belongs, the
score's weights): one typed record with every default here, read from YAML and validated.

A profile is a YAML file: a built-in name (rules/profiles/<name>.yml) or a path; `extends`
inherits another profile and overrides only the keys it names.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..resources import rules_dir

CostAs = Literal["level1", "level2", "either"]
# 财预〔2020〕10号 附件: 产出 50 (数量 20, 质量 10, 时效 10, 成本 10), 效益 30, 满意度 10, 预算执行率 10
DEFAULT_SELFEVAL_WEIGHTS = {"数量指标": 20.0, "质量指标": 10.0, "时效指标": 10.0, "成本指标": 10.0,
                            "效益指标": 30.0, "满意度指标": 10.0}
SEVERITY_NAMES = ("错误", "警告", "提示")


class ProfileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Profile:
    name: str = "national"
    description: str = ""
    satisfaction_floor: float = 85.0  # a satisfaction target below this (%) is low
    cost_as: CostAs = "either"  # where 成本指标 belongs: a 一级, a 二级 under 产出, or either
    tolerance_yuan: float = 1.0  # funds arithmetic
    tolerance_ratio: float = 0.01  # cost vs budget, relative
    percent_tolerance_pp: float = 0.1  # percentages in the narrative vs the tables (points)
    amount_tolerance_wan: float = 0.01  # 万元 amounts in the narrative vs the tables
    cost_coverage_min: float = 0.3  # cost indicators below this share of the annual funds are incomplete
    goal_similarity: float = 0.8  # a goal this similar to another field copies it
    boilerplate_share: float = 0.75  # share of projects with the same vague value that makes it boilerplate
    boilerplate_min_tables: int = 4
    weights: dict[str, float] = field(default_factory=lambda: {"错误": 10.0, "警告": 4.0, "提示": 1.0})
    rule_cap: int = 3  # times one rule may cost points in one table
    # 自评表: the points every indicator's 分值 and the 预算执行率 add up to (0: not checked), and the
    # default 分值 of each group — 二级 for 产出, 一级 for 效益 and 满意度 (empty: not checked)
    selfeval_weight_total: float = 100.0
    selfeval_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SELFEVAL_WEIGHTS))
    # comparisons: funds changed by more than this share while the targets were copied; names (years
    # removed) this similar are the same project or indicator; projects of different units this similar
    # (Jaccard over indicator rows and goal phrases) are reported as one group, if they have enough rows
    compare_funds_change: float = 0.2
    compare_name_similarity: float = 0.8
    unit_similarity: float = 0.8
    unit_similarity_min_rows: int = 4

    def threshold(self, key: str) -> float:
        """A number a rule names by key (`number_lt: satisfaction_floor`)."""
        if key not in NUMERIC_KEYS:
            raise KeyError(key)
        return float(getattr(self, key))

    def explain_scores(self) -> str:
        """How scores are made under this profile, in the words the reports print."""
        w = {k: f"{v:g}" for k, v in self.weights.items()}
        return (f"每张表 100 分，每条问题按严重程度扣分（错误 {w['错误']}、警告 {w['警告']}、提示 {w['提示']}，"
                f"同一规则每表最多扣 {self.rule_cap} 次）；文件得分为各表平均分减去全文级问题的扣分。"
                "等级：≥90 优，80–89 良，60–79 中，<60 差。")


FIELDS = {f.name: f for f in dataclasses.fields(Profile)}
NUMERIC_KEYS = frozenset(n for n, f in FIELDS.items() if f.type in ("float", "int"))


def available_profiles() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "profiles").glob("*.yml"))


def _read(name_or_path: str, depth: int) -> tuple[dict[str, Any], Path]:
    import yaml

    from .rules import safe_load_yaml

    path = Path(name_or_path)
    if not (path.suffix in (".yml", ".yaml") and path.exists()):
        path = rules_dir() / "profiles" / f"{name_or_path}.yml"
    if not path.exists():
        known = ", ".join(available_profiles())
        raise ProfileError(f"找不到审核口径 {name_or_path}（可用：{known}，或给出 YAML 文件路径）")
    try:
        data = safe_load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: 不是有效的 YAML（{exc}）") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: 口径文件应为键值对")
    parent = data.pop("extends", None)
    if parent:
        if depth >= 5:
            raise ProfileError(f"{path}: extends 嵌套过深（可能循环引用）")
        base, _ = _read(str(parent), depth + 1)
        data = {**base, **data}
    data.setdefault("name", path.stem)
    return data, path


def _checked(key: str, value: Any, path: Path) -> Any:
    kind = FIELDS[key].type
    if kind in ("float", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(f"{path}: {key} 应为数字，而不是 {value!r}")
        return int(value) if kind == "int" else float(value)
    if key == "cost_as" and value not in ("level1", "level2", "either"):
        raise ProfileError(f"{path}: cost_as 应为 level1、level2 或 either，而不是 {value!r}")
    if key == "weights":
        if not isinstance(value, dict) or set(value) != set(SEVERITY_NAMES) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
            raise ProfileError(f"{path}: weights 应为 {{错误: 数字, 警告: 数字, 提示: 数字}}")
        return {k: float(v) for k, v in value.items()}
    if key == "selfeval_weights":
        groups = set(DEFAULT_SELFEVAL_WEIGHTS)
        if not isinstance(value, dict) or not set(value) <= groups or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
            raise ProfileError(f"{path}: selfeval_weights 应为 {{{'、'.join(groups)} 中的类别: 分值}}（空表示不检查）")
        return {k: float(v) for k, v in value.items()}
    return str(value)


def load_profile(name_or_path: str = "national") -> Profile:
    """A validated profile; ProfileError names the file and the key when something is wrong."""
    data, path = _read(name_or_path, 0)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ProfileError(f"{path}: 未知的口径项 {', '.join(unknown)}（可用：{', '.join(FIELDS)}）")
    return Profile(**{k: _checked(k, v, path) for k, v in data.items()})
