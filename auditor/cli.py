"""Command line: `auditor audit`, `check`, `extract`, `rules`, `explain`.

Exit codes follow the linters: 0 clean, 1 findings, 2 unreadable input or usage error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

import click

from . import __version__
from .cli_messages import Command, Context, finish_sentence
from .cli_messages import install as _speak_chinese
from .errors import InputError, describe_os_error
from .inputs import display_path

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_speak_chinese()


def report_error(error: InputError) -> None:

    click.echo(f"错误：{display_path(error.path)}：{error.problem}", err=True)


def fail(message: str) -> None:
    """A user mistake (a missing file, a wrong option value): said in Chinese, exit 2, no traceback."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(EXIT_ERROR)


def gather_inputs(paths: Iterable[str]) -> tuple[list[str], list]:
    """The files to process, and a failure (named, with its reason) for every file found but not read."""
    from . import api
    from .inputs import no_inputs_message

    inputs, skipped = api.gather(paths)
    if not inputs and not skipped:
        fail(no_inputs_message())
    for item in skipped:
        report_error(InputError(item.path, item.error))
    return inputs, skipped


def options_or_exit(**values):
    """api.Options, with its rules and profile loaded once here so that a broken pack or profile
    stops the command before any document is read (exit 2, the file and line named)."""
    from . import api

    options = api.Options(**values)
    try:
        rules, profile = api.load(options)
    except api.ConfigError as exc:
        fail(str(exc))
    _warn_unusable_models(rules)
    return options, profile


def limit_options(command):
    """The limits every command that reads documents shares (one pipeline, the same guards)."""
    for option in reversed((
        click.option("--max-size", type=click.FloatRange(min=0.1), metavar="MB", default=50.0, show_default=True,
                     help="单个文件大小上限（MB），超过的文件不读取，记入“处理失败”"),
        click.option("--timeout", type=click.FloatRange(min=0), metavar="秒", default=120.0, show_default=True,
                     help="单个文件处理时间上限（秒，0 为不限）：超时的文件其处理进程被终止，记入“处理失败”"),
        click.option("--max-memory", type=click.FloatRange(min=0), metavar="MB", default=2048.0, show_default=True,
                     help="每个处理进程处理一个文件时最多再占用的内存（MB，0 为不限）"),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), metavar="个数", help="并行进程数（默认为 CPU 核数）"),
    )):
        command = option(command)
    return command


class _Commands(click.Group):
    """The command group: usage errors said in Chinese, and an operating-system error anywhere (a
    report that cannot be written, a full disk) as one Chinese line and exit 2, never a traceback."""

    context_class = Context
    command_class = Command

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]…")
        super().__init__(*args, **kwargs)

    def main(self, *args, **kwargs):
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
                command = exc.ctx.command_path
                click.echo(f"运行“{command} --help”查看用法。", err=True)
            click.echo(f"\n错误：{finish_sentence(exc.format_message())}", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            click.echo(f"错误：{finish_sentence(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止。", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            problem = describe_os_error(exc)
            if exc.filename2 is not None:
                fail(f"无法写入 {exc.filename2}：{problem}（{exc.filename}）")
            fail(f"{exc.filename}：{problem}" if exc.filename is not None else problem)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="auditor")
def main() -> None:
    """绩效目标审核：从预算公开文件中提取绩效目标表并审核。"""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="文件或文件夹…")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True,
              help="输出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="输出文件（默认输出到屏幕；xlsx 必须指定）")
