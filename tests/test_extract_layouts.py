"""Layouts the samples do not all show, built from a sample's own text: page breaks inside a
table, a table printed twice, a table whose header part was lost, rows wrapped over two lines."""

from __future__ import annotations

from conftest import SAMPLES, project_named, rows

from auditor.extract import extract_text

TEXT = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")
LINES = TEXT.split("\n")
TITLE = "屯留区县(区)级预算部门(单位)项目支出绩效目标表"


def span(name: str) -> tuple[int, int]:
    """Line indexes [start, end) of one project table, title to footer."""
    start = next(i for i, ln in enumerate(LINES) if ln.startswith("项目名称") and name in ln) - 4
    end = next(i for i in range(start, len(LINES)) if LINES[i].startswith("负责人"))
    return start, end + 1


def block(name: str) -> list[str]:
    start, end = span(name)
    return LINES[start:end]


BASELINE = extract_text(TEXT, "002.txt")


def test_page_break_inside_the_grid_keeps_every_row():
    lines = list(LINES)
    at = next(i for i, ln in enumerate(lines) if "开展督查活动" in ln)
    lines[at:at] = ["", "仅供内部审核", "- 7 -", TITLE, "", "(2026年度)", "",
                    "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t二级指标\t三级指标\t指标值"]
    doc = extract_text("\n".join(lines), "002.txt")
    assert len(doc.projects) == 9 and not doc.fragments
    before = project_named(BASELINE, "单位运转经费")
    after = project_named(doc, "单位运转经费")
    assert rows(after) == rows(before) and rows(after, "年度") == rows(before, "年度")


def test_table_printed_twice_is_kept_once_and_reported():
    table = block("政府网站维护")
    at = LINES.index(table[-1]) + 1
    doc = extract_text("\n".join([*LINES[:at], "", *table, *LINES[at:]]), "002.txt")
    assert [p.name for p in doc.projects] == [p.name for p in BASELINE.projects]
    assert [d[0] for d in doc.duplicate_tables] == ["政府网站维护"]
    (repeat,) = doc.repeated_tables  # the second printing is a record of its own …
    assert repeat.name == "政府网站维护" and rows(repeat) == rows(project_named(doc, "政府网站维护"))
    assert repeat.line_start > project_named(doc, "政府网站维护").line_end
    from auditor.check import check_document
    from auditor.check.score import score_document

    findings = check_document(doc)  # … flagged once, its rows neither checked nor scored twice
    assert [f.rule for f in findings if f.kind == "duplicate_table"] and not any(
        f.location.line and f.location.line >= repeat.line_start and f.location.line <= repeat.line_end
        for f in findings if f.kind != "duplicate_table")
    _, tables = score_document(doc, findings)
    assert list(tables).count("政府网站维护") == 1


def test_table_without_header_part_is_a_fragment_not_part_of_the_previous_project():
    start, end = span("政务机房托管费")
    orphan = LINES[start:end]
    grid_start = next(i for i, ln in enumerate(orphan) if ln.startswith("绩效"))
    orphan_rows = orphan[grid_start + 1:]  # header part and grid header lost
    kept = LINES[:start] + LINES[end:]
    at = span("政府网站维护")[1]
    assert at <= start
    doc = extract_text("\n".join([*kept[:at], "", *orphan_rows, *kept[at:]]), "002.txt")
    assert len(doc.projects) == 8 and all(p.funds.annual_total for p in doc.projects)
    assert "政务机房托管费" not in [p.name for p in doc.projects]
    assert rows(project_named(doc, "政府网站维护")) == rows(project_named(BASELINE, "政府网站维护"))
    (fragment,) = doc.fragments
    assert [r.level3 for r in fragment.indicators][:3] == ["政务机房托管费用", "政务机房设备运行情况", "故障维修情况"]


def test_name_wrapped_onto_the_next_line():
    lines = list(LINES)
    at = next(i for i, ln in enumerate(lines) if "督办事项办结率" in ln)
    lines[at] = lines[at].replace("\t督办事项办结率\t", "\t督办事项\t", 1)
    lines.insert(at + 1, "\t\t\t办结率\t\t\t\t")
    doc = extract_text("\n".join(lines), "002.txt")
    assert ("产出指标", "质量指标", "督办事项办结率", "100%") in rows(doc.projects[0])
    assert len(doc.projects[0].indicators) == len(BASELINE.projects[0].indicators)


def test_name_alone_with_its_value_on_the_next_line():
    lines = list(LINES)
    at = next(i for i, ln in enumerate(lines) if "督办事项办结率" in ln)
    lines[at:at + 1] = ["\t\t质量指标\t督办事项\t\t质量指标\t督办事项", "\t\t\t办结率\t100%\t\t办结率\t100%"]
    doc = extract_text("\n".join(lines), "002.txt")
    assert ("产出指标", "质量指标", "督办事项办结率", "100%") in rows(doc.projects[0])
    assert ("产出指标", "质量指标", "督办事项办结率", "100%") in rows(doc.projects[0], "年度")


def test_cost_as_a_level1_of_its_own():
    """财预〔2021〕101号 template: 成本指标 is a 一级 above 经济/社会/生态环境成本指标."""
    lines = list(LINES)
    at = next(i for i, ln in enumerate(lines) if "督办系统运维费\t3.6万元" in ln)
    lines[at] = "\t成本指标\t经济成本指标\t督办系统运维费\t≤3.6万元\t经济成本指标\t督办系统运维费\t≤3.6万元"
    doc = extract_text("\n".join(lines), "002.txt")
    assert ("成本指标", "经济成本指标", "督办系统运维费", "≤3.6万元") in rows(doc.projects[0])


