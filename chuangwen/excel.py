"""Excel 导出（.xlsx）：中文表头、首行冻结、按中文宽度估列宽、公式注入防护。各页共用，返回 bytes。

防护：以 = + - @（以及制表符、回车）开头的文本单元格前面加一个单引号，并一律按文本写入，
打开文件时不会被当成公式执行（OWASP CSV/公式注入的通行做法）。数字按数字写，不受影响。
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COL_WIDTH = 60
# 一张工作表最多 1,048,576 行：表头一行、表下空一行与说明一行之外的行数；更多的行接着写到“（续2）”等工作表
SHEET_ROWS = 1_048_576 - 3
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def neutralise(text: str) -> str:
    """可能被表格软件当作公式的文本前加单引号。"""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def display_width(text: str) -> int:
    """中文等全角字符按 2 个字符宽计算。"""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel 工作表名：去掉非法字符，最长 31 字符，重名加序号。"""
    base = (name.translate(_BAD_SHEET_CHARS).strip("'") or "Sheet")[:31]
    candidate, k = base, 2
    while candidate in taken:
        suffix = f"({k})"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(candidate)
    return candidate


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _write_cell(ws: Worksheet, row: int, col: int, value: object, fmt_datetime: Format, fmt_date: Format) -> str:
    """写一个单元格，返回用于估列宽的显示文字。"""
    if _missing(value):
        ws.write_blank(row, col, None)
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), fmt_datetime)
        return "2026-01-01 00:00:00"
    if isinstance(value, date):
        ws.write_datetime(row, col, datetime.combine(value, datetime.min.time()), fmt_date)
        return "2026-01-01"
    if isinstance(value, bool):
        text = "是" if value else "否"
        ws.write_string(row, col, text)
        return text
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            ws.write_blank(row, col, None)
            return ""
        ws.write_number(row, col, value)
        return f"{value:,}" if isinstance(value, int) else f"{value:.2f}"
    if hasattr(value, "item"):  # numpy 标量
        return _write_cell(ws, row, col, value.item(), fmt_datetime, fmt_date)
    text = neutralise(str(value))
    ws.write_string(row, col, text)
    return text


def _column_cells(values: pd.Series) -> tuple[str | None, list[Any], str | None]:
    """一列 → 逐格写入用的 (写法, 值) 与估列宽用的显示文字。整列同一类型时（常见情形）只判断一次类型，
    文字列的显示宽度按不同取值各算一次（10 万行的台账里镇街、单位、状态只有几十种取值）。"""
    if pd.api.types.is_datetime64_any_dtype(values):
        return (
            "datetime",
            [None if v is pd.NaT else v.to_pydatetime().replace(tzinfo=None) for v in values],
            "2026-01-01 00:00:00",
        )
    if pd.api.types.is_bool_dtype(values):
        return "text", ["是" if v else "否" for v in values.tolist()], "否"
    if pd.api.types.is_integer_dtype(values) and not values.hasnans:
        widest = max((f"{v:,}" for v in (values.max(), values.min())), key=len) if len(values) else ""
        return "number", values.tolist(), widest
    return None, values.tolist(), None


def _write_sheet(
    ws: Worksheet,
    df: pd.DataFrame,
    header: Format,
    fmt_datetime: Format,
    fmt_date: Format,
    note: str | None,
    column_formats: Mapping[str, object] | None = None,
) -> None:
    widths = []
    for c, col in enumerate(df.columns):
        label = neutralise(str(col))
        ws.write_string(0, c, label, header)
        width = display_width(label)
        kind, cells, widest = _column_cells(df[col])
        if kind == "datetime":
            for r, value in enumerate(cells, start=1):
                if value is not None:
                    ws.write_datetime(r, c, value, fmt_datetime)
        elif kind == "number":
            for r, value in enumerate(cells, start=1):
                ws.write_number(r, c, value)
        elif kind == "text":
            for r, value in enumerate(cells, start=1):
                ws.write_string(r, c, value)
        else:
            seen: dict[str, int] = {}
            for r, value in enumerate(cells, start=1):
                if isinstance(value, str):
                    if not value:
                        continue  # 空文字与空格一样：不写
                    text = neutralise(value)
                    ws.write_string(r, c, text)
                    if text not in seen:
                        seen[text] = display_width(text)
                else:
                    shown = _write_cell(ws, r, c, value, fmt_datetime, fmt_date)
                    if shown not in seen:
                        seen[shown] = display_width(shown)
            widest = max(seen, key=seen.__getitem__, default="")
        widths.append(max(width, display_width(widest or "")))
    for c, w in enumerate(widths):
        # 列格式（如百分数）作用于本列没有自己格式的单元格，也就是按数字写入的那些
        ws.set_column(c, c, min(MAX_COL_WIDTH, w + 2), (column_formats or {}).get(df.columns[c]))
    ws.freeze_panes(1, 0)
    if len(df.columns):
        ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
    if note:
        ws.write_string(len(df) + 2, 0, neutralise(note))


def to_xlsx(
    sheets: Mapping[str, pd.DataFrame], *, note: str | None = None, number_formats: Mapping[str, str] | None = None
) -> bytes:
    """多张表写进一个 .xlsx：每张表一个工作表，表头加粗并冻结；note（如“数据截至…”）写在表格下方。
    number_formats：列名 → Excel 数字格式（如 "0.0%"），作用于该列的数字单元格。"""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    header = wb.add_format(
        {
            "bold": True,
            "bg_color": "#ECEFF1",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "font_name": "Microsoft YaHei",
        }
    )
    fmt_datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})  # 到秒：与库里的时间一致
    fmt_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    column_formats = {col: wb.add_format({"num_format": f}) for col, f in (number_formats or {}).items()}
    taken: set[str] = set()
    for name, whole in sheets.items() if sheets else [("空表", pd.DataFrame())]:
        parts = [whole.iloc[i : i + SHEET_ROWS] for i in range(0, len(whole), SHEET_ROWS)] or [whole]
        for k, df in enumerate(parts, start=1):
            ws = wb.add_worksheet(sheet_name(name if k == 1 else f"{name}（续{k}）", taken))
            _write_sheet(ws, df, header, fmt_datetime, fmt_date, note, column_formats)
    wb.close()
    return buf.getvalue()
