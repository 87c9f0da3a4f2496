"""Every layout real disclosures use, each built by the test from a sample's gold and read back:
extraction F1 against the gold it was rendered from (indicator rows of both column sets, the 整体
table), every project found, every funds total right."""

from __future__ import annotations

import copy
import re

import layouts
import pytest
from conftest import BUDGET_SAMPLES

from auditor.extract import extract_path, extract_text
from auditor.serialize import document_dict

MIN_F1 = 0.98


def scores(scorer, gold, doc) -> dict[str, float]:
    pred = document_dict(doc)
    pairs, leftovers = scorer.pair_projects(gold["projects"], pred["projects"])
    (_, _, f1), misses = scorer.score_rows(pairs, leftovers, "indicators", certain_only=True)
    (_, _, annual), _ = scorer.score_rows(pairs, leftovers, "annual_indicators", certain_only=True)
    g_over, p_over = gold.get("overall") or [], pred.get("overall") or []
    over_pairs = list(zip(g_over, p_over, strict=False)) + [(o, None) for o in g_over[len(p_over):]]
    (_, _, overall), _ = scorer.score_rows(over_pairs, p_over[len(g_over):], "indicators", certain_only=True)
    right, total = scorer.funds_accuracy(pairs)
    found = sum(1 for _, p in pairs if p is not None) / max(1, len(pairs))
    return {"indicators": f1, "annual": annual, "overall": overall, "projects": found,
            "funds": right / max(1, total), "misses": misses[:8]}


def assert_reads_back(scorer, gold, doc, structure):
    result = scores(scorer, layouts.expected(gold, structure), doc)
    misses = result.pop("misses")
    assert result["projects"] == 1.0 and result["funds"] == 1.0, result
    assert min(result["indicators"], result["annual"], result["overall"]) >= MIN_F1, (result, misses)
    return result


STRUCTURES = ["two_sets", "plain", "remarks", "platform", "nature", "repeated"]
TEXT_LAYOUTS = ["tabs", "cell_per_line", "markdown", "spaces"]


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_text_layouts(scorer, gold, stem, structure, layout):
    g = gold[stem]
    doc = extract_text(layouts.render_text(g, structure, layout), f"{stem}.txt")
    assert_reads_back(scorer, g, doc, structure)


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("structure,layout,fields", [
    ("two_sets", "tabs", "one_cell"), ("two_sets", "tabs", "next_line"), ("plain", "tabs", "one_cell"),
    ("plain", "cell_per_line", "next_line"), ("platform", "spaces", "one_cell")])
def test_header_fields_inline_or_on_the_next_line(scorer, gold, stem, structure, layout, fields):
    g = gold[stem]
    doc = extract_text(layouts.render_text(g, structure, layout, fields), f"{stem}.txt")
    assert_reads_back(scorer, g, doc, structure)


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("structure", ["two_sets", "plain", "platform"])
def test_html_pages(scorer, gold, tmp_path, stem, structure):
    path = tmp_path / f"{stem}.html"
    path.write_text(layouts.render_html(gold[stem], structure), encoding="utf-8")
    doc = extract_path(path)
    assert_reads_back(scorer, gold[stem], doc, structure)
    assert doc.projects[0].indicators[0].line > 0


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("structure", ["plain", "platform", "remarks", "nature"])
@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_office_files_in_every_structure(scorer, gold, tmp_path, stem, structure, kind):
    path = tmp_path / f"{stem}.{kind}"
    (layouts.write_xlsx if kind == "xlsx" else layouts.write_docx)(gold[stem], structure, path)
    assert_reads_back(scorer, gold[stem], extract_path(path), structure)


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
def test_budget_system_export_with_several_sheets(scorer, gold, tmp_path, stem):
    path = tmp_path / f"{stem}.xlsx"
    layouts.write_platform_export(gold[stem], path)
    doc = extract_path(path)
    expected = layouts.expected(gold[stem], "platform")
    expected["overall"] = []
    result = scores(scorer, expected, doc)
    assert result["projects"] == 1.0 and result["indicators"] >= MIN_F1, result
    assert doc.unit == gold[stem]["unit"] or doc.unit
    rows = {r.line for p in doc.projects for r in p.indicators}
    assert len(rows) == sum(len(p.indicators) for p in doc.projects)  # every row its own line
    assert doc.notes == ("工作表“封面”中没有绩效目标表，未读取",)  # the cover sheet, said, not read as a table


