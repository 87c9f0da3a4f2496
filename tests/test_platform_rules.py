"""The platform's entry checks (P01–P07) and the timeliness rate rule (T04) on real tables: quiet on
the samples as published, firing when a sample is edited the way real tables go wrong; each explained.
The checks on the platform's own cells (计量单位, 指标性质, 指标解释: P06, P07) run on the samples'
gold printed as the platform's entry sheet, where those cells exist."""

from __future__ import annotations

import copy
import dataclasses

import click
import layouts
import pytest
from click.testing import CliRunner

from auditor.check import check_document, load_profile
from auditor.check.profile import Profile, ProfileError
from auditor.cli import main
from auditor.extract import extract_path, extract_text
from auditor.values import parse_value

NEW_RULES = ("P01", "P02", "P03", "P04", "P05", "P06", "P07", "T04")


def _codes(doc, profile: Profile | None = None) -> list[str]:
    return [f.rule for f in check_document(doc, profile=profile) if f.rule in NEW_RULES]


def _with_rows(doc, project_index: int, change):
    projects = list(doc.projects)
    p = projects[project_index]
    projects[project_index] = dataclasses.replace(p, indicators=tuple(change(list(p.indicators))),
                                                  annual_indicators=tuple(change(list(p.annual_indicators))))
    return dataclasses.replace(doc, projects=tuple(projects))


@pytest.mark.parametrize("code", NEW_RULES)
def test_each_rule_is_explained(code):
    out = click.unstyle(CliRunner().invoke(main, ["explain", code]).output)
    assert out.startswith(code) and "不合格示例" in out and "合格示例" in out and "依据" in out


def test_quiet_on_the_samples_platform_checks(documents):
    for stem, doc in documents.items():
        assert not [c for c in _codes(doc) if c.startswith("P")], stem


def test_self_evaluation_weights_checked_against_the_default_and_the_total(documents):
    doc = documents["001_9ab8174854570465"]
    index = next(i for i, p in enumerate(doc.projects) if p.self_evaluation)

    def shift(rows):  # ten points moved from 质量 to 数量: still 100 in all, but not the default split
        out = []
        for r in rows:
            if r.level2 == "数量指标":
                r = dataclasses.replace(r, weight=(r.weight or 0) + 10 / sum(x.level2 == "数量指标" for x in rows))
            elif r.level2 == "质量指标":
                r = dataclasses.replace(r, weight=(r.weight or 0) - 10 / sum(x.level2 == "质量指标" for x in rows))
            out.append(r)
        return out

    moved = _with_rows(doc, index, shift)
    findings = [f for f in check_document(moved) if f.rule in ("P04", "P05") and f.project == doc.projects[index].name]
    assert [f.rule for f in findings] == ["P05"]
    assert "数量指标30分（默认20分）" in findings[0].message and "质量指标0分（默认10分）" in findings[0].message

    dropped = _with_rows(doc, index, lambda rows: [r for r in rows if r.level2 != "时效指标"])
    rules = {f.rule for f in check_document(dropped) if f.project == doc.projects[index].name}
    assert {"P04", "P05"} <= rules

    # a profile can change the defaults or switch either check off
    lenient = dataclasses.replace(load_profile(), selfeval_weights={}, selfeval_weight_total=0)
    assert not {"P04", "P05"} & {f.rule for f in check_document(dropped, profile=lenient)}


def test_values_the_platform_refuses_are_reported_on_a_real_table(documents):
    doc = documents["000_6173ad3f6f2e28ea"]

    def spoil(rows):
        out = list(rows)
        for i, r in enumerate(out):
            if r.value.kind == "percent":
                out[i] = dataclasses.replace(r, value=parse_value("90%-95%", r.level3))
                break
        for i, r in enumerate(out):
            if r.level2 == "数量指标":
                out[i] = dataclasses.replace(r, value=parse_value(r.value.raw + "*", r.level3))
                break
        return out

    codes = _codes(_with_rows(doc, 0, spoil))
    assert "P02" in codes and "P01" in codes


def test_a_rate_is_accepted_when_its_name_fixes_the_time(documents):
    doc = documents["000_6173ad3f6f2e28ea"]
    index = next(i for i, p in enumerate(doc.projects) if any(f.rule == "T04" and f.project == p.name
                                                              for f in check_document(doc)))

    def name_the_deadline(rows):
        return [dataclasses.replace(r, level3="每月10日前拨付到位率", full_name=None) if r.level2 == "时效指标" else r
                for r in rows]

    fixed = _with_rows(doc, index, name_the_deadline)
    assert not [f for f in check_document(fixed) if f.rule == "T04" and f.project == doc.projects[index].name]


