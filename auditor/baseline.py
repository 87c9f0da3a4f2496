"""Reviewer verdicts round-trip: read the 审核意见 column of an earlier 审核汇总.xlsx.

Findings are matched by their fingerprint (rule, file, project, period, indicator, value — never
a row number), stored in the hidden 指纹 column, so verdicts survive re-ordering and new rows.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError


def read_verdicts(path: str | Path) -> dict[str, str]:
    """fingerprint → verdict (确认/误报/待定) for every reviewed finding of the workbook."""
    from openpyxl import load_workbook

    from .sources.safety import check_sheet_sizes, check_zip_container

    source = Path(path)
    if not source.is_file():
        raise InputError(str(path), "上次的审核汇总不存在" if not source.exists() else "不是文件")
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(str(path), "不是 Excel 工作簿（.xlsx），请指定上次审核生成的 审核汇总.xlsx")
    check_zip_container(source)
    check_sheet_sizes(source)
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(str(path), f"无法读取上次的审核汇总，文件已损坏（{type(exc).__name__}）") from None
    try:
        if "问题清单" not in wb.sheetnames:
            raise InputError(str(path), "没有“问题清单”工作表，不是本工具生成的审核汇总")
        rows = wb["问题清单"].iter_rows(values_only=True)
        header = [str(v or "") for v in next(rows, ())]
        if "审核意见" not in header or "指纹" not in header:
            raise InputError(str(path), "“问题清单”缺少“审核意见”或“指纹”列")
        verdict_col, fingerprint_col = header.index("审核意见"), header.index("指纹")
        verdicts = {}
        for row in rows:
            if len(row) <= max(verdict_col, fingerprint_col):
                continue
            verdict, fingerprint = row[verdict_col], row[fingerprint_col]
            if fingerprint and verdict and str(verdict).strip() in ("确认", "误报", "待定"):
                verdicts[str(fingerprint)] = str(verdict).strip()
        return verdicts
    finally:
        wb.close()