def test_html_spans_and_hostile_markup(tmp_path):
    """rowspan/colspan laid on the grid; absurd spans capped; scripts and styles never read."""
    from auditor.sources.html import read_html

    page = tmp_path / "p.html"
    page.write_text("<html><head><script>var x='项目名称';</script></head><body><p>标题</p><table>"
                    "<tr><td rowspan='2'>产出指标</td><td colspan='2'>数量指标</td></tr>"
                    "<tr><td>培训人数</td><td>≥100人</td></tr>"
                    "<tr><td colspan='999999999'>x</td><td rowspan='abc'>y</td></tr></table></body></html>",
                    encoding="utf-8")
    lines = [ln.text for ln in read_html(page).lines if ln.text]
    assert lines[0] == "标题" and "var x" not in "".join(lines)
    assert lines[1] == "产出指标\t数量指标" and lines[2] == "\t培训人数\t≥100人"
    assert lines[3].startswith("x\t") and lines[3].count("\t") == 64 and lines[3].endswith("\ty")


def test_findings_name_the_sheet_or_page(gold, tmp_path):
    """Locations carry the page or sheet: a workbook's findings say which sheet they are on."""
    from auditor.check import check_document

    path = tmp_path / "export.xlsx"
    layouts.write_platform_export(gold["002_4d30544783f67109"], path, per_sheet=4)
    doc = extract_path(path)
    places = {f.location.where for f in check_document(doc) if f.location.line}
    assert places and places <= {"部门项目支出绩效目标05-1", "部门项目支出绩效目标05-2", "部门项目支出绩效目标05-3"}
    assert len(places) >= 2
    text = extract_text("第一页\n\f第二页", "t.txt")
    assert text.where(1) is None  # plain text has no pages to name


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("structure", ["two_sets", "plain"])
@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_goals_numbered_like_headings_stay_in_their_table(scorer, gold, stem, structure, layout):
    """A goal written in points (一、…二、…) starts like a narrative heading; printed one cell a line,
    it must not end the table before its grid (it cut whole projects' rows)."""
    g = copy.deepcopy(gold[stem])
    for p in g["projects"]:
        for key in ("goal_period", "goal_annual"):
            if p.get(key):
                p[key] = f"一、{p[key]}二、按期完成项目建设任务。"
    doc = extract_text(layouts.render_text(g, structure, layout), f"{stem}.txt")
    assert_reads_back(scorer, g, doc, structure)
    for want, got in zip(layouts.expected(g, structure)["projects"], doc.projects, strict=True):
        assert (got.goal_annual or got.goal_period or "").startswith("一、"), (want["name"], got.goal_annual)


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("layout", ["tabs", "cell_per_line"])
@pytest.mark.parametrize("header", ["指标值（包含数字及文字描述）", "目标值(2026年)"])
def test_a_header_with_a_note_in_brackets_names_its_column(scorer, gold, stem, layout, header):
    """The national template prints 指标值（包含数字及文字描述）; one cell a line, a header the reader
    does not know misplaces every cell after it."""
    plain = ["一级指标", "二级指标", "三级指标", "指标值"]
    text = layouts.render_text(gold[stem], "plain", layout)
    joiner = "\t" if layout == "tabs" else "\n"
    assert joiner.join(plain) in text
    doc = extract_text(text.replace(joiner.join(plain), joiner.join([*plain[:3], header])), f"{stem}.txt")
    assert_reads_back(scorer, gold[stem], doc, "plain")


SELF_EVALUATION = "001_9ab8174854570465"