@limit_options
def extract(paths: tuple[str, ...], fmt: str, output: str | None, max_size: float, timeout: float,
            max_memory: float, jobs: int | None) -> None:
    """提取绩效目标表：每个指标一行（一级/二级/三级指标、指标值及解析结果）。"""
    from . import api
    from .serialize import FLAT_COLUMNS, document_dict, flat_rows

    if fmt == "xlsx" and not output:
        raise click.UsageError("xlsx 格式需要用 -o 指定输出文件")
    from .inputs import no_inputs_message

    options = api.Options(max_size_mb=max_size, timeout_s=timeout, memory_mb=max_memory, jobs=jobs)
    failed: list = []
    documents = api.extract(paths, options, failed)
    if not documents and not failed:
        fail(no_inputs_message())
    for failure in failed:
        report_error(InputError(failure.path, failure.error))
    failures = [{"path": f.path, "error": f.error} for f in failed]
    for doc in documents:
        path = doc.path
        if not doc.projects and not doc.overall:
            click.echo(f"提示：{path}：未找到绩效目标表", err=True)
        else:
            rows = sum(len(p.indicators) + len(p.annual_indicators) for p in doc.projects)
            rows += sum(len(o.indicators) for o in doc.overall)
            targets = sum(1 for p in doc.projects if not p.self_evaluation)
            evaluations = len(doc.projects) - targets
            tables = f"{targets} 个项目表，{len(doc.overall)} 张整体表" + (f"，{evaluations} 张绩效自评表"
                                                                       if evaluations else "")
            click.echo(f"{path}：{tables}，{rows} 行指标", err=True)
        for fragment in doc.fragments:
            click.echo(f"警告：{path}：第 {fragment.line_start}–{fragment.line_end} 行的指标缺少表头，"
                       f"作为残表单独列出", err=True)
        for note in doc.notes:
            click.echo(f"提示：{path}：{note}", err=True)
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
        from .report.extracted import write_extracted

        write_extracted(output, documents)
    if output:
        click.echo(f"已写入 {output}", err=True)
    sys.exit(EXIT_ERROR if failures else EXIT_OK)


SEVERITY_CHOICES = click.Choice(["错误", "警告", "提示"])


def _load_rules_or_exit(select: str | None, ignore: str | None, rules_dir: str | None = None):
    from .check import RuleError, load_rules, select_rules

    try:
        rules = load_rules(rules_dir)
    except RuleError as exc:
        fail(f"规则包有误：{exc}")
    chosen = select_rules(rules, select, ignore)
    if not chosen:
        raise click.UsageError("--select/--ignore 之后没有剩下任何规则")
    _warn_unusable_models(chosen)
    return chosen


def _warn_unusable_models(rules) -> None:
    """A missing or corrupt model file is said once, clearly; the rules still run."""
    from .classify.apply import load_model
    from .classify.model import ModelError

    for name in sorted({r.params.get("model") for r in rules if r.check == "model"}):
        try:
            load_model(name)
        except ModelError as exc:
            codes = ", ".join(r.code for r in rules if r.params.get("model") == name)
            click.echo(f"警告：{exc}；{codes} 本次不运行，其余规则照常审核", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="文件或文件夹…")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="输出文件（默认输出到屏幕）")
@click.option("--profile", default="national", show_default=True, metavar="口径",
              help="审核口径：national（全国）、shanxi（山西），或口径 YAML 文件路径")
@click.option("--select", metavar="规则", help="只运行这些规则（代码、通配符如 V0*、或问题类型，逗号分隔）")
@click.option("--ignore", metavar="规则", help="不运行这些规则（同上）")
@click.option("--fail-level", type=SEVERITY_CHOICES, default="警告", show_default=True,
              help="有此级别及以上的问题时退出码为 1")
@click.option("--exit-zero", is_flag=True, help="发现问题时退出码仍为 0（只有无法读取的文件才返回 2）")
@click.option("-v", "--verbose", is_flag=True, help="逐条列出全部问题（不合并叠字等重复的问题）及每条的修改建议和依据")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False),
              help="另加自己的规则包文件夹（其中的 *.yml，与内置规则一起运行；代码不得重复）")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), metavar="文件",
              help="使用缓存文件：内容、规则和选项都没变的文件直接用上次的结果（结果中会注明）")
@click.option("--library", type=click.Path(dir_okay=False), metavar="指标库",
              help="指标库（auditor library build 生成）：含糊或缺少的指标在修改建议中列出同类项目的常用值")
