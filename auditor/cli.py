"""Command line: `auditor extract …` (more commands join as they are built).

Exit codes follow the linters: 0 clean, 1 findings, 2 unreadable input or usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click

from . import __version__
from .errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
TEXT_SUFFIXES = frozenset({".txt", ".text"})


def collect_inputs(paths: Iterable[str]) -> list[Path]:
    """Files as given, folders walked recursively for supported documents; sorted, no repeats."""
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                                and not p.name.startswith("."))
        else:
            candidates = [path]
        for p in candidates:
            key = p.resolve() if p.exists() else p
            if key not in seen:
                seen.add(key)
                found.append(p)
    return found


def report_error(error: InputError) -> None:
    click.echo(f"错误：{error.path}：{error.problem}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
def main() -> None:
    """绩效目标审核：从预算公开文件中提取绩效目标表并审核。"""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True,
              help="输出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="输出文件（默认输出到屏幕；xlsx 必须指定）")
def extract(paths: tuple[str, ...], fmt: str, output: str | None) -> None:
    """提取绩效目标表：每个指标一行（一级/二级/三级指标、指标值及解析结果）。"""
    from .extract import extract_path
    from .serialize import FLAT_COLUMNS, document_dict, flat_rows

    if fmt == "xlsx" and not output:
        raise click.UsageError("xlsx 格式需要用 -o 指定输出文件")
    inputs = collect_inputs(paths)
    if not inputs:
        raise click.UsageError("没有找到可读取的文件（支持 .txt）")
    documents = []
    failures = []
    for path in inputs:
        try:
            doc = extract_path(path)
        except InputError as exc:
            report_error(exc)
            failures.append({"path": str(path), "error": exc.problem})
            continue
        documents.append(doc)
        if not doc.projects and not doc.overall:
            extra = f"（含 {doc.self_evaluation_tables} 张绩效自评表，暂不提取）" if doc.self_evaluation_tables else ""
            click.echo(f"提示：{path}：未找到绩效目标表{extra}", err=True)
        else:
            rows = sum(len(p.indicators) + len(p.annual_indicators) for p in doc.projects)
            rows += sum(len(o.indicators) for o in doc.overall)
            click.echo(f"{path}：{len(doc.projects)} 个项目表，{len(doc.overall)} 张整体表，{rows} 行指标", err=True)
        for fragment in doc.fragments:
            click.echo(f"警告：{path}：第 {fragment.line_start}–{fragment.line_end} 行的指标缺少表头，"
                       f"作为残表单独列出", err=True)
    if fmt == "json":
        from .output import write_json

        text = write_json(output, {"documents": [document_dict(d) for d in documents], "failures": failures})
        if output is None:
            click.echo(text)
    elif fmt == "csv":
        from .output import write_csv

        text = write_csv(output, FLAT_COLUMNS, flat_rows(documents))
        if text is not None:
            click.echo(text, nl=False)
    else:
        from .output import write_table_xlsx

        write_table_xlsx(output, "指标明细", FLAT_COLUMNS, flat_rows(documents))
    if output:
        click.echo(f"已写入 {output}", err=True)
    sys.exit(EXIT_ERROR if failures else EXIT_OK)
