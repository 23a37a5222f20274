"""数据管理页上的列映射（纯函数，不依赖 streamlit）：读一次上传的文件、定映射的起点（预设或猜测）、
列出取值固定的列在文件里的各种取值与行数并给出最可能的对照、把页面上的选择变成一个映射（Mapping）。

页面上建出的映射与命令行读的映射文件是同一个东西：存预设、下载都是 Mapping.to_toml()，上传的映射文件用 mapping.parse 读。
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from chuangwen.imports import guesses, readers
from chuangwen.imports.checks import lookup
from chuangwen.imports.kinds import CHOICES, DB_CHOICES, KINDS, fixed_columns
from chuangwen.imports.mapping import Mapping, allowed_value, missing_sources

NOT_MAPPED = "（不导入）"
# 一列里不同的取值多于这个数时，多半是选错了列（把“问题描述”当成了“整改状态”）：只列出最多的这些，并提醒
MAX_VALUES_SHOWN = 40


@dataclass(frozen=True)
class ValueRow:
    """取值固定的列在文件里的一种取值：文字（与校验时对照的写法相同）、有几行、是否已是允许的取值、对照到什么。"""

    column: str
    value: str
    rows: int
    allowed: bool
    target: str | None  # 现在对照到的取值（映射里写了的，或最可能的猜测）；猜不出时 None，要用户选


def read_source(raw: bytes, file_name: str, kind: str, extra_headers: tuple[str, ...] = ()) -> readers.Table:
    """页面只读一次文件：表头按模板列名、常用别名与预设的源列找；前几行里都找不到时取第一行作表头。"""
    expected = [
        *extra_headers,
        *KINDS[kind].names,
        *(alias for name in KINDS[kind].names for alias in guesses.HEADER_SYNONYMS.get(name, ())),
    ]
    try:
        return readers.read_table(raw, file_name, expected)
    except readers.ReadError as exc:
        if "找不到表头行" not in str(exc):
            raise
        return readers.read_table(raw, file_name, expected, header_row=1)


def header_row(table: readers.Table) -> int:
    """表头在文件的第几行（从 1 起）：导入时按同一行读，读到的必是页面上看到的那张表。"""
    return table.first_row - 1


def site_types(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """库里的点位类型（点位类型这一列的取值对照到它们）。"""
    return tuple(sorted(lookup(con, "select name from site_type")["name"].astype(str)))


def allowed_values(kind: str, column: str, known_site_types: tuple[str, ...]) -> tuple[str, ...]:
    if column in CHOICES.get(kind, {}):
        return CHOICES[kind][column]
    if column in DB_CHOICES.get(kind, {}):
        return known_site_types
    return ()


def starting_mapping(kind: str, columns: list[str], preset: Mapping | None = None) -> Mapping:
    """页面上映射的起点：有预设用预设（文件里没有的源列去掉，另行提醒）；没有时按同名列与常用别名猜。"""
    if preset is not None:
        missing = missing_sources(preset, columns)
        by_key = {_key(c): c for c in columns}
        return Mapping(
            columns={k: by_key[_key(v)] for k, v in preset.columns.items() if k not in missing},
            values={k: dict(v) for k, v in preset.values.items()},
            defaults=dict(preset.defaults),
            date_format=preset.date_format,
            crs=preset.crs,
            kind=kind,
        )
    return Mapping(columns=guesses.header_guesses(KINDS[kind].names, columns), kind=kind)


def _key(name: str) -> str:
    return readers._clean_header(name).casefold()


def _source(table: readers.Table, header: str) -> pd.Series | None:
    by_key = {_key(c): c for c in table.columns}
    hit = by_key.get(_key(header))
    return table.data[hit] if hit is not None else None


def distinct_values(table: readers.Table, header: str) -> list[tuple[str, int]]:
    """一列里的各种取值（与校验时同样规范化：去首尾空白、全角数字转半角）与行数，行多的在前；空白不算。"""
    column = _source(table, header)
    if column is None:
        return []
    counts = readers.text_column(column.reset_index(drop=True)).dropna().value_counts()
    return sorted(((str(v), int(n)) for v, n in counts.items()), key=lambda p: (-p[1], p[0]))


def value_rows(
    table: readers.Table, kind: str, m: Mapping, known_site_types: tuple[str, ...] = ()
) -> dict[str, list[ValueRow]]:
    """取值固定的列（有源列的）→ 文件里的每种取值：行数、是否已允许、对照到什么（映射里写了的，否则最可能的猜测）。"""
    out: dict[str, list[ValueRow]] = {}
    for column in fixed_columns(kind):
        source = m.columns.get(column)
        if source is None:
            continue
        allowed = allowed_values(kind, column, known_site_types)
        mapped = m.values.get(column, {})
        rows = []
        for value, n in distinct_values(table, source):
            ok = allowed_value(column, value, allowed) if allowed else False
            if value in mapped:
                target: str | None = mapped[value]
            elif ok:
                target = value
            else:
                target = guesses.best_value(column, value, allowed)
                if target is None and column in DB_CHOICES.get(kind, {}):
                    target = value  # 库里没有的点位类型：照原样（勾选“自动新增”时新增）
            rows.append(ValueRow(column, value, n, ok, target))
        out[column] = rows
    return out


def with_guesses(kind: str, m: Mapping, rows: dict[str, list[ValueRow]]) -> Mapping:
    """把还没对照、也不是允许取值的各种取值按最可能的猜测补进映射（猜不出的留给用户选）。"""
    values = {k: dict(v) for k, v in m.values.items()}
    for column, items in rows.items():
        for r in items:
            if not r.allowed and r.target is not None and r.target != r.value and r.value not in values.get(column, {}):
                values.setdefault(column, {})[r.value] = r.target
    return Mapping(dict(m.columns), values, dict(m.defaults), m.date_format, m.crs, kind)


def unmapped(rows: dict[str, list[ValueRow]]) -> list[ValueRow]:
    """还不知道对照到什么的取值（不是允许的取值、映射里没写、也猜不出）。"""
    return [r for items in rows.values() for r in items if r.target is None]


def missing_required(kind: str, m: Mapping) -> list[str]:
    """必填、却既没有源列也没有整列的值的模板列。"""
    return [c for c in KINDS[kind].required if c not in m.columns and c not in m.defaults]


def from_choices(
    kind: str,
    sources: dict[str, str | None],
    defaults: dict[str, str | None],
    values: dict[str, dict[str, str | None]],
    *,
    shown: dict[str, list[ValueRow]],
    base: Mapping | None = None,
    date_format: str | None = None,
    crs: str | None = None,
) -> tuple[Mapping, list[str]]:
    """页面上的选择 → 映射，与写不通的地方（中文，写明哪一列、哪个值；有任何一处就不校验、不导入）。

    sources：模板列 → 选的源列（NOT_MAPPED 或 None 为不选）；defaults：模板列 → 整列的值（空为不填）；
    values：模板列 → 文件里的取值 → 对照到的取值（None 为还没选）；shown：页面上列出的取值（报告行数用）；
    base：之前的映射（预设）：它为这个文件里没有的取值写的对照照样留着，存成预设时下个月的文件也用得上。"""
    problems: list[str] = []
    columns: dict[str, str] = {}
    fills: dict[str, str] = {}
    for name in KINDS[kind].names:
        src = sources.get(name)
        fill = (defaults.get(name) or "").strip()
        if src and src != NOT_MAPPED:
            columns[name] = src
            if fill:
                problems.append(
                    f"“{name}”既选了源列“{src}”，又填了整列的值“{fill}”：只能二选一（整列的值只在不选源列时用）。"
                )
        elif fill:
            allowed = CHOICES.get(kind, {}).get(name)
            if allowed and not allowed_value(name, fill, allowed):
                problems.append(f"“{name}”整列的值“{fill}”不在允许的取值内，应为：{'、'.join(allowed)}。")
            fills[name] = fill
    counts = {(r.column, r.value): r.rows for items in shown.values() for r in items}
    mapped: dict[str, dict[str, str]] = {}
    here = {(r.column, r.value) for items in shown.values() for r in items}
    for column, vm in (base.values if base is not None else {}).items():
        for value, kept in vm.items():
            if column in columns and (column, value) not in here and kept:
                mapped.setdefault(column, {})[value] = kept
    for column, choices in values.items():
        if column not in columns:  # 这一列没有源列了：之前的对照用不上
            continue
        for value, target in choices.items():
            if target is None or not target.strip():
                n = counts.get((column, value))
                problems.append(
                    f"“{column}”里的取值“{value}”" + (f"（{n:,} 行）" if n else "") + "还没有选对照到哪个取值。"
                )
            elif target != value:
                mapped.setdefault(column, {})[value] = target
    m = Mapping(columns, mapped, fills, (date_format or "").strip() or None, crs, kind)
    return m, problems