def test_row_echoed_one_column_over_is_one_row():
    lines = list(LINES)
    at = next(i for i, ln in enumerate(lines) if "督办事项办结率" in ln)
    lines.insert(at + 1, "\t" + lines[at])  # the same cells again, shifted right by one
    doc = extract_text("\n".join(lines), "002.txt")
    assert rows(doc.projects[0]) == rows(BASELINE.projects[0])
    assert rows(doc.projects[0], "年度") == rows(BASELINE.projects[0], "年度")
    lines.insert(at + 1, lines[at])  # at the same offset it is a real repeat: kept (the rules flag it)
    assert len(extract_text("\n".join(lines), "002.txt").projects[0].indicators) == 8


def test_tables_without_footers_and_prose_after_the_last_one(scorer, gold):
    """No table prints its 负责人 row; a note and a paragraph follow the last table: every table
    ends at the next one's 项目名称, and the prose is never read as an indicator row."""
    import layouts
    from test_layouts import assert_reads_back

    for stem in ("002_4d30544783f67109", "003_42fbab3105c3da5b"):
        text = layouts.render_text(gold[stem], "two_sets", "tabs")
        kept = [ln for ln in text.split("\n") if not ln.startswith("负责人")]
        kept += ["注：本表数据来源于部门预算编制系统，金额单位为元。",
                 "本部门将加强绩效运行监控，确保绩效目标如期实现。"]
        doc = extract_text("\n".join(kept), f"{stem}.txt")
        assert_reads_back(scorer, gold[stem], doc, "two_sets")
        assert not any("注" in r.level3 or "监控" in r.level3 for p in doc.projects for r in p.indicators)


def test_label_alone_in_the_name_column_is_an_empty_dimension(tmp_path):
    text = "\n".join(["项目支出绩效目标表", "项目名称\t测试项目", "主管部门及代码\t001-某局", "实施单位\t某局",
                      "项目属性\t经常性项目", "项目期\t1年", "一级指标\t二级指标\t三级指标\t指标值",
                      "产出指标\t数量指标\t培训人数\t≥100人", "效益指标\t\t生态效益\t", "\t社会效益\t受益群众\t≥500人",
                      "负责人:\t\t联系电话:\t"])
    (project,) = extract_text(text, "t.txt").projects
    assert [r.level3 for r in project.indicators] == ["培训人数", "受益群众"]
    assert "生态效益" in project.empty_level2


def test_short_headers_and_other_field_names_still_start_a_table():
    """Tables from other templates: fewer header fields, other names for them; each is its own table."""
    def table(name, extra):
        return ["项目支出绩效目标表", f"项目名称\t{name}", *extra, "一级指标\t二级指标\t三级指标\t指标值",
                "产出指标\t数量指标\t培训人次\t≥100人次", "满意度指标\t服务对象满意度\t学员满意度\t≥90%"]
    text = "\n".join([*table("甲项目", ["本年度资金\t50,000"]),
                      *table("乙项目", ["主管预算部门\t某局", "项目单位\t某中心", "项目类型\t经常性项目"]),
                      *table("丙项目", ["年度资金总额：80,000"])])
    doc = extract_text(text, "t.txt")
    assert [p.name for p in doc.projects] == ["甲项目", "乙项目", "丙项目"]
    assert [len(p.indicators) for p in doc.projects] == [2, 2, 2]
    assert doc.projects[0].funds.annual_total == 50000 and doc.projects[2].funds.annual_total == 80000
    assert doc.projects[1].implementer == "某中心" and doc.projects[1].attribute == "经常性项目"


def test_header_that_lost_its_annual_half_still_reads_both_sets():
    """The text layer dropped the 年度 half of the grid header; the rows still print both halves."""
    lines = list(LINES)
    at = next(i for i, ln in enumerate(lines) if ln.startswith("绩效指标\t一级指标"))
    lines[at] = "绩效指标\t一级指标\t二级指标\t三级指标\t指标值"
    doc = extract_text("\n".join(lines), "002.txt")
    first = next(p for p in doc.projects if p.line_start <= at + 1 <= p.line_end)
    before = project_named(BASELINE, first.name)
    assert rows(first) == rows(before) and rows(first, "年度") == rows(before, "年度")


def test_headless_block_with_other_columns_is_a_fragment_not_a_continuation():
    """After a page break, rows under a grid header of another shape are not the unfinished table's."""
    start, end = span("政务机房托管费")
    table = LINES[start:end - 1]  # its footer lost: the table is unfinished
    other = ["", TITLE, "", "一级指标\t二级指标\t三级指标\t指标值\t备注", "产出指标\t数量指标\t巡检次数\t≥12次\t按月",
             "效益指标\t社会效益\t服务保障\t≥95%\t"]
    doc = extract_text("\n".join([*LINES[:start], *table, *other, *LINES[end:]]), "002.txt")
    assert rows(project_named(doc, "政务机房托管费")) == rows(project_named(BASELINE, "政务机房托管费"))
    assert [r.level3 for f in doc.fragments for r in f.indicators] == ["巡检次数", "服务保障"]
