"""可下载的 .xlsx 导入模板：第一张表是中文表头（必填列标红，有固定取值的列带下拉），第二张“填写说明”。"""

from __future__ import annotations

import io

import xlsxwriter

from chuangwen.imports.kinds import CHOICES as KIND_CHOICES
from chuangwen.imports.kinds import KINDS

CHOICES = {(kind, column): allowed for kind, columns in KIND_CHOICES.items() for column, allowed in columns.items()}
ORDER = (
    "units",
    "sites",
    "framework",
    "sampling_plan",
    "scoring_rules",
    "category_standards",
    "scores",
    "deductions",
    "problems",
    "events",
)
GENERAL = [
    "1. 第一张表填数据，表头不要改名、不要删除；不需要的非必填列可以留空。",
    "2. 红色表头为必填列。日期可写 2025-03-05、2025/3/5、2025年3月5日、2025.3.5，或直接用 Excel 日期。",
    "3. 单位、镇街、问题类别须与库中名称一致；第一次导入可勾选“自动新增库中没有的单位、镇街、类别”。",
    "4. 导入前会逐行校验；有错时默认一行都不写入，并给出带行号的报告。同一文件重复导入不会重复添加。",
    "5. 其他系统导出的表格（列名不同）可在数据管理页选择对应列，或用映射文件（TOML）导入。",
]


def file_name(kind: str) -> str:
    return f"导入模板-{KINDS[kind].label}.xlsx"


def build(kind: str) -> bytes:
    spec = KINDS[kind]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    base = {"border": 1, "valign": "vcenter", "font_name": "Microsoft YaHei", "bg_color": "#ECEFF1", "bold": True}
    head = wb.add_format(base)
    head_req = wb.add_format({**base, "font_color": "#C62828"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "font_name": "Microsoft YaHei"})
    title = wb.add_format({"bold": True, "font_size": 14, "font_name": "Microsoft YaHei"})
    ws = wb.add_worksheet(spec.label)
    for c, col in enumerate(spec.columns):
        ws.write_string(0, c, col.name, head_req if col.required else head)
        ws.set_column(c, c, max(10, len(col.name) * 2 + 4))
        if col.help:
            ws.write_comment(0, c, col.help, {"x_scale": 2})
        choices = CHOICES.get((kind, col.name))
        if choices:
            ws.data_validation(1, c, 100_000, c, {"validate": "list", "source": list(choices)})
    ws.freeze_panes(1, 0)
    doc = wb.add_worksheet("填写说明")
    doc.set_column(0, 0, 16)
    doc.set_column(1, 1, 8)
    doc.set_column(2, 2, 70)
    doc.set_column(3, 3, 24)
    doc.write_string(0, 0, f"{spec.label}导入模板 · 填写说明", title)
    doc.write_string(1, 0, spec.note, wrap)
    r = 3
    for line in GENERAL:
        doc.write_string(r, 0, line)
        r += 1
    r += 1
    for c, label in enumerate(["列名", "必填", "填写说明", "示例"]):
        doc.write_string(r, c, label, head)
    for col in spec.columns:
        r += 1
        doc.write_string(r, 0, col.name, wrap)
        doc.write_string(r, 1, "是" if col.required else "", wrap)
        doc.write_string(r, 2, col.help, wrap)
        doc.write_string(r, 3, col.example, wrap)
    r += 2
    doc.write_string(
        r, 0, f"导入顺序建议：{' → '.join(KINDS[k].label for k in ORDER)}；镇街边界用 GeoJSON 或压缩的 Shapefile。"
    )
    wb.close()
    return buf.getvalue()
