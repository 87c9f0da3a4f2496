"""`auditor fix`: every sample's tables written in the template's layout with proposals, read back by
`auditor check`: what the proposals answer is gone, errors included."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from auditor import api
from auditor.check.matching import name_key
from auditor.check.profile import load_profile
from auditor.check.proposals import deadline_of, propose
from auditor.cli import main
from auditor.model import Document, Funds, Indicator, Project
from auditor.values import parse_value

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "samples").glob("*.txt"))


def _key(f):
    return f.rule, name_key(f.project), name_key(f.level3)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_round_trip_answers_what_it_proposes(sample, tmp_path):
    out = tmp_path / "修改建议.xlsx"
    fixed = api.fix(sample, out)
    assert fixed.proposals and fixed.answered
    after = api.check(api.extract([out])).documents[0].findings
    remaining = {_key(f) for f in after}
    assert [f for f in fixed.answered if _key(f) in remaining] == []
    answered_errors = {(f.rule, name_key(f.project)) for f in fixed.answered if f.severity == "错误"}
    assert not answered_errors & {(f.rule, name_key(f.project)) for f in after if f.severity == "错误"}
    # no error the unit's own tables did not already have
    left_errors = {(f.rule, name_key(f.project)) for f in fixed.left if f.severity == "错误"}
    assert {(f.rule, name_key(f.project)) for f in after if f.severity == "错误"} <= left_errors
    assert len(after) < len(fixed.answered) + len(fixed.left)


def test_errors_answered_on_the_samples(tmp_path):
    """C01 (cost written ≥), C02 (cost above the funds) and S02 (no cost indicator) are answered somewhere."""
    rules = set()
    for sample in SAMPLES:
        fixed = api.fix(sample, tmp_path / f"{sample.stem}.xlsx")
        rules |= {f.rule for f in fixed.answered if f.severity == "错误"}
    assert {"C01", "C02", "S02"} <= rules


def test_workbook_marks_every_proposal(tmp_path):
    out = tmp_path / "修改建议.xlsx"
    fixed = api.fix(SAMPLES[0], out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["绩效目标", "修改说明", "需单位修改", "填写说明"]
    ws = wb["绩效目标"]
    header = [c.value for c in ws[1]]
    value, original, confirm = header.index("指标值"), header.index("原指标值"), header.index("需确认")
    marked = [row for row in ws.iter_rows(min_row=2, values_only=True) if row[confirm] == "请确认"]
    assert len(marked) == len(fixed.proposals)
    changed = {(row[original], row[value]) for row in marked}
    assert ("≥4000元/季度", "≤4000元/季度") in changed  # a cost cap written as a floor, turned round
    assert all(row[original] for row in marked)
    notes = list(wb["修改说明"].iter_rows(min_row=2, values_only=True))
    assert len(notes) == len(fixed.proposals)
    left = list(wb["需单位修改"].iter_rows(min_row=2, values_only=True))
    assert len(left) == len(fixed.left)


def _project(plan=None, rows=(), funds=100000.0):
    indicators = tuple(Indicator(level1=l1, level2=l2, level3=l3, value=parse_value(v, l3), period="实施期", line=i)
                       for i, (l1, l2, l3, v) in enumerate(rows, start=10))
    return Project(name="技能培训", line_start=1, line_end=50, plan=plan, goal_period="培训50人",
                   funds=Funds("元", funds, funds, {}, {}), indicators=indicators, has_annual_columns=False)


def test_deadline_comes_from_the_plan():
    assert deadline_of(_project(plan="3月启动，2026年6月底前完成全部培训"), 2026) == (
        "2026年6月30日前", "本项目实施计划（“2026年6月底前”）")
    value, source = deadline_of(_project(plan="按计划推进"), 2026)
    assert value == "2026年12月31日前" and "预算年度末" in source


def test_unit_cost_from_funds_and_quantity():
    project = _project(rows=[("产出指标", "数量指标", "培训人数", "≥50人"),
                             ("产出指标", "时效指标", "完成时间", "及时"),
                             ("满意度指标", "服务对象满意度", "学员满意度", "满意")])
    doc = Document(path="培训.txt", unit="某局", year=2026, kind="budget", projects=(project,))
    report = api.check([doc])
    proposals = propose(doc, report.documents[0].findings, load_profile("national"))
    by_name = {p.level3: p for p in proposals}
    assert by_name["单位成本"].proposed == "≤2000元/人" and "÷" in by_name["单位成本"].source
    assert by_name["完成时间"].proposed == "2026年12月31日前"
    assert by_name["学员满意度"].proposed == "≥90%"


def test_text_never_becomes_a_formula(tmp_path):
    project = _project(rows=[("产出指标", "数量指标", "=HYPERLINK(\"http://x\")", "是"),
                             ("产出指标", "质量指标", "验收合格率", "良好")])
    doc = Document(path="x.txt", unit="某局", year=2026, kind="budget", projects=(project,))
    findings = api.check([doc]).documents[0].findings
    from auditor.report.fixes import answered, write_fix_workbook

    proposals = propose(doc, findings, load_profile("national"))
    _, left = answered(findings, proposals)
    write_fix_workbook(tmp_path / "f.xlsx", doc, proposals, left)
    cells = [c for row in openpyxl.load_workbook(tmp_path / "f.xlsx")["绩效目标"].iter_rows() for c in row]
    assert any(c.value == "=HYPERLINK(\"http://x\")" and c.data_type == "s" for c in cells)


def test_fix_command(tmp_path):
    out = tmp_path / "建议.xlsx"
    result = CliRunner().invoke(main, ["fix", str(SAMPLES[2]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "条修改建议" in result.output and out.exists()
    check = CliRunner().invoke(main, ["check", str(out), "--format", "json"])
    assert check.exit_code in (0, 1) and '"documents"' in check.stdout
    missing = CliRunner().invoke(main, ["fix", str(tmp_path / "没有.txt"), "-o", str(out)])
    assert missing.exit_code == 2 and "没有.txt" in missing.output


def test_money_beside_a_cost_row_of_a_self_evaluation_is_not_moved_to_cost(tmp_path):
    """A self-evaluation table's one column set is its 年度 rows: money flagged there beside the table's own
    cost row is a second count of the funds, not a cost to add (moving it put the costs above the funds)."""
    sample = next(s for s in SAMPLES if s.stem.startswith("001"))
    fixed = api.fix(sample, tmp_path / "修改建议.xlsx")
    moved = [p for p in fixed.proposals if p.level3 == "生前月工资"]
    assert moved == [] or all(p.level2 != "成本指标" for p in moved)
    assert any(p.level2 == "成本指标" for p in fixed.proposals)  # other tables' misfiled money still moves