@limit_options
def check(paths: tuple[str, ...], fmt: str, output: str | None, profile: str, select: str | None,
          ignore: str | None, fail_level: str, exit_zero: bool, verbose: bool, rules_dir: str | None,
          cache_path: str | None, library: str | None, max_size: float, timeout: float, max_memory: float,
          jobs: int | None) -> None:
    """审核绩效目标：列出每个项目的问题、修改建议和依据，并给出得分与等级。

    退出码：0 没有达到 --fail-level 的问题；1 有；2 有文件无法读取或用法错误。
    """
    from . import api
    from .model import SEVERITY_ORDER

    options, settings = options_or_exit(profile=profile, select=select, ignore=ignore, rules=rules_dir,
                                        max_size_mb=max_size, timeout_s=timeout, memory_mb=max_memory, jobs=jobs,
                                        library=library)
    inputs, skipped = gather_inputs(paths)
    failures = [{"path": f.path, "error": f.error} for f in skipped]
    checked = []
    cache = _open_cache(cache_path, no_cache=False) if cache_path else None
    try:
        for item in api.results(inputs, options, cache):
            if isinstance(item, api.Failure):
                report_error(InputError(item.path, item.error))
                failures.append({"path": item.path, "error": item.error})
            else:
                checked.append(item[0])
    finally:
        if cache is not None:
            cache.close()
    if fmt == "json":
        from .output import write_json
        from .report.records import checked_dict

        data = {"profile": settings.name, "documents": [checked_dict(c) for c in checked],
                "failures": failures}
        text = write_json(output, data)
        if output is None:
            click.echo(text)
    else:
        from .report.terminal import render

        text = render(checked, verbose)
        if output:
            from .output import atomic_writer

            with atomic_writer(output) as handle:
                handle.write(click.unstyle(text) + "\n")
        else:
            click.echo(text)
    if output:
        click.echo(f"已写入 {output}", err=True)
    threshold = SEVERITY_ORDER[fail_level]
    failing = not exit_zero and any(SEVERITY_ORDER[f.severity] >= threshold for c in checked for f in c.findings)
    sys.exit(EXIT_ERROR if failures else EXIT_FINDINGS if failing else EXIT_OK)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False),
              help="另加自己的规则包文件夹（其中的 *.yml，与内置规则一起运行；代码不得重复）")
def list_rules(fmt: str, rules_dir: str | None) -> None:
    """列出全部审核规则（代码、问题类型、严重程度、说明）。"""
    from .vocabulary import KIND_LABELS

    rules = _load_rules_or_exit(None, None, rules_dir)
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity,
                                "scope": r.scope, "group": r.group, "description": r.description}
                               for r in rules], ensure_ascii=False, indent=1))
        return
    for r in rules:
        summary = (r.description or r.message).split("。")[0]
        label = KIND_LABELS.get(r.kind, r.kind)
        click.echo(f"{r.code}  {r.severity}  {label}{'　' * max(0, 14 - len(label))} {summary}")
    click.echo(f"\n共 {len(rules)} 条规则。用 auditor explain 代码 查看详情。")


@main.command()
@click.argument("code", metavar="规则代码或问题类型")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False),
              help="另加自己的规则包文件夹（其中的 *.yml，与内置规则一起运行；代码不得重复）")
def explain(code: str, rules_dir: str | None) -> None:
    """解释规则：说明、示例（不合格/合格）和依据。可以给规则代码（V02），也可以给问题类型
    （vague_value 或“指标值含糊”），后者列出这一类的全部规则。"""
    from .vocabulary import KIND_LABELS

    rules = _load_rules_or_exit(None, None, rules_dir)
    wanted = code.strip()
    chosen = [r for r in rules if r.code == wanted.upper()] or [
        r for r in rules if wanted in (r.kind, KIND_LABELS.get(r.kind))]
    if not chosen:
        raise click.UsageError(f"没有规则或问题类型“{code}”（用 auditor rules 查看全部规则）")
    for n, rule in enumerate(chosen):
        if n:
            click.echo("\n" + "─" * 40 + "\n")
        _explain_rule(rule, rules)


