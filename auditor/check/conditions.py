"""The condition vocabulary of row rules (`when:` and `test:` in the YAML).

Every key is one small predicate on the row; all keys of a mapping must hold; `any`, `all` and
`not` combine mappings. Word lists may be given inline or by the name of a lexicon list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Document, Indicator, Project
from ..values import collapse_doubled
from .profile import Profile

_TRIM = re.compile(r"(的|了|性)$")


@dataclass(frozen=True, slots=True)
class RowContext:
    row: Indicator
    table: str  # project name, or the 整体 table's label
    project: Project | None
    document: Document
    profile: Profile
    lexicon: Mapping[str, Any]

    @property
    def name(self) -> str:
        return unicodedata.normalize("NFKC", self.row.full_name or self.row.level3)

    @property
    def text(self) -> str:
        return _TRIM.sub("", self.row.value.text) if len(self.row.value.text) > 1 else self.row.value.text

    def words(self, spec: Any) -> list[str]:
        if isinstance(spec, str):
            value = self.lexicon.get(spec)
            if value is None:
                raise KeyError(f"词表中没有 {spec}")
            return list(value)
        return list(spec)

    def number(self, spec: Any) -> float:
        return self.profile.threshold(spec) if isinstance(spec, str) else float(spec)


def is_cost_row(row: Indicator) -> bool:
    return row.level2 in ("成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标") or row.level1 == "成本指标"


def is_satisfaction_row(row: Indicator) -> bool:
    return row.level1 == "满意度指标" or row.level2 == "服务对象满意度"


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _verifiable(ctx: RowContext) -> bool:
    text = ctx.row.value.text
    return any(_regex(p).search(text) for p in ctx.words("verifiable"))


def _generic(ctx: RowContext) -> bool:
    name = re.sub(r"\s+", "", ctx.name)
    if not name:
        return False
    return name in (ctx.row.level1, ctx.row.level2) or name in ctx.words("generic_names")


def _nature(row: Indicator) -> str:
    """The 指标性质 the row's platform cells state, "none" where they state none (or there are none)."""
    return (row.entry.nature if row.entry is not None else None) or "none"


def _unit_cell_blank(row: Indicator) -> bool:
    """The layout has a 计量单位 column and this row left it empty."""
    return row.entry is not None and row.entry.unit == ""


def _deadline_year_off(ctx: RowContext) -> bool:
    date = ctx.row.value.date
    year = ctx.document.year
    return bool(date and date[0] and year and date[0] != year)


_PREDICATES: dict[str, Callable[[RowContext, Any], bool]] = {
    "level1": lambda c, v: c.row.level1 in v,
    "level1_not": lambda c, v: c.row.level1 not in v,
    "level2": lambda c, v: c.row.level2 in v,
    "level2_not": lambda c, v: c.row.level2 not in v,
    "cost_row": lambda c, v: is_cost_row(c.row) == v,
    "satisfaction_row": lambda c, v: is_satisfaction_row(c.row) == v,
    "has_name": lambda c, v: bool(c.row.level3.strip()) == v,
    "value_kind": lambda c, v: c.row.value.kind in v,
    "value_kind_not": lambda c, v: c.row.value.kind not in v,
    "has_digit": lambda c, v: bool(re.search(r"\d", c.row.value.text)) == v,
    "doubled": lambda c, v: c.row.value.doubled == v,
    "comparator": lambda c, v: (c.row.value.comparator or "none") in v,
    "number_gt": lambda c, v: c.row.value.number is not None and c.row.value.number > c.number(v),
    "number_lt": lambda c, v: c.row.value.number is not None and c.row.value.number < c.number(v),
    "value_in": lambda c, v: c.text in c.words(v) or collapse_doubled(c.text)[0] in c.words(v),
    "value_regex": lambda c, v: bool(_regex(v).search(c.row.value.text)),
    "value_not_regex": lambda c, v: not _regex(v).search(c.row.value.text),
    "name_regex": lambda c, v: bool(_regex(v).search(c.name)),
    "name_not_regex": lambda c, v: not _regex(v).search(c.name),
    "name_contains": lambda c, v: any(w in c.name for w in c.words(v)),
    "name_not_contains": lambda c, v: not any(w in c.name for w in c.words(v)),
    # none of the words in both the indicator's name and the project's: the project is not spent on
    # the people the name asks about (a 合同工 project's 合同制人员 are its beneficiaries)
    "project_not_about": lambda c, v: not (c.project and any(w in c.name and w in c.project.name for w in v)),
    "text_contains": lambda c, v: any(w in c.name + c.row.value.text for w in c.words(v)),
    "text_not_contains": lambda c, v: not any(w in c.name + c.row.value.text for w in c.words(v)),
    "value_verifiable": lambda c, v: _verifiable(c) == v,
    "name_generic": lambda c, v: _generic(c) == v,
    "no_unit": lambda c, v: (c.row.value.number is not None and not c.row.value.unit
                             and c.row.value.kind == "quantity") == v,
    "deadline_year_off": lambda c, v: _deadline_year_off(c) == v,
    "nature": lambda c, v: _nature(c.row) in v,
    "nature_not": lambda c, v: _nature(c.row) not in v,
    "unit_cell_blank": lambda c, v: _unit_cell_blank(c.row) == v,
    "explanation_given": lambda c, v: bool(c.row.entry and (c.row.entry.explanation or "").strip()) == v,
    "value_per": lambda c, v: (c.row.value.per or "none") in v,
    "project_attribute_regex": lambda c, v: bool(c.project and _regex(v).search(c.project.attribute or "")),
}
KNOWN_KEYS = frozenset({*_PREDICATES, "any", "all", "not"})


def holds(ctx: RowContext, condition: Mapping[str, Any]) -> bool:
    """True when every key of `condition` holds for the row."""
    for key, arg in condition.items():
        if key == "any":
            if not any(holds(ctx, c) for c in arg):
                return False
        elif key == "all":
            if not all(holds(ctx, c) for c in arg):
                return False
        elif key == "not":
            if holds(ctx, arg):
                return False
        else:
            predicate = _PREDICATES.get(key)
            if predicate is None:
                raise KeyError(f"未知条件 {key}")
            if not predicate(ctx, arg):
                return False
    return True


def unknown_keys(condition: Any) -> set[str]:
    """Keys a rule uses that the vocabulary does not know (checked when packs load in tests)."""
    found: set[str] = set()
    if isinstance(condition, Mapping):
        for key, arg in condition.items():
            if key not in KNOWN_KEYS:
                found.add(key)
            if key in ("any", "all"):
                for c in arg:
                    found |= unknown_keys(c)
            elif key == "not":
                found |= unknown_keys(arg)
    return found

