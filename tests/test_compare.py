"""Across years and units on documents made from the samples' gold: a 2026 table set edited into the
year before (targets raised, so this year's look lowered; an indicator this year no longer has; the
funds of one project changed), written out, read back and compared."""

from __future__ import annotations

import copy
import json
import re

import openpyxl
import pytest
from click.testing import CliRunner
from layouts import render_text

from auditor import api
from auditor.check.matching import name_key
from auditor.cli import main

BUDGET_SAMPLES = ["000_6173ad3f6f2e28ea", "002_4d30544783f67109", "003_42fbab3105c3da5b"]
EXTRA_ROW = {"level1": "产出指标", "level2": "数量指标", "level3": "专项督查检查次数", "value": "≥12次"}
_NUMBER = re.compile(r"\d+(\.\d+)?")


def _year_back(text, year):
    return text.replace(str(year), str(year - 1)) if isinstance(text, str) else text


def earlier_year(gold: dict) -> dict:
    """The same unit's tables a year earlier, as they would read with nothing changed."""
    old = copy.deepcopy(gold)
    year = gold["year"]
    old["year"] = year - 1
    for p in old["projects"]:
        for key in ("name", "goal_period", "goal_annual"):
            p[key] = _year_back(p.get(key), year)
        for row in (*p.get("indicators", []), *p.get("annual_indicators", [])):
            row["value"] = _year_back(row["value"], year)
    return old


def _liftable(row: dict) -> bool:
    """A floor target (no ≤, not money, not a cost) whose number can be raised in the old table."""
    value = row["value"]
    if row["level2"] in ("成本指标",) or row["level1"] == "成本指标" or "元" in value or "≤" in value or "<" in value:
        return False
    if row["level2"] == "时效指标" or "年" in value or "月" in value or "日" in value:
        return False
    m = _NUMBER.search(value)
    return bool(m) and float(m.group()) > 0 and not ("%" in value and float(m.group()) >= 100)


def _rows(p: dict) -> list[dict]:
    return p.get("annual_indicators") or p.get("indicators") or []


def plant(gold: dict) -> tuple[dict, set[tuple[str, str, str]]]:
    """The earlier year with three changes, and the findings they must give on this year's tables."""
    old = earlier_year(gold)
    expected: set[tuple[str, str, str]] = set()
    projects = [p for p in old["projects"] if _rows(p)]
    used: set[int] = set()
    for i, p in enumerate(projects):  # a target this year lowered: last year's was higher
        row = next((r for r in _rows(p) if _liftable(r)), None)
        if row is not None:
            number = _NUMBER.search(row["value"]).group()
            higher = float(number) + (1 if "%" in row["value"] else max(1, float(number) * 0.25))
            for r in (*p.get("indicators", []), *p.get("annual_indicators", [])):
                if r["level3"] == row["level3"] and r["value"] == row["value"]:
                    r["value"] = row["value"].replace(number, f"{higher:g}", 1)
            expected.add(("Y02", name_key(gold["projects"][old["projects"].index(p)]["name"]), row["level3"]))
            used.add(i)
            break
    dropped = next(i for i in range(len(projects)) if i not in used)
    for key in ("indicators", "annual_indicators"):
        if projects[dropped].get(key):
            projects[dropped][key].append(dict(EXTRA_ROW))
    expected.add(("Y03", name_key(projects[dropped]["name"]), EXTRA_ROW["level3"]))
    used.add(dropped)
    funded = next(i for i in range(len(projects)) if i not in used and projects[i].get("funds"))
    funds = projects[funded]["funds"]
    for key in ("period_total", "annual_total"):
        if funds.get(key):
            funds[key] = funds[key] * 2
    for key in ("period_sources", "annual_sources"):
        for source, amount in (funds.get(key) or {}).items():
            if amount:
                funds[key][source] = amount * 2
    expected.add(("Y01", name_key(projects[funded]["name"]), ""))
    return old, expected


def _found(found: api.Across) -> set[tuple[str, str, str]]:
    return {(c.finding.rule, name_key(c.finding.project), c.finding.level3 or "") for c in found.comparisons}


def _write(path, gold):
    path.write_text(render_text(gold, "plain", "tabs"), encoding="utf-8")
    return path


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
def test_every_planted_change_is_found_and_nothing_else(gold, tmp_path, stem):
    new_gold = gold[stem]
    old_gold, expected = plant(new_gold)
    old = _write(tmp_path / f"{stem}_{old_gold['year']}.txt", old_gold)
    new = _write(tmp_path / f"{stem}_{new_gold['year']}.txt", new_gold)
    found = api.compare([old], [new])
    assert found.pairs == 1
    got = {f for f in _found(found) if f[0] in ("Y01", "Y02", "Y03", "Y04", "Y05")}
    assert got == expected


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
def test_an_unchanged_year_gives_nothing(gold, tmp_path, stem):
    old = _write(tmp_path / "old.txt", earlier_year(gold[stem]))
    new = _write(tmp_path / "new.txt", gold[stem])
    found = api.compare([old], [new])
    assert found.pairs == 1 and found.comparisons == []