def _explain_rule(rule, rules) -> None:
    from .check import load_profile
    from .check.explain import explanation

    text = explanation(rule, rules, load_profile("national"))
    click.echo(click.style(f"{text['code']} {text['label']}", bold=True) + f"  [{text['severity']}]")
    click.echo(f"适用范围：{text['scope']}")
    if text["description"]:
        click.echo(f"\n{text['description']}")
    click.echo(f"\n提示语：{text['message']}")
    click.echo(f"修改建议：{text['suggestion']}")
    for level2, suggestion in text["suggestions"].items():
        click.echo(f"  · {level2}：{suggestion}")
    for outcome, title in (("fail", "不合格示例"), ("pass", "合格示例")):
        if text[outcome]:
            click.echo(f"\n{title}：")
            for example in text[outcome]:
                click.echo(f"  {example['text']}{example['note']}")
    click.echo(f"\n依据：{text['basis']}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="文件或文件夹…")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="输出文件夹（写入 审核汇总.xlsx、审核结果.json，以及 --per-unit 的各单位审核意见）")
@click.option("--per-unit", is_flag=True, help="另为每个单位写一份审核意见工作簿，交给该单位整改")
@click.option("--profile", default="national", show_default=True, metavar="口径",
              help="审核口径：national、shanxi 或口径 YAML 文件")
@click.option("--select", metavar="规则", help="只运行这些规则（代码、通配符或问题类型，逗号分隔）")
@click.option("--ignore", metavar="规则", help="不运行这些规则")
@click.option("--baseline", type=click.Path(), multiple=True, metavar="工作簿",
              help="上次的 审核汇总.xlsx 和/或各单位交回的审核意见（可多次指定，或指定文件夹）：“审核意见”标为"
                   "“误报”的问题本次不再列出（列在“已排除”），审核意见、审核说明和整改情况带入本次")
@click.option("--office", default="", metavar="名称",
              help="审核单位，写在各单位审核意见的开头（如“某某县财政局绩效科”）")
@click.option("--deadline", default="", metavar="日期", help="各单位报送整改情况的时限（如“2026年12月20日”）")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False), help="缓存文件（默认在用户缓存目录）")
@click.option("--no-cache", is_flag=True, help="不使用缓存，全部重新审核")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False),
              help="另加自己的规则包文件夹（其中的 *.yml，与内置规则一起运行；代码不得重复）")
@click.option("--library", type=click.Path(dir_okay=False), metavar="指标库",
              help="指标库（auditor library build 生成）：含糊或缺少的指标在修改建议中列出同类项目的常用值")
@limit_options
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="在哪里审核：local 本机多进程；dask 在 dask.distributed 集群上"
                   "（需 pip install \"auditor[cluster]\"）")
