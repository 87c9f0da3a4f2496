"""The indicator library: built from a corpus, it offers what similar projects use for a vague or a
missing indicator — concrete values only, never the project's own, never a value the rules flag."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor import api
from auditor.check.library import Library, build, cite
from auditor.cli import main
from auditor.model import Document, Funds, Indicator, Project
from auditor.values import parse_value

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _project(name, goal, rows, funds=200000.0):
    indicators = tuple(Indicator(level1=l1, level2=l2, level3=l3, value=parse_value(v, l3), period="实施期", line=i)
                       for i, (l1, l2, l3, v) in enumerate(rows, start=1))
    return Project(name=name, line_start=1, line_end=40, goal_period=goal, funds=Funds("元", funds, funds, {}, {}),
                   indicators=indicators, has_annual_columns=False)


def _corpus() -> list[Document]:
    """Twelve counties' subsidy projects paying within 30 working days, three paying 及时, and unrelated
    office projects that pay within 5 days."""
    docs = []
    for i in range(15):
        deadline = "≤30个工作日" if i < 12 else "及时"
        rows = [("产出指标", "数量指标", "补贴发放户数", f"≥{100 + i}户"),
                ("产出指标", "时效指标", "补贴资金拨付及时性", deadline),
                ("满意度指标", "服务对象满意度", "补贴对象满意度", "≥90%")]
        docs.append(Document(path=f"县{i}.txt", unit=f"第{i}县农业农村局", year=2026, kind="budget",
                             projects=(_project("耕地地力保护补贴资金", "按时足额发放耕地地力保护补贴", rows),)))
    for i in range(6):
        rows = [("产出指标", "时效指标", "资金拨付及时性", "≤5个工作日"),
                ("产出指标", "数量指标", "保障办公人数", f"{20 + i}人")]
        docs.append(Document(path=f"办{i}.txt", unit=f"第{i}办公室", year=2026, kind="budget",
                             projects=(_project("机关办公运转经费", "保障机关日常办公运转", rows),)))
    return docs


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    docs = _corpus()
    path = tmp_path_factory.mktemp("lib") / "指标库.sqlite"
    report = api.check(docs)
    counts = build(((c.document, c.findings) for c in report.documents), path)
    assert counts == {"documents": 21, "projects": 21, "indicators": 15 * 3 + 6 * 2}
    lib = Library(path)
    yield lib
    lib.close()


def test_similar_projects_give_concrete_values(library):
    query = _project("2026年耕地地力保护补贴", "发放耕地地力保护补贴",
                     [("产出指标", "时效指标", "补贴资金拨付及时性", "及时")])
    examples = library.values_for(query, query.indicators[0])
    # not 及时 (not concrete), and the subsidy projects' value before the offices' 5 days
    assert cite(examples) == "同类项目常用：≤30个工作日（12个项目）"


def test_the_nearest_projects_come_first(library):
    query = _project("机关运转经费", "保障机关日常办公运转", [("产出指标", "时效指标", "资金拨付及时性", "及时")])
    assert library.values_for(query, query.indicators[0])[0].text == "≤5个工作日"


def test_the_project_itself_is_left_out(library):
    docs = _corpus()
    own = docs[0].projects[0]
    examples = library.values_for(own, own.indicators[0], docs[0].name)
    assert all(e.text != "≥100户" for e in examples)


def test_a_missing_indicator_gets_the_indicators_similar_projects_set(library):
    query = _project("耕地地力保护补贴", "发放耕地地力保护补贴", [("产出指标", "数量指标", "补贴发放户数", "≥80户")])
    names = [e.level3 for e in library.indicators_for(query, ["时效指标"])]
    assert names[0] == "补贴资金拨付及时性"


def test_findings_cite_the_library(tmp_path):
    lib = tmp_path / "指标库.sqlite"
    result = CliRunner().invoke(main, ["library", "build", str(SAMPLES), "-o", str(lib)])
    assert result.exit_code == 0, result.output
    assert "4 份文件" in result.output
    with sqlite3.connect(lib) as db:
        stored = db.execute("SELECT count(*) FROM indicators").fetchone()[0]
    rows = sum(len(p.annual_indicators if p.has_annual_columns and p.annual_indicators else p.indicators)
               for d in api.extract([SAMPLES]) for p in d.projects)
    assert 0 < stored <= rows
    plain = api.audit([SAMPLES / "001_9ab8174854570465.txt"])
    cited = api.audit([SAMPLES / "001_9ab8174854570465.txt"], api.Options(library=str(lib)))
    with_text = [f for f in cited.findings if "同类项目常用" in f.suggestion]
    assert with_text and not any("同类项目常用" in f.suggestion for f in plain.findings)
    assert {f.fingerprint() for f in plain.findings} == {f.fingerprint() for f in cited.findings}


def test_a_file_that_is_not_a_library_is_named(tmp_path):
    bad = tmp_path / "坏.sqlite"
    bad.write_bytes(b"not a database at all" * 10)
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "002_4d30544783f67109.txt"), "--library", str(bad)])
    assert result.exit_code == 2 and "坏.sqlite" in result.output and "不是指标库" in result.output
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "002_4d30544783f67109.txt"),
                                       "--library", str(tmp_path / "无.sqlite")])
    assert result.exit_code == 2 and "指标库文件不存在" in result.output
