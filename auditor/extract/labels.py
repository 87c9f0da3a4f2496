"""The vocabulary of indicator levels: printed spellings → one canonical spelling each."""

from __future__ import annotations

import re

from ..textnorm import normalise

OUTPUT, BENEFIT, SATISFACTION, COST = "产出指标", "效益指标", "满意度指标", "成本指标"

# canonical 二级 → the 一级 it belongs to
LEVEL2_PARENT: dict[str, str] = {
    "数量指标": OUTPUT,
    "质量指标": OUTPUT,
    "时效指标": OUTPUT,
    "成本指标": OUTPUT,  # Shanxi template: 成本 is a 二级 under 产出; 101号 makes it a 一级 (below)
    "经济效益": BENEFIT,
    "社会效益": BENEFIT,
    "生态效益": BENEFIT,
    "可持续影响": BENEFIT,
    "服务对象满意度": SATISFACTION,
    "经济成本指标": COST,
    "社会成本指标": COST,
    "生态环境成本指标": COST,
}
COST_SUBCATEGORIES = frozenset({"经济成本指标", "社会成本指标", "生态环境成本指标"})

_LEVEL2_SPELLINGS: dict[str, str] = {
    "数量": "数量指标", "数量指标": "数量指标",
    "质量": "质量指标", "质量指标": "质量指标",
    "时效": "时效指标", "时效指标": "时效指标", "时效性指标": "时效指标",
    "成本": "成本指标", "成本指标": "成本指标",
    "经济效益": "经济效益", "经济效益指标": "经济效益",
    "社会效益": "社会效益", "社会效益指标": "社会效益",
    "生态效益": "生态效益", "生态效益指标": "生态效益",
    "可持续影响": "可持续影响", "可持续影响指标": "可持续影响", "可持续性影响": "可持续影响",
    "可持续性影响指标": "可持续影响", "可持续发展影响": "可持续影响", "可持续发展影响指标": "可持续影响",
    "服务对象满意度": "服务对象满意度", "服务对象满意度指标": "服务对象满意度",
    "经济成本": "经济成本指标", "经济成本指标": "经济成本指标",
    "社会成本": "社会成本指标", "社会成本指标": "社会成本指标",
    "生态环境成本": "生态环境成本指标", "生态环境成本指标": "生态环境成本指标",
}

_LEVEL1_SPELLINGS: dict[str, str] = {
    "产出指标": OUTPUT, "产出": OUTPUT,
    "效益指标": BENEFIT, "效益": BENEFIT, "可持续发展指标": BENEFIT,
    "满意度指标": SATISFACTION, "满意度": SATISFACTION,
    "成本指标": COST, "成本": COST,
}

# first cells of the grid that only name the block ("绩效指标", "年度绩效指标")
GRID_ROW_LABELS = frozenset({"绩效指标", "年度绩效指标", "实施期绩效指标", "绩效目标指标", "年度指标", "指标"})
HEADER_WORDS = frozenset({"一级指标", "二级指标", "三级指标", "指标值", "指标名称", "目标值", "绩效指标值",
                          "年度指标值", "实施期指标值", "指标内容"})

_TRAILING_COLON = re.compile(r"[:：]$")


def key(text: str) -> str:
    return _TRAILING_COLON.sub("", normalise(text))


def level2_of(text: str) -> str | None:
    """Canonical 二级 spelling of a printed label, or None when it is not a 二级 label."""
    return _LEVEL2_SPELLINGS.get(key(text))


def level1_of(text: str) -> str | None:
    """Canonical 一级 spelling of a printed label, or None."""
    return _LEVEL1_SPELLINGS.get(key(text))


def parent_of(level2: str | None, cost_is_level1: bool = False) -> str | None:
    if level2 is None:
        return None
    if level2 == "成本指标" and cost_is_level1:
        return COST
    return LEVEL2_PARENT.get(level2)
