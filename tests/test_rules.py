"""The rule packs: schema, every finding kind present, and every rule's own pass/fail examples."""

from __future__ import annotations

import pytest

from auditor.check import load_profile, load_rules, validate_rules
from auditor.check.examples import run_example
from auditor.check.rules import RuleError, select_rules
from auditor.vocabulary import FINDING_KINDS

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
    with pytest.raises(RuleError, match=r"bad\.yml:2: 规则 X01: 未知的问题类型"):
        load_rules(str(tmp_path))


def test_profiles():
    shanxi = load_profile("shanxi")
    assert shanxi.satisfaction_floor == 90 and shanxi.cost_as == "level2" and shanxi.name == "shanxi"
    assert shanxi.tolerance_yuan == PROFILE.tolerance_yuan  # inherited from national


def test_built_in_profiles_state_every_default_the_record_has():
    """The YAML and the record agree: national.yml sets each value the record defaults to."""
    from auditor.check.profile import Profile

    assert load_profile("national") == Profile(description=load_profile("national").description)


@pytest.mark.parametrize("body,problem", [
    ("satisfaction_flor: 90", "未知的口径项 satisfaction_flor"),
    ("satisfaction_floor: high", "satisfaction_floor 应为数字"),
    ("cost_as: somewhere", "cost_as 应为 level1、level2 或 either"),
    ("weights: {错误: 10}", "weights 应为"),
    ("extends: nowhere", "找不到审核口径 nowhere"),
])
def test_broken_profile_names_the_key(tmp_path, body, problem):
    from auditor.check.profile import ProfileError

    path = tmp_path / "口径.yml"
    path.write_text(f"extends: national\n{body}\n" if not body.startswith("extends") else body, encoding="utf-8")
    with pytest.raises(ProfileError, match=problem):
        load_profile(str(path))


def test_report_explains_the_weights_in_force(tmp_path):
    path = tmp_path / "严格.yml"
    path.write_text("extends: national\nweights: {错误: 20, 警告: 5, 提示: 0.5}\nrule_cap: 2\n", encoding="utf-8")
    strict = load_profile(str(path))
    assert "错误 20、警告 5、提示 0.5" in strict.explain_scores() and "最多扣 2 次" in strict.explain_scores()


def test_profile_changes_a_threshold():
    (m02,) = [r for r in RULES if r.code == "M02"]
    example = {"level2": "服务对象满意度", "level3": "企业满意度", "value": "≥88%"}
    assert not run_example(m02, example, PROFILE)
    assert run_example(m02, example, load_profile("shanxi"))


GROUP_FILES = {"S": "structure", "V": "values", "N": "quantity", "Q": "quality", "T": "timeliness", "C": "cost",
               "E": "benefit", "M": "satisfaction", "G": "goals", "F": "funds", "D": "disclosure", "SE": "selfeval",
               "ML": "model", "P": "platform", "Y": "years", "U": "units"}


def test_rule_codes_live_in_the_file_named_by_their_group():
    from pathlib import Path

    for rule in RULES:
        prefix = rule.code.rstrip("0123456789")
        assert Path(rule.source).stem == GROUP_FILES[prefix], (rule.code, rule.source)
        assert rule.line > 0


USER_PACK = """
group: 本地规则
rules:
  - code: X01
    name: training-count-too-small
    kind: conservative_rate
    severity: 提示
    scope: row
    check: match
    when: {level2: [数量指标]}
    test: {name_regex: "培训", value_kind: [quantity], number_lt: 50}
    message: "“{level3}”目标只有{value}，本局培训任务每年不少于50人次"
    suggestion: "按本局年度培训计划填写，不少于50人次"
    basis: "本局培训管理办法"
    examples:
      fail: [{level2: 数量指标, level3: 培训人次, value: "≥20人次"}]
      pass: [{level2: 数量指标, level3: 培训人次, value: "≥80人次"}]
  - code: X02
    name: local-missing-cost
    kind: missing_cost
    severity: 错误
    scope: project
    check: missing_cost
    message: "“{project}”没有成本指标（本地要求）"
    suggestion: "补充成本指标"
    basis: "本地口径"
    examples:
      fail: [{project: 甲}]
      pass: [{project: 乙}]
"""


def _doc_text(value: str) -> str:
    return "\n".join(["项目支出绩效目标表", "项目名称\t测试项目", "主管部门及代码\t001-某局", "实施单位\t某局",
                      "项目属性\t经常性项目", "项目期\t1年", "一级指标\t二级指标\t三级指标\t指标值",
                      f"产出指标\t数量指标\t培训人次\t{value}", "满意度指标\t服务对象满意度\t学员满意度\t≥90%",
                      "负责人:\t\t联系电话:\t"])


def test_user_rule_pack_from_a_folder(tmp_path):
    import json

    from click.testing import CliRunner

    from auditor.cli import main

    pack = tmp_path / "本地规则"
    pack.mkdir()
    (pack / "local.yml").write_text(USER_PACK, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text(_doc_text("≥20人次"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(doc), "--rules", str(pack), "--format", "json", "--jobs", "1"])
    codes = [f["rule"] for f in json.loads(result.stdout)["documents"][0]["findings"]]
    assert "X01" in codes and "X02" in codes, result.output
    doc.write_text(_doc_text("≥80人次"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(doc), "--rules", str(pack), "--format", "json"])
    assert "X01" not in [f["rule"] for f in json.loads(result.stdout)["documents"][0]["findings"]]
    listed = CliRunner().invoke(main, ["rules", "--rules", str(pack)])
    assert "X01" in listed.stdout and "X02" in listed.stdout
    out = tmp_path / "out"
    audited = CliRunner().invoke(main, ["audit", str(doc), "-o", str(out), "--rules", str(pack), "--no-cache", "-q"])
    assert audited.exit_code == 0, audited.output
    assert "X02" in {f["rule"] for d in json.loads((out / "审核结果.json").read_text(encoding="utf-8"))["documents"]
                     for f in d["findings"]}


@pytest.mark.parametrize("edit,problem", [
    (("check: missing_cost", "check: missing_cots"), "local.yml:18: 规则 X02: 未知的检查 'missing_cots'"),
    (("kind: conservative_rate", "kind: conservative"), "local.yml:4: 规则 X01: 未知的问题类型 conservative"),
    (("number_lt: 50", "number_under: 50"), "local.yml:4: 规则 X01: 未知条件 number_under"),
    (("    basis: \"本地口径\"\n", "    basis: \"本地口径\"\n    color: red\n"),
     "local.yml:18: 规则 X02: 未知字段 color"),
    (("code: X02", "code: V01"), "local.yml:18: 规则代码 V01"),
    (("    scope: row\n", "    scope: row\n  oops: [\n"), "local.yml:"),
])
def test_broken_user_pack_fails_before_reading_documents(tmp_path, edit, problem):
    from click.testing import CliRunner

    from auditor.cli import main

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "local.yml").write_text(USER_PACK.replace(*edit), encoding="utf-8")
    missing = tmp_path / "never-read.txt"  # reading it would fail with "文件不存在"
    for command in (["check", str(missing)], ["audit", str(missing), "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, [*command, "--rules", str(pack)])
        assert result.exit_code == 2 and problem in result.stderr, result.output
        assert "不存在" not in result.stderr and "Traceback" not in result.output
