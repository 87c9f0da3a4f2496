"""The domain's words, in one place: indicator levels and their printed spellings, the 二级
categories and their parents, funding sources, table labels, and the Chinese names of finding
kinds. Every stage (extractor, rules, reports, template, classifier) takes them from here."""

from __future__ import annotations

import re

from .textnorm import normalise

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


# the 二级 categories a project table's indicators are filed under (the classifier's classes)
CATEGORIES = ("数量指标", "质量指标", "时效指标", "成本指标", "经济效益", "社会效益", "生态效益", "可持续影响",
              "服务对象满意度")


def categories_under(level1: str | None) -> tuple[str, ...]:
    """The categories a row printed under this 一级 can belong to (成本指标 under 产出 or as its own 一级);
    every category when the 一级 is unknown. A reviewer reads a row's 二级 within its block first; the
    category model does too, and speaks across blocks only when sure."""
    if level1 == COST:
        return ("成本指标",)
    under = tuple(c for c in CATEGORIES if LEVEL2_PARENT[c] == level1)
    return under or CATEGORIES


# funding sources of a project table, in print order (keys of Funds.period_sources / annual_sources)
FUNDING_SOURCES = ("中央", "省级", "市县", "自筹", "其他")

# the name findings and scores give a 部门(单位)整体支出绩效目标表, which has no project name
OVERALL_TABLE = "（整体支出绩效目标表）"

# every finding kind a rule may report, with the name a person reads (reports, charts, `auditor rules`)
KIND_LABELS: dict[str, str] = {
    "vague_value": "指标值含糊", "doubled_value": "指标值叠字", "yes_no_value": "指标值只写是/否",
    "empty_value": "指标值为空", "placeholder_value": "指标值为占位符", "generic_name": "指标名称笼统",
    "missing_level1": "缺少一级指标", "missing_cost": "缺少成本指标", "missing_output_dimension": "缺少产出指标维度",
    "missing_benefit": "缺少效益指标", "timeliness_no_deadline": "时效指标没有时限", "bad_time_token": "时限写法有误",
    "cost_wrong_direction": "成本上限写成下限", "cost_exceeds_budget": "成本超过预算",
    "cost_restates_budget": "成本照抄预算总额", "cost_incomplete": "成本指标不完整", "not_a_cost": "不是成本指标",
    "cost_qualitative": "成本指标没有金额", "quantity_in_money": "数量指标写成金额",
    "quantity_as_rate": "数量指标写成比率", "unit_mismatch": "计量单位不符", "missing_unit": "缺少计量单位",
    "impossible_percent": "百分比不合理", "conservative_rate": "目标值偏保守",
    "satisfaction_not_numeric": "满意度没有数值", "satisfaction_low": "满意度目标偏低",
    "satisfaction_wrong_respondent": "满意度调查对象不当", "misplaced_indicator": "指标归类错误",
    "duplicate_indicator": "指标重复", "duplicate_table": "同一张表重复", "table_fragment": "缺少表头的残表",
    "goal_copies_field": "总体目标照抄其他字段", "goal_input_only": "总体目标只写投入",
    "goal_indicator_mismatch": "总体目标与指标不符", "funds_sources_mismatch": "资金来源合计不符",
    "period_annual_mismatch": "实施期与年度不符", "year_mismatch": "年度不符",
    "declared_count_mismatch": "说明中的项目数与附表不符", "declared_amount_mismatch": "说明中的金额与附表不符",
    "declared_percent_mismatch": "说明中的比例与附表不符", "overall_unbalanced": "整体表收支不平衡",
    "overall_budget_mismatch": "整体表与预算不符", "boilerplate_values": "各项目套用相同内容",
    "selfeval_score_exceeds_weight": "自评得分超过分值", "selfeval_total_mismatch": "自评总分与各项不符",
    "selfeval_grade_mismatch": "自评等级与得分不符", "selfeval_unmet_full_marks": "未完成仍得满分",
    "selfeval_met_but_deducted": "已完成却扣分", "selfeval_no_deviation_reason": "缺少偏差原因",
    "selfeval_vague_result": "完成值含糊", "selfeval_execution_rate": "执行率与执行数不符",
    "selfeval_unfilled_scored": "未填报仍得分", "timeliness_as_rate": "时效指标写成比率",
    "platform_forbidden_character": "指标值含有系统不接受的字符", "range_value": "指标值写成区间",
    "name_too_long": "指标名称过长", "unit_cell_blank": "计量单位栏为空",
    "other_quantity_unexplained": "定量（其他）未写指标解释", "selfeval_weights_total": "自评分值合计不符",
    "selfeval_default_weights": "自评分值与默认权重不同",
    # comparisons across years and units (年度对比, 相似填报)
    "year_copied": "照搬上年目标", "target_lowered": "目标值降低", "indicator_dropped": "删去上年指标",
    "indicator_added": "新增指标", "shortfall_unaddressed": "上年未完成未改进",
    "copied_between_units": "不同单位填报雷同",
}
FINDING_KINDS = frozenset(KIND_LABELS)