@click.option("--scheduler", metavar="地址",
              help="dask 调度器地址（如 tcp://10.0.0.5:8786）；不指定则在本机启动 --jobs 个工作进程")
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条")
def audit(paths: tuple[str, ...], outdir: str, per_unit: bool, profile: str, select: str | None,
          ignore: str | None, baseline: tuple[str, ...], office: str, deadline: str, jobs: int | None,
          cache_path: str | None, no_cache: bool, rules_dir: str | None, library: str | None,
          max_size: float, timeout: float, max_memory: float, engine: str, scheduler: str | None,
          quiet: bool) -> None:
    """批量审核：写出审核汇总工作簿（汇总排名、问题清单、指标明细、处理失败）和 JSON。

    退出码：0 全部文件已审核；2 有文件无法处理（其余照常审核，失败原因列在“处理失败”）或用法错误。
    """
    from . import api
    from .report.writers import JSON_LINES, JSON_REPORT, SUMMARY, UNITS_FOLDER

    options, _ = options_or_exit(profile=profile, select=select, ignore=ignore, rules=rules_dir, max_size_mb=max_size,
                                 timeout_s=timeout, memory_mb=max_memory, jobs=jobs, library=library,
                                 engine=engine, scheduler=scheduler)
    if scheduler and engine != "dask":
        fail("--scheduler 只用于 --engine dask")
    cache = _open_cache(cache_path, no_cache)
    bar = None

    began = [0.0, 0]  # when the files started, how many are done

    def rate(_item: object) -> str:
        elapsed = time.monotonic() - began[0]
        return f"{began[1] / elapsed:.1f} 份/秒" if began[1] and elapsed > 0 else ""

    def start(total: int) -> None:
        """Files done of all, the rate and the time left — on a terminal only (quiet when piped or -q)."""
        nonlocal bar
        began[0] = time.monotonic()
        if not quiet and sys.stderr.isatty():
            bar = click.progressbar(length=total, label="审核中", file=sys.stderr, show_pos=True, show_eta=True,
                                    item_show_func=rate)

    def one_done() -> None:
        began[1] += 1
        if bar is not None:
            bar.update(1, current_item=began[1])

    try:
        letter = api.Letter(office=office.strip(), deadline=deadline.strip())
        outcome = api.audit_to(paths, outdir, options, per_unit, list(baseline), cache, letter, on_total=start,
                               on_file=one_done,
                               on_failure=lambda f: report_error(InputError(f.path, f.error)), resume=not no_cache)
    except (api.NoInputs, api.ClusterError) as exc:
        fail(str(exc))
    except InputError as exc:  # the baseline (read before any document)
        fail(f"{exc.path}：{exc.problem}")
    except OSError as exc:
        fail(f"无法写入输出文件夹 {outdir}（{describe_os_error(exc)}）")
    finally:
        if cache is not None:
            cache.close()
    if bar is not None:
        bar.render_finish()
    out, failed = Path(outdir), outcome.failed
    if outcome.up_to_date:
        click.echo(f"输入文件、规则和选项都与上次相同，{out} 中的报告已是最新，未重写"
                   f"（{outcome.done} 份已审核，{failed} 份失败）。", err=True)
        sys.exit(EXIT_ERROR if failed else EXIT_OK)
    reused = f"（其中 {outcome.cached} 份内容未变，沿用已有的结果）" if outcome.cached else ""
    click.echo(f"已审核 {outcome.done} 份文件{reused}，失败 {failed} 份，"
               f"按上次审核意见排除误报 {outcome.suppressed} 条。", err=True)
    if outcome.comparisons or outcome.groups:
        click.echo(f"跨文件对比：年度对比问题 {outcome.comparisons} 条，不同单位雷同的项目 {outcome.groups} 组"
                   "（见“年度对比”“相似填报”工作表，不计入得分）。", err=True)
    click.echo(f"已写入 {out / SUMMARY}、{out / JSON_REPORT}、{out / JSON_LINES}"
               + (f"（行数较多，问题清单和指标明细另分 {outcome.parts - 1} 个工作簿，见“说明”）"
                  if outcome.parts > 1 else "")
               + (f" 和 {len(outcome.written) - 2 - outcome.parts} 份单位审核意见（{out / UNITS_FOLDER}"
                  + (f"，其中 {outcome.units_kept} 份内容未变，保留原文件" if outcome.units_kept else "") + "）"
                  if per_unit else ""),
               err=True)
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


@main.command()
@click.argument("old", type=click.Path(), metavar="上年文件或文件夹")
@click.argument("new", type=click.Path(), metavar="本年文件或文件夹")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="工作簿",
              help="另写出年度对比工作簿（.xlsx：年度对比、相似填报两张表）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="屏幕输出格式")
