"""The 指标值 parser: comparators, numbers, units, periods, kinds, doubled print."""

from __future__ import annotations

import pytest

from auditor.values import collapse_doubled, parse_amount, parse_value


@pytest.mark.parametrize("raw,comparator,number", [
    ("≥95%", "≥", 95), ("≤5家", "≤", 5), ("=100%", "=", 100), ("<2小时", "<", 2), (">3次", ">", 3),
    ("＞3次", ">", 3), (">=80%", "≥", 80), ("不低于90%", "≥", 90), ("不少于10次", "≥", 10),
    ("不超过20万元", "≤", 20), ("不高于3%", "≤", 3), ("10个工作日以内", "≤", 10), ("50人以上", "≥", 50),
    ("5%以下", "≤", 5), ("至少3家", "≥", 3), ("控制在100万元", "≤", 100), ("100%", None, 100),
])
def test_comparators(raw, comparator, number):
    v = parse_value(raw)
    assert (v.comparator, v.number) == (comparator, number)


@pytest.mark.parametrize("raw,number,unit", [
    ("不少于三万人", 30000, "人"), ("九十五%", 95, "%"), ("两千份", 2000, "份"), ("十二个月", 12, "个月"),
    ("1,200,000元", 1200000, "元"), ("3万人", 30000, "人"), ("一百二十次", 120, "次"),
])
def test_numbers_chinese_and_scaled(raw, number, unit):
    v = parse_value(raw)
    assert (v.number, v.unit) == (number, unit)


@pytest.mark.parametrize("raw,yuan,annual,per", [
    ("3.6万元", 36000, 36000, None), ("37.1万", 371000, 371000, None),
    ("≥285.464元/月", 285.464, 3425.568, "月"),
    ("≥4000元/季度", 4000, 16000, "季度"), ("97.8万元/年", 978000, 978000, "年"), ("30000万/年", 3e8, 3e8, "年"),
    ("1.2亿元", 1.2e8, 1.2e8, None), ("500元/人", 500, None, "人"), ("2万元/户", 20000, None, "户"),
])
def test_money_normalised_and_annualised(raw, yuan, annual, per):
    v = parse_value(raw)
    assert v.kind == "money" and v.per == per
    assert v.yuan == pytest.approx(yuan)
    assert (v.annual_yuan is None and annual is None) or v.annual_yuan == pytest.approx(annual)


@pytest.mark.parametrize("raw,name,kind", [
    ("≥95%", "", "percent"), ("65家", "", "quantity"), ("20万元", "", "money"), ("2026年6月30日前", "", "deadline"),
    ("≤12月", "", "deadline"), ("10号", "", "deadline"), ("周二", "", "deadline"), ("2026年", "", "deadline"),
    ("1年", "", "duration"), ("≤2小时", "", "duration"), ("≤30分钟", "", "duration"), ("良好", "", "qualitative"),
    ("及时", "", "qualitative"), ("是", "", "yesno"), ("有助于有助于", "是否有助于提振", "yesno"), ("", "", "empty"),
    ("满意度高", "", "qualitative"), ("每月10日前", "", "deadline"),
])
def test_kinds(raw, name, kind):
    assert parse_value(raw, name).kind == kind


def test_deadline_date_parts():
    assert parse_value("2026年6月30日前").date == (2026, 6, 30)
    assert parse_value("12月底前").date == (None, 12, None)


@pytest.mark.parametrize("raw,text,doubled", [
    ("是是", "是", True), ("及时及时", "及时", True), ("良好良好", "良好", True),
    ("持续改善持续改善", "持续改善", True),
    ("每年几乎无工业碳排放每年几乎无工业", "每年几乎无工业碳排放", True), ("≥95%", "≥95%", False),
    ("1111", "1111", False), ("提高", "提高", False), ("保证就业率保证就业率", "保证就业率", True),
])
def test_doubled_print(raw, text, doubled):
    v = parse_value(raw)
    assert (v.text, v.doubled, v.raw) == (text, doubled, raw)


def test_ranges_and_approximation():
    v = parse_value("90%-95%")
    assert (v.number, v.number_high, v.unit) == (90, 95, "%")
    v = parse_value("5%左右")
    assert v.approximate and v.number == 5


def test_collapse_doubled_keeps_plain_text():
    assert collapse_doubled("完成改造") == ("完成改造", False)


@pytest.mark.parametrize("raw,amount", [("1,200,000", 1200000), ("28,794.24", 28794.24), ("0", 0), ("", None),
                                        ("其他", None), ("１２０", 120)])
def test_amounts(raw, amount):
    assert parse_amount(raw) == amount