# Kinds that say a target value cannot be checked at year end: a concrete value (from the project's own
# text, or what similar projects use) fixes them; and kinds that say a table lacks an indicator
VALUE_FIX_KINDS = frozenset({"vague_value", "yes_no_value", "timeliness_no_deadline", "satisfaction_not_numeric",
                             "cost_qualitative", "empty_value", "placeholder_value", "bad_time_token",
                             "timeliness_as_rate"})
MISSING_KINDS = frozenset({"missing_cost", "missing_output_dimension", "missing_benefit", "missing_level1"})

# Kinds that say an indicator is filed under the wrong 二级 (the model's ML02 says nothing more on a
# row one of them already reports)
MISFILING_KINDS = frozenset({"misplaced_indicator", "quantity_in_money", "quantity_as_rate", "not_a_cost"})

# Kinds that only echo another finding on the same indicator (a doubled 是是 beside the verdict on
# 是): a summary folds them into that finding instead of listing them twice.
ECHO_KINDS = frozenset({"doubled_value"})

VALUE_KIND_LABELS = {"quantity": "数量", "percent": "百分比", "money": "金额", "deadline": "时限", "duration": "时长",
                     "qualitative": "定性", "yesno": "是否", "empty": "空"}

# money units and their worth in 元 (document figures are printed in 万元, table funds in 元)
MONEY_SCALES = {"元": 1.0, "万元": 1e4, "亿元": 1e8, "千元": 1e3, "百万元": 1e6, "万": 1e4, "亿": 1e8,
                "千万元": 1e7, "千万": 1e7}


def money_to_yuan(amount: float | None, unit: str) -> float | None:
    """An amount printed in `unit`, in 元."""
    if amount is None:
        return None
    return amount * MONEY_SCALES.get(unit, 1.0)


# The fields of the rules' examples (rules/core/*.yml) as `auditor explain` names them.
EXAMPLE_FIELD_LABELS = {
    "annual_goal": "年度目标", "annual_sources": "年度资金来源", "annual_total": "年度资金",
    "attribute": "项目属性", "basic_wan": "基本支出（万元）", "budget": "预算数",
    "budget_total_wan": "预算总额（万元）",
    "by_type": "按项目类型", "declared": "文字说明", "duplicates": "重复印刷", "duration": "项目期",
    "executed": "执行数", "execution_points": "执行得分", "execution_rate": "执行率", "filled_on": "填报日期",
    "fragments": "残表", "funds": "资金", "goal_annual": "年度总体目标", "goal_period": "实施期总体目标",
    "level2": "二级指标", "level3": "三级指标", "name": "名称", "overall": "整体支出表",
    "overall_target_tables": "附整体绩效目标表", "overview": "项目概况", "percent": "占比",
    "period_sources": "实施期资金来源", "period_total": "实施期资金", "project_amount_wan": "项目金额（万元）",
    "project_count": "项目个数", "project_wan": "项目支出（万元）", "projects": "项目", "published_count": "公开项目数",
    "rows": "指标", "score": "得分", "self_evaluation": "绩效自评表", "total_wan": "支出总额（万元）",
    "value": "指标值", "nature": "指标性质", "unit": "计量单位", "explanation": "指标解释", "old": "上年",
    "new": "本年", "units": "各单位", "plan": "实施计划",
}


# 计算符号 / 指标性质 codes of the platform's export → the sign they put before a number ("" for none)
SIGN_CODES: dict[str, str] = {
    "≥": "≥", ">=": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥", "正向": "≥", "正向指标": "≥",
    "≤": "≤", "<=": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "反向": "≤", "反向指标": "≤",
    "=": "=", "＝": "=", "等于": "=", ">": ">", "大于": ">", "<": "<", "小于": "<",
    "定性": "", "定量": "", "定量(其他)": "", "定量(其它)": "", "不适用": "", "其他": "", "区间": "",
}
_QUALITATIVE, _NOT_APPLICABLE, _OTHER = ("定性",), ("不适用",), ("定量(其他)", "定量(其它)", "其他", "其它")


def nature_of(nature: str, sign: str = "") -> str:
    """The 指标性质 a row's cells state: 定性, 不适用, 定量(其他) or 定量 (a comparator code is
    定量), "" when they state none."""
    for cell in (nature, sign):
        code = normalise(cell)
        if not code:
            continue
        if code in _QUALITATIVE:
            return "定性"
        if code in _NOT_APPLICABLE:
            return "不适用"
        if code in _OTHER:
            return "定量(其他)"
        if code == "定量" or SIGN_CODES.get(code):
            return "定量"
    return ""