@click.option("--profile", default="national", show_default=True, metavar="口径", help="审核口径（决定资金变化等阈值）")
@click.option("--select", metavar="规则", help="只运行这些规则（如 Y02,Y05）")
@click.option("--ignore", metavar="规则", help="不运行这些规则（如 Y04）")
@click.option("--exit-zero", is_flag=True, help="发现问题时退出码仍为 0")
@limit_options
def compare(old: str, new: str, output: str | None, fmt: str, profile: str, select: str | None, ignore: str | None,
            exit_zero: bool, max_size: float, timeout: float, max_memory: float, jobs: int | None) -> None:
    """年度对比：本年的绩效目标与上年同一单位、同一项目比较。

    项目按名称匹配（去掉年份、容许小的改动）；报告照搬上年而资金已变、目标降低、删去或新增指标、
    上年自评未完成却未改进，以及本年各单位之间雷同的项目。

    退出码：0 未发现问题；1 发现问题；2 文件无法读取或用法错误。
    """
    import json

    from . import api
    from .report.across import comparison_dict, similar_dict, write_compare_workbook

    options, _ = options_or_exit(profile=profile, select=select, ignore=ignore, max_size_mb=max_size,
                                 timeout_s=timeout, memory_mb=max_memory, jobs=jobs)
    failures: list = []
    sides = []
    for side in (old, new):
        inputs, skipped = gather_inputs([side])
        if not inputs:
            fail(f"{side}：没有可以读取的文件")
        sides.append(inputs)
        failures.extend(skipped)
    reported = len(failures)
    found = api.compare(sides[0], sides[1], options, failures)
    failures_now = failures[reported:]
    for f in failures_now:
        report_error(InputError(f.path, f.error))
    for side, count, label in ((old, found.sides[0], "上年"), (new, found.sides[1], "本年")):
        if not count:
            fail(f"{side}：{label}一侧没有读出任何文件，无法对比")
    if fmt == "json":
        click.echo(json.dumps({"pairs": found.pairs, "comparisons": [comparison_dict(c) for c in found.comparisons],
                               "similar": [similar_dict(g) for g in found.groups]}, ensure_ascii=False, indent=1))
    else:
        for c in found.comparisons:
            f = c.finding
            click.echo(f"{display_path(f.location.file)}  {f.severity} {f.rule}  《{f.project}》 {f.message}")
            click.echo(f"    建议：{f.suggestion}")
        for g in found.groups:
            click.echo(f"{g.finding.severity} {g.finding.rule}  {g.finding.message}")
        click.echo(f"对比了 {found.pairs} 对文件：年度对比问题 {len(found.comparisons)} 条，"
                   f"不同单位雷同的项目 {len(found.groups)} 组。", err=True)
        if not found.pairs:
            click.echo("两边没有同一单位的文件：按单位名称配对（两边各只有一个文件时直接对比）。", err=True)
    if output:
        write_compare_workbook(Path(output), found.comparisons, found.groups)
        click.echo(f"已写入 {output}", err=True)
    if failures:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if found.findings and not exit_zero else EXIT_OK)


@main.command()
@click.argument("path", type=click.Path(), metavar="文件")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="修改建议.xlsx",
              help="写出的工作簿（默认：当前文件夹下的“文件名_修改建议.xlsx”）")
@click.option("--profile", default="national", show_default=True, metavar="口径",
              help="审核口径：national（全国）、shanxi（山西），或口径 YAML 文件路径")
@click.option("--library", type=click.Path(dir_okay=False), metavar="指标库",
              help="指标库（auditor library build 生成）：本项目文字里找不到依据时，采用同类项目的常用值")
@limit_options
def fix(path: str, output: str | None, profile: str, library: str | None, max_size: float, timeout: float,
        max_memory: float, jobs: int | None) -> None:
    """修改建议：把本单位的绩效目标表按填报模板的版式写出，每个有问题的指标值换成建议值。

    建议值优先取自本项目的文字（实施计划中的时限、资金÷数量得出的单位成本），其次是审核口径的常用值，
    再次是指标库中同类项目的常用值；原值列在旁边，每条都标“请确认”。改好后可直接 auditor check 该工作簿。
    退出码：0 已写出；2 文件无法读取或用法错误。
    """
    from . import api

    options, _ = options_or_exit(profile=profile, max_size_mb=max_size, timeout_s=timeout, memory_mb=max_memory,
                                 jobs=jobs, library=library)
    inputs, _ = gather_inputs([path])
    if not inputs:
        sys.exit(EXIT_ERROR)
    target = Path(output) if output else Path(f"{Path(path).stem}_修改建议.xlsx")
    try:
        fixed = api.fix(inputs[0], target, options)
    except InputError as exc:
        report_error(exc)
        sys.exit(EXIT_ERROR)
    added = sum(1 for p in fixed.proposals if p.original is None)
    click.echo(f"{display_path(inputs[0])}：提出 {len(fixed.proposals)} 条修改建议（其中新增指标 {added} 条），"
               f"针对 {len(fixed.answered)} 条问题；另有 {len(fixed.left)} 条问题需要单位自己修改"
               "（见“需单位修改”工作表）。", err=True)
    click.echo(f"已写入 {target}", err=True)
    sys.exit(EXIT_OK)


@main.group(cls=_Commands)
def library() -> None:
    """指标库：从任意一批文件汇总每个指标的二级类别、值类型、单位和常用值，供修改建议引用。"""


@library.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="文件或文件夹…")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="指标库.sqlite",
              help="写出的指标库文件")
