"""The columns of an indicator grid, read from its header's meaning rather than its position.

Disclosures name the same column many ways (三级指标 / 指标名称 / 指标内容; 指标值 / 目标值 /
年度指标值; 计算符号 / 运算符号; 指标性质 / 指标值类型; 计量单位 / 度量单位; 分值 / 权重; 备注 /
指标解释) and print one column set or two (实施期 + 年度 side by side). A `ColumnMap` says which
column holds what, how many sets there are, and joins a sign, a number and a unit printed in
separate cells into one value (the national budget platform's export); `entry_of` keeps what
those cells said for the platform's own entry checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Entry
from ..textnorm import normalise
from ..vocabulary import SIGN_CODES, nature_of

ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标名称", "指标内容", "绩效指标名称", "三级指标名称", "具体指标"),
    "value": ("指标值", "目标值", "绩效指标值", "年度指标值", "实施期指标值", "指标值(年度)", "指标值(实施期)",
              "年度目标值", "实施期目标值", "预期目标值", "绩效目标值"),
    "sign": ("计算符号", "运算符号", "比较符", "指标方向", "符号"),
    # 定量 / 定性 / 定量（其他） / 不适用; many exports put the sign codes (≥, 大于等于) here instead
    "nature": ("指标性质", "性质", "指标值类型", "指标类型", "指标值性质"),
    "unit": ("计量单位", "度量单位"),
    "weight": ("分值", "权重", "指标分值", "权重(%)", "分值(%)"),
    "remark": ("指标解释", "备注", "指标值说明", "指标说明", "评(扣)分标准", "指标值确定依据"),
}
_ROLE_OF = {normalise(name): role for role, names in ROLE_SYNONYMS.items() for name in names}
BLOCK_LABEL = "绩效指标"  # the merged first column of a grid; a 三级 header only where no other is

def entry_of(sign: str | None, nature: str | None, unit: str | None, explanation: str | None) -> Entry | None:
    """The platform cells of one row (None for a column the layout does not have), or None when
    the layout prints none of them."""
    if sign is None and nature is None and unit is None and explanation is None:
        return None
    return Entry(nature=nature_of(nature or "", sign or "") if sign is not None or nature is not None else None,
                 unit=unit.strip() if unit is not None else None,
                 explanation=explanation.strip() if explanation is not None else None)


_HEADER_NOTE = re.compile(r"\([^()]*\)$")  # 指标值（包含数字及文字描述）, 分值（分）: a note after the name


@lru_cache(maxsize=16384)
def role_of(cell: str) -> str | None:
    """The column role a header cell names, or None; a note in brackets after a known name is
    read past (a bracket the synonyms list, such as 指标值（年度）, keeps its own meaning)."""
    if len(cell) > 24:
        return None
    key = normalise(cell).rstrip(":")
    role = _ROLE_OF.get(key)
    if role is None and (bare := _HEADER_NOTE.sub("", key)) != key:
        role = _ROLE_OF.get(bare.rstrip(":"))
    return role


def is_sign_code(cell: str) -> bool:
    return normalise(cell) in SIGN_CODES


@dataclass(frozen=True, slots=True)
class ColumnSet:
    """The columns of one set (实施期 or 年度): index of each role, None where the set has none."""

    level1: int | None = None
    level2: int | None = None
    level3: int | None = None
    value: int | None = None
    sign: int | None = None
    nature: int | None = None
    unit: int | None = None
    weight: int | None = None
    remark: int | None = None
    period: str | None = None  # "年度" / "实施期" when the header says so


@dataclass(frozen=True, slots=True)
class ColumnMap:
    sets: tuple[ColumnSet, ...]
    width: int  # cells in the header row

    @property
    def extras(self) -> bool:
        """Columns beyond 一级/二级/三级/指标值: the free search over cells cannot place them."""
        return any(s.sign is not None or s.nature is not None or s.unit is not None or s.weight is not None
                   or s.remark is not None for s in self.sets)

    @classmethod
    def from_header(cls, cells: list[str]) -> ColumnMap | None:
        """Read a grid header row (all its cells, empty ones included); None when it is not one."""
        roles = [role_of(c) for c in cells]
        if BLOCK_LABEL in (normalise(c) for c in cells) and "level3" not in roles:
            at = [normalise(c) for c in cells].index(BLOCK_LABEL)
            if "level2" in roles[:at]:
                roles[at] = "level3"  # 一级 | 二级 | 绩效指标 | 指标值: here it names the 三级 column
        if roles.count("value") == 0 or roles.count("level3") == 0:
            return None
        sets: list[dict[str, int | str | None]] = []
        current: dict[str, int | str | None] = {}
        for index, role in enumerate(roles):
            if role is None:
                continue
            if (role in current and role != "level1") or (role in ("level2", "level3") and "value" in current):
                sets.append(current)  # a role seen again, or a name after a value: the next set starts
                current = {}
            current[role] = index
            if role == "value":
                k = normalise(cells[index])
                current["period"] = "年度" if "年度" in k else "实施期" if "实施期" in k else None
        sets.append(current)
        sets = [s for s in sets if "value" in s and "level3" in s]
        if not sets or len(sets) > 2:
            return None
        return cls(tuple(ColumnSet(**s) for s in sets), len(cells))  # type: ignore[arg-type]


_NUMBER_START = re.compile(r"^[\d.]")
_SIGNED = re.compile(r"^[≥≤<>=＞＜]")


def join_value(sign: str, value: str, unit: str) -> str:
    """计算符号 + 指标值 + 计量单位 as one printed value: ('≥', '95', '%') → '≥95%'.

    A qualitative value that the export also wrote into the unit column (the origin of 良好良好)
    is not repeated; a unit the value already ends with is not added twice."""
    value, unit = value.strip(), unit.strip()
    symbol = SIGN_CODES.get(normalise(sign), normalise(sign) if sign.strip() else "")
    if symbol and not _SIGNED.match(value) and _NUMBER_START.match(value):
        value = symbol + value
    if unit and unit != value and not normalise(value).endswith(normalise(unit)) and re.search(r"\d", value):
        value += unit
    return value
