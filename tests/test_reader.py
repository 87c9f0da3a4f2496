"""Decoding and cleaning of text inputs."""

from __future__ import annotations

import codecs

import pytest
from conftest import SAMPLES

from auditor.errors import InputError
from auditor.sources.text import clean_lines, decode, read_text
from auditor.textnorm import normalise

SAMPLE = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""),
])
def test_encodings_are_detected(encoding, prefix):
    text = SAMPLE.replace("\u2014", "-")  # GBK has no em dash variants used by some lines
    data = prefix + text.encode(encoding, errors="replace")
    assert decode(data, "x.txt").lstrip("\ufeff") == text.encode(encoding, errors="replace").decode(encoding)


def test_gb18030_file_extracts_like_utf8(tmp_path):
    from auditor.extract import extract_path

    path = tmp_path / "gb.txt"
    path.write_bytes(SAMPLE.encode("gb18030"))
    doc = extract_path(path)
    assert len(doc.projects) == 9 and doc.unit == "长治市屯留区人民政府办公室"


@pytest.mark.parametrize("data,problem", [
    (b"", "文件为空"), (b"  \n\r\n ", "文件为空"), (bytes(range(256)) * 40, "不是文本文件"),
    (b"\x00" * 100, "文件为空"), (b"PK\x03\x04" + bytes(range(200)) * 20, "不是文本文件"),
])
def test_bad_input_is_named(data, problem):
    with pytest.raises(InputError) as info:
        decode(data, "坏文件.txt")
    assert info.value.path == "坏文件.txt" and problem in info.value.problem


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="无法读取"):
        read_text(tmp_path / "nope.txt")


def test_watermarks_page_numbers_and_residue_are_removed():
    text = "\n".join([
        "# 某某局", "## 2026年度部门预算公开", "仅供内部审核", "- 3 -", "第 4 页 共 30 页",
        "<b>第一部分 概况</b>", "面积 m<sup>2</sup>", "| 项目 | 金额 |", "|---|---|", "| 办公费 | 10 |",
        "**一、基本支出：**指…", "10",
    ])
    kept = [ln.text for ln in clean_lines(text)]
    assert kept == ["某某局", "2026年度部门预算公开", "第一部分 概况", "面积 m2", "项目\t金额", "办公费\t10",
                    "一、基本支出：指…", "10"]


def test_line_numbers_point_at_the_file():
    lines = clean_lines("a\n仅供内部审核\nb")
    assert [(ln.number, ln.text) for ln in lines] == [(1, "a"), (3, "b")]


def test_repeated_running_header_is_dropped_but_table_titles_stay():
    header = "长治市某某局2026年部门预算公开"
    title = "某县级预算部门(单位)项目支出绩效目标表"
    text = "\n".join([header, "x", header, title, "y", header, title, "z", header, title])
    kept = [ln.text for ln in clean_lines(text)]
    assert kept.count(header) == 1 and kept.count(title) == 3


def test_watermark_cell_inside_a_table_row():
    (line,) = clean_lines("\t产出指标\t数量指标\t仅供内部审核\t")
    assert "仅供内部审核" not in line.text


def test_normalise_full_width():
    assert normalise("≥９５％ （元） ") == "≥95%(元)"