@click.option("--profile", default="national", show_default=True, metavar="口径",
              help="审核口径（被规则判为错误或警告的值不作为示例）")
@limit_options
def library_build(paths: tuple[str, ...], output: str, profile: str, max_size: float, timeout: float,
                  max_memory: float, jobs: int | None) -> None:
    """读取文件夹中的全部绩效目标表，生成指标库。

    用法：auditor library build 各县绩效目标/ -o 指标库.sqlite ，之后 auditor check/audit/fix 加
    --library 指标库.sqlite 。退出码：0 完成；2 有文件无法读取（其余照常收录）或用法错误。
    """
    from . import api

    options, _ = options_or_exit(profile=profile, max_size_mb=max_size, timeout_s=timeout, memory_mb=max_memory,
                                 jobs=jobs)
    inputs, skipped = gather_inputs(paths)
    failures: list = []
    counts = api.build_library(inputs, output, options, failures)
    for f in failures:
        report_error(InputError(f.path, f.error))
    click.echo(f"已写入 {output}：{counts['documents']} 份文件、{counts['projects']} 个项目、"
               f"{counts['indicators']} 条指标。", err=True)
    sys.exit(EXIT_ERROR if failures or skipped else EXIT_OK)


def _open_cache(cache_path: str | None, no_cache: bool):
    if no_cache:
        return None
    import sqlite3

    from .cache import ResultCache, default_cache_path

    path = Path(cache_path) if cache_path else default_cache_path()
    try:
        return ResultCache(path)
    except (sqlite3.Error, OSError) as exc:
        click.echo(f"警告：缓存 {path} 无法使用（{exc}），本次不使用缓存", err=True)
        return None


@main.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, exists=True),
              help="训练数据文件夹（默认 models/data）")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="模型输出文件夹（默认 models）")
@click.option("--gold", "gold_dir", type=click.Path(file_okay=False, exists=True),
              help="先用这个文件夹中的人工标注（*.json）重新生成 gold.csv")
def train(data_dir: str | None, out_dir: str | None, gold_dir: str | None) -> None:
    """重新训练分类器（含糊值、指标类别），写出模型和模型卡 card.json。"""
    from .classify.train import export_gold
    from .classify.train import train as train_models
    from .resources import models_dir

    data = Path(data_dir) if data_dir else models_dir() / "data"
    out = Path(out_dir) if out_dir else models_dir()
    if gold_dir:
        n = export_gold(Path(gold_dir), data / "gold.csv")
        click.echo(f"已从 {gold_dir} 生成 {data / 'gold.csv'}（{n} 行）", err=True)
    card = train_models(data, out)
    for name, m in card["models"].items():
        cv = m["grouped_cv"]
        figure = f"F1 {cv['f1']}" if "f1" in cv else f"准确率 {cv['accuracy']}"
        held = m["heldout"]
        held_figure = f"F1 {held['f1']}" if "f1" in held else f"准确率 {held['accuracy']}"
        click.echo(f"{name}: 分组交叉验证 {figure}（{cv['rows']} 行），留出集 {held_figure}（{held['rows']} 行），"
                   f"阈值 {m['threshold']}")
        real = m["real_rows_cv"]
        click.echo(f"  真实文件的行（{real['rows']} 行）：准确率 {_ci(real['accuracy'])}，达到阈值的占 "
                   f"{real['share_reaching_threshold']:.0%}，其中准确率 {_ci(real['accuracy_when_confident'])}")
        if "accuracy_on_specific_values" in real:
            click.echo(f"  其中指标值具体（不含糊）的行：准确率 {_ci(real['accuracy_on_specific_values'])}；"
                       f"按文件印出的二级计：{_ci(real['accuracy_against_printed'])}")
        for cls, figures in real["per_class"].items():
            share = figures["share_reaching_threshold"]
            label = {"0": "可核验", "1": "含糊"}.get(cls, cls) if name == "vague" else cls
            click.echo(f"    {label}：精确率 {_ci(figures['precision'])}，召回率 {_ci(figures['recall'])}，"
                       f"达到阈值的占 {'—' if share is None else f'{share:.0%}'}")
    click.echo(f"已写入 {out}（模型与 card.json）", err=True)