def test_a_profile_with_bad_weights_is_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("extends: national\nselfeval_weights: {数量: 20}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="selfeval_weights"):
        load_profile(str(bad))


def _entry_sheet(gold, edit=lambda lines: lines):
    """A sample's gold printed as the platform's entry sheet (指标性质 | 计算符号 | 指标值 | 计量单位 |
    指标解释), its lines edited by `edit`, read back."""
    lines = layouts.render_text(gold, "nature", "tabs").split("\n")
    return extract_text("\n".join(edit(lines)), "entry.txt")


def _where(findings, code):
    return {(f.project, f.level3) for f in findings if f.rule == code}


@pytest.mark.parametrize("stem", ["000_6173ad3f6f2e28ea", "001_9ab8174854570465", "003_42fbab3105c3da5b"])
def test_a_blank_unit_cell_is_reported_once_and_only_for_quantities(gold, stem):
    """As printed, V05 reports the numbers without a unit; in the entry sheet the same rows have a blank
    计量单位 cell and P06 reports them instead (never both); 定性 rows leave the cell blank, unreported."""
    printed = check_document(extract_text(layouts.render_text(gold[stem], "plain", "tabs"), "plain.txt"))
    doc = _entry_sheet(gold[stem])
    sheet = check_document(doc)
    assert _where(sheet, "P06") == _where(printed, "V05")
    assert not _where(sheet, "V05") and not _where(sheet, "P07")
    qualitative = [r for p in doc.projects for r in p.indicators if r.entry and r.entry.nature == "定性"]
    assert qualitative and all(r.entry.unit == "" for r in qualitative)


def test_a_unit_left_out_of_its_cell_is_reported_on_that_row(gold):
    g = gold["002_4d30544783f67109"]
    row = g["projects"][0]["indicators"][0]
    assert row["value"] == "≥100件"
    blank = copy.deepcopy(g)
    blank["projects"][0]["indicators"][0]["value"] = "≥100"  # the entry sheet then prints 件 nowhere
    blank["projects"][0]["annual_indicators"][0]["value"] = "≥100"
    found = [f for f in check_document(_entry_sheet(blank)) if f.rule in ("P06", "V05")]
    assert [(f.rule, f.level3) for f in found] == [("P06", row["level3"])]
    assert "计量单位栏为空" in found[0].message
    assert not [f for f in check_document(_entry_sheet(g)) if f.rule == "P06"]


def test_other_quantities_need_their_explanation(gold):
    g = gold["002_4d30544783f67109"]
    name = g["projects"][0]["annual_indicators"][0]["level3"]

    def other(explained: str):
        def edit(lines):
            out = []
            for line in lines:
                cells = line.split("\t")
                if len(cells) == 8 and cells[2] == name:
                    cells[3], cells[7] = "定量（其他）", explained
                out.append("\t".join(cells))
            return out
        return edit

    unexplained = _entry_sheet(g, other(""))
    assert [r.entry.nature for p in unexplained.projects for r in p.indicators if r.level3 == name] == ["定量(其他)"]
    assert _where(check_document(unexplained), "P07") == {(g["projects"][0]["name"], name)}
    assert not _where(check_document(_entry_sheet(g, other("按全年办结件数统计"))), "P07")


def test_nature_and_sign_columns_side_by_side_keep_the_comparator(gold, tmp_path):
    """指标性质 (定量) beside 计算符号 (≥): the value keeps its sign; a 指标性质 column that carries the
    codes itself (the budget system's export) gives the sign too."""
    doc = _entry_sheet(gold["002_4d30544783f67109"])
    first = doc.projects[0].indicators[0]
    assert first.value.raw == "≥100件" and first.entry.nature == "定量" and first.entry.unit == "件"
    header = "项目名称\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t计量单位"
    listed = tmp_path / "flat.txt"
    listed.write_text(f"{header}\n示例项目\t产出指标\t数量指标\t培训人次\t大于等于\t200\t人次\n"
                      "示例项目\t效益指标\t社会效益\t群众出行条件\t定性\t明显改善\t\n", encoding="utf-8")
    rows = extract_path(listed).projects[0].indicators
    assert [(r.value.raw, r.entry.nature, r.entry.unit) for r in rows] == [("≥200人次", "定量", "人次"),
                                                                         ("明显改善", "定性", "")]
