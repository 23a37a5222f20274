"""模板：每种导入一个 .xlsx，第一张表为中文表头、第二张为填写说明；填好的模板能直接导入。"""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from chuangwen.imports import run_import, templates
from chuangwen.imports.kinds import KINDS
from tests.unit._import_helpers import base_db


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_has_the_kind_headers_and_an_instructions_sheet(kind):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(templates.build(kind)))
    assert wb.sheet_names == [KINDS[kind].label, "填写说明"]
    assert wb.get_sheet_by_name(KINDS[kind].label).to_python()[0] == KINDS[kind].names
    notes = [row[0] for row in wb.get_sheet_by_name("填写说明").to_python() if row and row[0]]
    assert set(KINDS[kind].names) <= set(notes)


def test_template_file_names_are_chinese():
    assert templates.file_name("problems") == "导入模板-问题台账.xlsx"


def test_a_filled_in_problem_template_imports(tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(templates.build("problems")))
    ws = wb.worksheets[0]
    values = {
        "问题编号": "T1",
        "发现时间": "2026-03-01 09:00",
        "来源": "县自查",
        "问题类别": "出店经营",
        "问题描述": "占道",
        "严重程度": "一般",
        "牵头单位": "城管局",
    }
    for c, name in enumerate(KINDS["problems"].names, start=1):
        ws.cell(row=2, column=c, value=values.get(name))
    buf = io.BytesIO()
    wb.save(buf)
    result = run_import(base_db(tmp_path), buf.getvalue(), "模板.xlsx", "problems")
    assert result.inserted["problem"] == 1