def _ci(rate: dict) -> str:
    if rate["value"] is None:
        return "—（0 行）"
    low, high = rate["ci95"]
    return f"{rate['value']:.2f}（95% 区间 {low:.2f}–{high:.2f}，{rate['rows']} 行）"


@main.command()
@click.option("-o", "--output", default="绩效目标表.xlsx", show_default=True, type=click.Path(dir_okay=False),
              help="模板文件")
def template(output: str) -> None:
    """生成绩效目标填报模板（Excel），填好后可直接用 auditor check 审核。"""
    from .template import write_template

    write_template(output)
    click.echo(f"已写入 {output}：在“绩效目标”工作表中每个指标填一行，然后运行 auditor check {output}", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听地址；本机以外的地址（如 0.0.0.0）必须同时给出 --token")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), metavar="端口",
              help="端口（0 为任选一个空闲端口）")
@click.option("--token", metavar="令牌",
              help="访问令牌（至少 16 个字符；auto 为随机生成一个）；不给时在本机地址上随机生成")
@click.option("--store", "store_path", type=click.Path(dir_okay=False), metavar="文件",
              help="保存审核人意见（确认/误报/待定）的 SQLite 文件（默认 ~/.auditor/审核意见.sqlite）")
@click.option("--work", "work_dir", type=click.Path(file_okay=False), metavar="文件夹",
              help="存放上传文件和审核结果的文件夹（默认临时文件夹；每个任务一个子文件夹，过期或停止服务时删除）")
@click.option("--max-upload", type=click.FloatRange(min=0.1), default=200.0, show_default=True, metavar="MB",
              help="一次上传的文件合计上限（MB）")
@click.option("--max-files", type=click.IntRange(1, 100000), default=500, show_default=True, metavar="个数",
              help="一次上传最多的文件数（压缩包内的文件都计入）")
@click.option("--keep", type=click.FloatRange(min=1), default=120.0, show_default=True, metavar="分钟",
              help="任务闲置多久后删除其上传文件和结果")
@click.option("--open/--no-open", "open_browser", default=True, help="启动后在浏览器中打开页面")
@limit_options
def serve(host: str, port: int, token: str | None, store_path: str | None, work_dir: str | None, max_upload: float,
          max_files: int, keep: float, open_browser: bool, max_size: float, timeout: float, max_memory: float,
          jobs: int | None) -> None:
    """在浏览器中审核（本机网页）：拖入文件或 zip，查看问题、标注误报、下载审核意见。"""
    import secrets
    from pathlib import Path

    try:
        import uvicorn

        from .web.app import LOOPBACK_NAMES, ServeConfig, create_app
        from .web.jobs import default_work_folder
        from .web.uploads import Limits
    except ImportError as exc:
        fail(f"网页组件没有安装（{exc.name}）：请运行 pip install -e \".[web]\"")
    local = host in LOOPBACK_NAMES
    if token is None and not local:
        fail(f"监听 {host} 时其他电脑也能访问，必须用 --token 设置访问令牌（或 --token auto 随机生成一个）")
    if token is None or token == "auto":
        token = secrets.token_urlsafe(24)
    if len(token) < 16:
        fail("访问令牌太短：至少 16 个字符（或 --token auto 随机生成一个）")
    options, _ = options_or_exit(max_size_mb=max_size, timeout_s=timeout, memory_mb=max_memory, jobs=jobs)
    store = Path(store_path) if store_path else Path.home() / ".auditor" / "审核意见.sqlite"
    work = Path(work_dir) if work_dir else default_work_folder()
    config = ServeConfig(token=token, work=work, store=store, host=host, keep_minutes=keep, options=options,
                         limits=Limits(max_file_mb=max_size, max_job_mb=max_upload, max_files=max_files))
    app = create_app(config)
    sock = _listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{sock.getsockname()[1]}/?token={token}"
    click.echo(f"审核页面：{url}\n（按 Ctrl+C 停止；审核人意见保存在 {store}）", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    click.echo("已停止。", err=True)


def _listen(host: str, port: int):
    """A listening socket (the address printed before the server starts is the one it serves on; with
    --port 0 the system picks the port)."""
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        fail(f"无法监听 {host}:{port}：{describe_os_error(exc)}")
    return sock
