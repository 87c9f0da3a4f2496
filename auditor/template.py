"""`auditor template`: a blank fill-in workbook for a unit's targets, which `auditor check` reads
back (the flat-list layout: one row per indicator, several projects per sheet)."""

from __future__ import annotations

from pathlib import Path

from .output import atomic_writer

COLUMNS = [
    ("项目名称", 28, "每个指标一行；同一项目的各行填写相同的项目名称"),
    ("主管部门", 22, "如：031-某某县工业和信息化局（同一项目填一次即可）"),
    ("实施单位", 20, "项目实施单位"),
    ("项目属性", 16, "如：一次性项目(1年结束)、经常性项目"),
    ("项目期", 8, "如：1年"),
    ("实施期资金总额", 14, "单位：元"),
    ("年度资金总额", 14, "单位：元"),
    ("年度目标", 36, "本年度要达到的产出和效果，写明数量、时限"),
    ("期间", 8, "实施期 或 年度（不填为实施期）"),
    ("一级指标", 12, "产出指标、效益指标、满意度指标（或成本指标）"),
    ("二级指标", 14, "从下拉列表选择"),
    ("三级指标", 28, "具体考核什么，如：补贴发放准确率"),
    ("指标性质", 10, "≥ ≤ = 或 定性"),
    ("指标值", 14, "数值或日期，如：95、2026年6月30日前"),
    ("计量单位", 10, "如：%、人、万元、元/人"),
    ("指标解释", 30, "可选：指标的计算方法或数据来源"),
]
LEVEL1 = ["产出指标", "效益指标", "满意度指标", "成本指标"]
LEVEL2 = ("数量指标 质量指标 时效指标 成本指标 经济效益 社会效益 生态效益 可持续影响 服务对象满意度 "
          "经济成本指标 社会成本指标 生态环境成本指标").split()
GUIDE = [
    "绩效目标填报模板（填写“绩效目标”工作表，每个指标一行）",
    "1. 产出指标至少包括数量、质量、时效三个二级指标，并设置成本指标（金额不超过项目资金，写成“≤”上限）。",
    "2. 效益指标按项目实际选择经济、社会、生态效益和可持续影响，至少一项；"
    "满意度指标写服务对象（受益人）的满意度，如 ≥90%。",
    "3. 指标值要能在年末客观核验：写数值、比率或日期，避免“及时”“良好”“提高”“是”等说法。",
    "   例：时效指标 / 补贴资金拨付完成时间 / 2026年6月30日前；"
    "质量指标 / 补助对象审核准确率 / = / 100 / %。",
    "4. 填好后运行：auditor check 本文件.xlsx ，即可看到需要修改的地方。",
]


def write_template(path: str | Path) -> None:
    import xlsxwriter

    with atomic_writer(path, binary=True) as handle:
        wb = xlsxwriter.Workbook(handle, {"in_memory": True, "strings_to_formulas": False})
        header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                "valign": "vcenter", "font_name": "宋体"})
        ws = wb.add_worksheet("绩效目标")
        for col, (title, width, hint) in enumerate(COLUMNS):
            ws.write_string(0, col, title, header)
            ws.set_column(col, col, width)
            ws.data_validation(1, col, 2000, col, {"validate": "any", "input_title": title, "input_message": hint})
        lists = {"期间": ["实施期", "年度"], "一级指标": LEVEL1, "二级指标": LEVEL2,
                 "指标性质": ["≥", "≤", "=", ">", "<", "定性"]}
        for col, (title, _, hint) in enumerate(COLUMNS):
            if title in lists:
                ws.data_validation(1, col, 2000, col, {"validate": "list", "source": lists[title], "input_title": title,
                                                       "input_message": hint, "error_type": "warning"})
        ws.freeze_panes(1, 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        guide = wb.add_worksheet("填写说明")
        guide.set_column(0, 0, 120)
        for row, text in enumerate(GUIDE):
            guide.write_string(row, 0, text)
        wb.close()
