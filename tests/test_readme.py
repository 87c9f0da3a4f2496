"""The README opens with the two commands; CI runs the second; the first must keep working."""

from __future__ import annotations

import re
import shlex

from click.testing import CliRunner
from conftest import ROOT

from auditor.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```bash\n(.+?)\n```", README)


def test_readme_opens_with_install_run_and_test_commands():
    install_and_run, run_tests = COMMANDS[:2]
    assert install_and_run.startswith('pip install -e ".[web]" && auditor ')
    assert run_tests == 'pip install -e ".[dev,web,ocr,cluster]" && pytest'
    assert README.index(install_and_run) < 200


def test_main_job_of_the_readme_runs_on_the_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = shlex.split(COMMANDS[0].split("&& auditor ", 1)[1])
    out = tmp_path / "审核结果"
    args[args.index("-o") + 1] = str(out)
    result = CliRunner().invoke(main, [*args, "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "审核汇总.xlsx").exists() and (out / "审核结果.json").exists()
    assert len(list((out / "各单位审核意见").glob("*.xlsx"))) == 4
