"""读导入文件的上限（CHUANGWEN_IMPORT_* 设置）与读不成表时的中文错误 ReadError；数据区域超限时的说明。"""

from __future__ import annotations

from dataclasses import dataclass, field

from chuangwen import settings


class ReadError(Exception):
    """文件无法读成表格；消息为中文。"""


# ---------------------------------------------------------------- 上限

_LIMIT_SETTINGS = {
    "rows": "import_max_rows",
    "columns": "import_max_columns",
    "cell_chars": "import_max_cell_chars",
    "cells": "import_max_cells",
    "unzipped_mb": "import_max_unzipped_mb",
    "memory_mb": "import_child_memory_mb",
    "seconds": "import_child_seconds",
}


def _declared_default(field_name: str) -> int:
    setting = next(s for s in settings.SETTINGS if s.name == _LIMIT_SETTINGS[field_name])
    return setting.default


@dataclass(frozen=True)
class Limits:
    """读一个文件的上限；默认值与说明即 chuangwen/settings.py 里的 CHUANGWEN_IMPORT_* 设置（环境变量不参与）。"""

    rows: int = field(default_factory=lambda: _declared_default("rows"))
    columns: int = field(default_factory=lambda: _declared_default("columns"))
    cell_chars: int = field(default_factory=lambda: _declared_default("cell_chars"))
    cells: int = field(default_factory=lambda: _declared_default("cells"))
    unzipped_mb: int = field(default_factory=lambda: _declared_default("unzipped_mb"))
    memory_mb: int = field(default_factory=lambda: _declared_default("memory_mb"))
    seconds: int = field(default_factory=lambda: _declared_default("seconds"))

    @classmethod
    def from_settings(cls) -> Limits:
        """按当前的环境变量（无效时抛中文 SettingError）。"""
        return cls(**{f: settings.get(name) for f, name in _LIMIT_SETTINGS.items()})


_AREA_HINT = (
    "如果实际数据没有这么多，多半是表格下方或右侧远处有写过内容或设置过格式的单元格："
    "请在 Excel 中删除多余的空行、空列后另存，或按年份、镇街拆成几个文件分别导入。"
)


def column_letters(col: int) -> str:
    """列号（从 1 起）→ Excel 列名：1 → A，27 → AA，16384 → XFD。"""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


def _check_area(
    where: str,
    rows: int,
    cols: int,
    far_row: str | None,
    far_col: str | None,
    limits: Limits,
    declared: str | None = None,
) -> None:
    """数据区域（从 A1 到最远的单元格，calamine 按它分配内存）不得超过行、列、单元格数的上限。
    far_row、far_col 是行号最大、列号最大的单元格（写进消息，方便用户找到它）。"""
    what = f"声明的数据范围是 {declared}，" if declared else "的数据区域"
    if rows > limits.rows:
        cell = f"（最远的单元格 {far_row}）" if far_row else ""
        raise ReadError(f"{where}{what}达到第 {rows:,} 行{cell}，超过上限 {limits.rows:,} 行。{_AREA_HINT}")
    if cols > limits.columns:
        cell = f"，最远的单元格 {far_col}" if far_col else ""
        raise ReadError(
            f"{where}{what}达到第 {cols:,} 列（{column_letters(cols)} 列{cell}），"
            f"超过上限 {limits.columns:,} 列。{_AREA_HINT}"
        )
    if rows * cols > limits.cells:
        cell = f"（最远的单元格 {far_row}）" if far_row else ""
        raise ReadError(
            f"{where}{what}有 {rows:,} 行 × {cols:,} 列 = {rows * cols:,} 个单元格{cell}，"
            f"超过上限 {limits.cells:,} 个单元格。{_AREA_HINT}"
        )