def _self_evaluation_read_back(scorer, gold, doc, structure):
    """Every row's 实际完成值, 分值 and 得分, each table's 总分 and 等级 and its funds' execution."""
    g = gold[SELF_EVALUATION]
    assert_reads_back(scorer, g, doc, structure)
    assert doc.kind == "final" and all(p.self_evaluation for p in doc.projects)
    expected = layouts.expected(g, structure)["projects"]
    assert len(doc.projects) == len(expected)
    for want, got in zip(expected, doc.projects, strict=True):
        assert got.name == want["name"]
        rows = want.get("indicators") or want.get("annual_indicators")
        assert [(r.actual, r.weight, r.points) for r in got.indicators] == \
            [(r.get("actual") or None, r.get("weight"), r.get("points")) for r in rows], want["name"]
        if structure == "selfeval_adjusted":
            assert [r.adjusted for r in got.indicators] == [r.get("adjusted") or None for r in rows], want["name"]
        score = want.get("score") or {}
        assert (got.score_total, got.score_grade) == (score.get("total"), score.get("grade")), want["name"]
        funds = want["funds"]
        assert (got.funds.executed, got.funds.execution_rate, got.funds.execution_points) == \
            (funds.get("executed"), funds.get("execution_rate"), layouts.execution_points(funds["execution_rate"])), \
            want["name"]
        assert got.goal_annual == (want.get("goal_annual") or want.get("goal_period")), want["name"]
        assert {k: v for k, v in got.funds.annual_sources.items() if v} == \
            {k: v for k, v in funds["annual_sources"].items() if v}, want["name"]


@pytest.mark.parametrize("structure", ["selfeval", "selfeval_platform", "selfeval_adjusted"])
@pytest.mark.parametrize("layout", [*TEXT_LAYOUTS, "html", "xlsx", "docx"])
def test_self_evaluation_tables_in_the_national_template(scorer, gold, tmp_path, layout, structure):
    """The 自评表 as the national template prints it (and as the budget platform exports it, with
    指标性质 / 计算符号 / 计量单位 cells; as provinces print it, 年初指标值 beside 调整后指标值), its
    cells in every text layout (one cell a line, space-aligned, markdown), a web page, Excel, Word:
    read by its columns' meaning, merged 一级/二级 cells carried down."""
    g = gold[SELF_EVALUATION]
    if layout in TEXT_LAYOUTS:
        doc = extract_text(layouts.render_text(g, structure, layout), f"{SELF_EVALUATION}.txt")
    else:
        path = tmp_path / f"{SELF_EVALUATION}.{layout}"
        if layout == "html":
            path.write_text(layouts.render_html(g, structure), encoding="utf-8")
        else:
            (layouts.write_xlsx if layout == "xlsx" else layouts.write_docx)(g, structure, path)
        doc = extract_path(path)
    _self_evaluation_read_back(scorer, gold, doc, structure)


def test_a_self_evaluation_figure_too_long_to_be_one_is_not_read(gold):
    """A 得分 of 400 digits would be float('inf') and break every sum and workbook after it."""
    g = copy.deepcopy(gold[SELF_EVALUATION])
    first = g["projects"][0]["indicators"][0]
    first["points"] = None
    text = layouts.render_text(g, "selfeval", "tabs")
    row = next(ln for ln in text.split("\n") if first["level3"] in ln and first["value"] in ln)
    doc = extract_text(text.replace(row, row.rstrip("\t") + "\t" + "9" * 400, 1), f"{SELF_EVALUATION}.txt")
    got = doc.projects[0].indicators[0]
    assert got.level3 == first["level3"] and got.weight == first["weight"] and got.points is None


@pytest.mark.parametrize("missing", ["column", "figure"])
def test_a_self_evaluation_funds_block_without_a_full_year_budget_takes_the_initial_one(gold, missing):
    g = gold[SELF_EVALUATION]
    text = layouts.render_text(g, "selfeval", "tabs")
    if missing == "column":
        assert "\t全年预算数\t" in text
        text = text.replace("\t全年预算数\t", "\t\t")
    else:  # the column is there, the total row leaves it blank
        text = re.sub(r"(\t年度资金总额\t[^\t]*\t)[^\t]*\t", r"\1\t", text)
    doc = extract_text(text, f"{SELF_EVALUATION}.txt")
    assert [p.funds.annual_total for p in doc.projects] == [p["funds"]["annual_total"] for p in g["projects"]]
    assert [p.funds.executed for p in doc.projects] == [p["funds"]["executed"] for p in g["projects"]]
