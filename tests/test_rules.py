"""The rule packs: schema, every finding kind present, and every rule's own pass/fail examples."""

from __future__ import annotations

import pytest

from auditor.check import load_profile, load_rules, validate_rules
from auditor.check.examples import run_example
from auditor.check.rules import FINDING_KINDS, RuleError, select_rules

RULES = load_rules()
PROFILE = load_profile("national")


def test_packs_are_valid():
    assert validate_rules(RULES) == []
    assert len({r.code for r in RULES}) == len(RULES)


def test_every_finding_kind_has_a_rule():
    assert {r.kind for r in RULES} >= FINDING_KINDS


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_examples_both_ways(rule):
    assert rule.examples.get("fail") and rule.examples.get("pass")


CASES = [(r, outcome, i, ex) for r in RULES for outcome in ("fail", "pass")
         for i, ex in enumerate(r.examples.get(outcome) or [])]


@pytest.mark.parametrize("rule,outcome,index,example", CASES,
                         ids=[f"{r.code}-{o}-{i}" for r, o, i, _ in CASES])
def test_rule_example(rule, outcome, index, example):
    findings = run_example(rule, example, PROFILE)
    if outcome == "fail":
        assert findings, f"{rule.code} should fire on {example}"
        assert all("{" not in f.message for f in findings), findings[0].message
    else:
        assert not findings, f"{rule.code} fired on a passing example: {[f.message for f in findings]}"


def test_select_and_ignore_by_code_glob_and_kind():
    assert {r.code for r in select_rules(RULES, "T0*")} == {"T01", "T02", "T03", "T04"}
    assert {r.kind for r in select_rules(RULES, "cost_wrong_direction")} == {"cost_wrong_direction"}
    assert "V13" not in {r.code for r in select_rules(RULES, None, "doubled_value")}


def test_bad_pack_is_reported_with_file_and_rule(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "bad.yml").write_text(
        "rules:\n  - {code: X01, name: x, kind: not_a_kind, severity: 警告, scope: row, check: match,"
        " message: m, suggestion: s, basis: b}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"bad\.yml: X01: 未知的问题类型"):
        load_rules(str(tmp_path))


def test_profiles():
    shanxi = load_profile("shanxi")
    assert shanxi["satisfaction_floor"] == 90 and shanxi["cost_as"] == "level2"
    assert shanxi["tolerance_yuan"] == PROFILE["tolerance_yuan"]  # inherited from national


def test_profile_changes_a_threshold():
    (m02,) = [r for r in RULES if r.code == "M02"]
    example = {"level2": "服务对象满意度", "level3": "企业满意度", "value": "≥88%"}
    assert not run_example(m02, example, PROFILE)
    assert run_example(m02, example, load_profile("shanxi"))
