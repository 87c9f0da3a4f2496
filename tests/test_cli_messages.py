"""The command line speaks Chinese throughout: help, usage errors, operating-system errors; and the
self-check reads top-down (verdict and what to fix first, then per table, echoes folded)."""

from __future__ import annotations

import itertools
import re
import shutil

import click
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from auditor.cli import main

SAMPLE_000 = SAMPLES / "000_6173ad3f6f2e28ea.txt"
# click's own English, as it would print without the catalogue
ENGLISH = re.compile(r"Usage:|Options:|Commands:|Show this message|Try '|Error:|Missing (argument|option)|"
                     r"Invalid value|No such (option|command)|\[required\]|\bTEXT\b|\bINTEGER\b|\bFLOAT\b|"
                     r"\bRANGE\b|\bPATH\b|\bFILE\b|\bDIRECTORY\b|default:|is not one of|not a valid")


def run(*args):
    return CliRunner().invoke(main, [*map(str, args)], prog_name="auditor")


COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese(command):
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert "用法：auditor" in result.output and "选项：" in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_says_what_it_does(command):
    for param in main.commands[command].params:
        if isinstance(param, click.Option):
            assert param.help and not param.help.isascii(), (command, param.name)


@pytest.mark.parametrize("args,expected", [
    (["check"], "缺少参数"),
    (["check", "--format", "pdf", "x.txt"], "不在可选值"),
    (["audit", "x", "-o", "y", "--jobs", "many"], "不是有效的整数"),
    (["audit", "x", "-o", "y", "--jobs", "0"], "不在范围"),
    (["chek"], "没有命令"),
    (["check", "--colour", "x.txt"], "没有选项"),
    (["audit", "x"], "缺少选项"),
    (["explain", "没有这种问题"], "没有规则或问题类型"),
])
def test_usage_errors_are_chinese(args, expected):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.output and "运行“auditor" in result.output
    assert not ENGLISH.search(result.output), result.output


def test_an_os_error_reaches_the_user_in_chinese(tmp_path):
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    result = run("check", SAMPLE_000, "-o", blocker / "结果.txt")
    assert result.exit_code == 2
    assert "路径中有一段不是文件夹" in result.output and "结果.txt" in result.output
    assert "Traceback" not in result.output and "Errno" not in result.output


def test_the_self_check_opens_with_the_verdict_and_what_to_fix_first():
    text = click.unstyle(run("check", SAMPLE_000).output)
    lines = text.splitlines()
    first_table = next(i for i, ln in enumerate(lines) if ln.startswith("  【"))
    head = "\n".join(lines[:first_table])
    assert "总体得分" in head and "错误" in head and "先改这些（最严重的 5 个）" in head
    assert len(re.findall(r"^    \d\. ", head, re.M)) == 5
    assert lines[2].startswith("  先改这些")


def test_echoes_fold_into_their_finding_and_verbose_lists_all():
    short = click.unstyle(run("check", SAMPLE_000).output)
    full = click.unstyle(run("check", SAMPLE_000, "-v").output)
    assert not re.search(r"提示 V13", short)  # every doubled value here sits beside another finding
    assert "（原文“良好良好”，指标值叠字）" in short
    assert len(re.findall(r"提示 V13", full)) > 20 and "依据：" in full
    assert len(short.splitlines()) < 0.6 * len(full.splitlines())


def test_one_shared_suggestion_is_said_once():
    text = click.unstyle(run("check", SAMPLES / "002_4d30544783f67109.txt").output)
    suggestions = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("建议：")]
    blocks = text.split("\n  【")
    for block in blocks:
        said = [ln.strip() for ln in block.splitlines() if ln.strip().startswith("建议：")]
        repeated = [s for s in set(said) if said.count(s) > 1]
        for s in repeated:  # said again only after another suggestion came between
            positions = [i for i, x in enumerate(said) if x == s]
            assert all(b - a > 1 for a, b in itertools.pairwise(positions)), s
    assert suggestions


def test_results_from_the_cache_say_so(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.txt"))[:2]:
        shutil.copy(path, folder / path.name)
    cache = tmp_path / "cache.sqlite"
    first = click.unstyle(run("check", folder, "--cache", cache).output)
    assert "结果来自缓存" not in first
    again = click.unstyle(run("check", folder, "--cache", cache).output)
    assert again.count("结果来自缓存") == 2
    out = tmp_path / "out"
    assert run("audit", folder, "-o", out, "--cache", cache, "-q").exit_code == 0
    (folder / sorted(p.name for p in folder.iterdir())[0]).write_text(
        (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run("audit", folder, "-o", out, "--cache", cache, "-q")
    assert "其中 1 份内容未变，沿用已有的结果" in result.output


def test_explain_takes_a_kind_and_prints_no_slug():
    by_code = click.unstyle(run("explain", "V13").output)
    assert by_code.splitlines()[0].startswith("V13 指标值叠字") and "doubled-value" not in by_code
    by_kind = click.unstyle(run("explain", "doubled_value").output)
    by_label = click.unstyle(run("explain", "指标值叠字").output)
    assert by_kind == by_label and "V13" in by_kind
    several = click.unstyle(run("explain", "vague_value").output)
    assert "V02" in several and several.count("依据：") >= 2
    assert not re.search(r"[a-z]+-[a-z]+", by_code) and "{\"" not in click.unstyle(run("explain", "V16").output)


def test_explain_says_what_a_pass_example_passes():
    text = click.unstyle(run("explain", "V02").output)
    assert "（其他逐条指标规则也都不报）" in text
    assert "（本规则不报；此例的问题由 T01 报告）" in text


def test_rule_texts_name_no_configuration_key():
    from auditor.check import load_rules

    for rule in load_rules(None):
        for text in (rule.description, rule.message, rule.suggestion, rule.basis):
            bare = re.sub(r"\{[^}]*\}", "", text or "")
            assert not re.search(r"[a-z]+_[a-z_]+|\.json|auditor ", bare), (rule.code, bare)