def test_a_folder_of_two_years_gets_a_comparison_sheet(gold, tmp_path):
    stem = BUDGET_SAMPLES[1]
    old_gold, expected = plant(gold[stem])
    inputs = tmp_path / "in"
    inputs.mkdir()
    _write(inputs / "2025.txt", old_gold)
    _write(inputs / "2026.txt", gold[stem])
    outcome = api.audit_to([inputs], tmp_path / "out")
    assert outcome.comparisons == len(expected)
    wb = openpyxl.load_workbook(tmp_path / "out" / "审核汇总.xlsx", read_only=True)
    rows = list(wb["年度对比"].iter_rows(min_row=2, values_only=True))
    header = next(wb["年度对比"].iter_rows(max_row=1, values_only=True))
    rule, old_year, new_year = header.index("规则"), header.index("上年度"), header.index("本年度")
    assert sorted(r[rule] for r in rows) == sorted(e[0] for e in expected)
    assert {(r[old_year], r[new_year]) for r in rows} == {(old_gold["year"], gold[stem]["year"])}
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    assert sorted(c["rule"] for c in data["comparisons"]) == sorted(e[0] for e in expected)
    # findings across years are listed, never scored
    assert all(f["rule"][0] not in "YU" for d in data["documents"] for f in d["findings"])


def test_real_years_of_one_unit(gold):
    """The 2023 self-evaluation and the 2026 budget of the same bureau, as published."""
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "samples"
    found = api.compare([samples / "001_9ab8174854570465.txt"], [samples / "000_6173ad3f6f2e28ea.txt"])
    names = {name_key(c.finding.project) for c in found.comparisons}
    # 2023年公建单位职工养老保险和医疗保险 ↔ 2026年…: matched across the years, its new rows reported
    assert name_key("2026年公建单位职工养老保险和医疗保险") in names
    dropped = {(c.finding.rule, c.finding.level3) for c in found.comparisons}
    assert ("Y03", "社会公众满意度") in dropped  # 2023's indicator, named as it was


def test_units_filled_in_alike_are_one_group(gold, tmp_path):
    a = gold["002_4d30544783f67109"]
    b = copy.deepcopy(a)
    b["unit"] = "长治市屯留区某某局"
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder / "a.txt", a)
    _write(folder / "b.txt", b)
    _write(folder / "c.txt", gold["003_42fbab3105c3da5b"])
    docs = api.extract([folder])
    groups = api.across(docs).groups
    eligible = [p for p in a["projects"] if len(_rows(p)) >= 4]
    assert len(groups) == len(eligible)
    for g in groups:
        assert {u for u, _, _ in g.members} == {a["unit"], b["unit"]}
        assert g.similarity == 1.0
    # the batch finds the same groups from its index and writes each to the JSON and JSON lines
    from auditor.report.across import similar_dict

    outcome = api.audit_to([folder], tmp_path / "out")
    assert outcome.groups == len(groups)
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    assert [{k: v for k, v in d.items() if k not in ("file", "fingerprint")} for d in data["similar"]] == [
        {k: v for k, v in similar_dict(g).items() if k not in ("file", "fingerprint")} for g in groups]
    text = (tmp_path / "out" / "审核结果.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [{k: v for k, v in line.items() if k != "type"} for line in lines if line["type"] == "similar"] == (
        data["similar"])
    # the four samples, published by three units: no project copied between them
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "samples"
    assert api.across(api.extract([samples])).groups == []


def test_compare_command(gold, tmp_path):
    stem = BUDGET_SAMPLES[0]
    old_gold, expected = plant(gold[stem])
    old = _write(tmp_path / "old.txt", old_gold)
    new = _write(tmp_path / "new.txt", gold[stem])
    out = tmp_path / "年度对比.xlsx"
    result = CliRunner().invoke(main, ["compare", str(old), str(new), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Y02" in result.output and "对比了 1 对文件" in result.output
    rows = list(openpyxl.load_workbook(out, read_only=True)["年度对比"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(expected)
    same = CliRunner().invoke(main, ["compare", str(_write(tmp_path / "same.txt", earlier_year(gold[stem]))),
                                     str(new), "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.stdout)["comparisons"] == []
    missing = CliRunner().invoke(main, ["compare", str(tmp_path / "无此文件.txt"), str(new)])
    assert missing.exit_code == 2 and "无此文件.txt" in missing.output


def test_comparisons_streamed_from_the_store_equal_those_made_in_memory(gold, tmp_path, monkeypatch):
    """Two units with two years each, in their own folders: the batch compares each unit by itself from
    the results store, writing each comparison as it comes; the JSON, the JSON lines and the sheet hold
    exactly what comparing the documents in memory gives, in the same order."""
    from auditor.report.across import comparison_dict

    inputs = tmp_path / "in"
    for stem in BUDGET_SAMPLES[1:]:
        old_gold, _ = plant(gold[stem])
        (inputs / stem).mkdir(parents=True)
        _write(inputs / stem / "2025.txt", old_gold)
        _write(inputs / stem / "2026.txt", gold[stem])
    monkeypatch.chdir(tmp_path)
    outcome = api.audit_to(["in"], "out")
    expected = [comparison_dict(c) for c in api.across(api.extract(["in"])).comparisons]
    assert len({c["unit"] for c in expected}) == 2 and outcome.comparisons == len(expected) > 4
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    assert data["comparisons"] == expected
    text = (tmp_path / "out" / "审核结果.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    streamed = [{k: v for k, v in line.items() if k != "type"} for line in lines if line["type"] == "comparison"]
    assert streamed == expected
    wb = openpyxl.load_workbook(tmp_path / "out" / "审核汇总.xlsx", read_only=True)
    rows = list(wb["年度对比"].iter_rows(min_row=2, values_only=True))
    header = next(wb["年度对比"].iter_rows(max_row=1, values_only=True))
    assert [r[header.index("指纹")] for r in rows] == [c["fingerprint"] for c in expected]
