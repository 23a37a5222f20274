"""读取导入文件：.xlsx/.xls（python-calamine）、.csv（UTF-8 / UTF-8-BOM / GBK / GB18030 自动识别）。

读出来的一律是“文本表”：每个单元格一个 Python 值（str / float / int / datetime / date / None），
表头行自动定位（跳过合并的标题行），末尾空行去掉，全角数字与全角标点转半角。日期的解析在 parse_dates。
坏文件（类型不对、空文件、有密码、没有表头、过大）抛 ReadError，消息为中文，可直接给用户看。
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

MAX_BYTES = 100 * 1024 * 1024
TABULAR_SUFFIXES = (".xlsx", ".xls", ".csv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
HEADER_SCAN_ROWS = 15

# 全角数字、字母与常见标点 → 半角；全角空格 → 半角空格
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)
# 名称类文本只换全角数字与全角空格：单位全称里的全角括号“（）”等必须原样保留才能与库中名称对上
_DIGITS_TABLE = str.maketrans({**{0xFF10 + i: 0x30 + i for i in range(10)}, 0x3000: 0x20})


class ReadError(Exception):
    """文件无法读成表格；消息为中文。"""


@dataclass
class Table:
    """一张读出来的表：列名、数据（object 列）、来源位置，用于报告行号。"""

    file_name: str
    sheet: str
    columns: list[str]
    data: pd.DataFrame                 # 列名同 columns，值为原始单元格
    first_row: int                     # 第一行数据在文件中的行号（从 1 起，与 Excel 一致）
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def row_numbers(self) -> np.ndarray:
        return np.arange(len(self.data)) + self.first_row


def halfwidth(text: str) -> str:
    return text.translate(_FULLWIDTH_TABLE)


def _clean_header(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", halfwidth(str(value))).strip()


def check_file(name: str, size: int, head: bytes, kinds: Iterable[str] = TABULAR_SUFFIXES) -> str:
    """读之前的检查：扩展名、空文件、大小、Excel 是否有密码、内容是否与扩展名相符。返回小写扩展名。"""
    suffix = Path(name).suffix.lower()
    kinds = tuple(kinds)
    if suffix not in kinds:
        raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”（{name}）：请上传 {'、'.join(kinds)} 文件。")
    if size == 0:
        raise ReadError(f"文件是空的（0 字节）：{name}。")
    if size > MAX_BYTES:
        raise ReadError(
            f"文件过大：{name} 有 {size / 1024 / 1024:.1f} MB，上限 {MAX_BYTES // 1024 // 1024} MB。"
            "请按年份或镇街拆成几个文件分别导入。"
        )
    if suffix in (".xlsx", ".xls") and head.startswith(_OLE_MAGIC) and _ENCRYPTED_MARK in head:
        raise ReadError(f"工作簿设有打开密码，无法读取：{name}。请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再导入。")
    if suffix == ".xlsx" and not head.startswith(b"PK"):
        if head.startswith(_OLE_MAGIC):
            raise ReadError(f"文件扩展名是 .xlsx，但内容是旧版 .xls 或受保护的工作簿：{name}。请在 Excel 中另存为 .xlsx 后再导入。")
        raise ReadError(f"文件扩展名是 .xlsx，但内容不是 Excel 工作簿：{name}。")
    if suffix == ".xls" and not head.startswith(_OLE_MAGIC) and not head.startswith(b"PK"):
        raise ReadError(f"文件扩展名是 .xls，但内容不是 Excel 工作簿：{name}。")
    if suffix == ".csv" and b"\x00" in head[:4096]:
        raise ReadError(f"文件扩展名是 .csv，但内容像是二进制文件（可能是改了扩展名的 Excel）：{name}。")
    return suffix


def decode_csv(raw: bytes, name: str) -> tuple[str, str]:
    """识别编码：UTF-8（含 BOM）优先，其次 GBK，再次 GB18030。返回（文本，编码名）。"""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8-BOM"
    for enc, label in (("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")):
        try:
            return raw.decode(enc), label
        except UnicodeDecodeError:
            continue
    raise ReadError(f"无法识别文件编码：{name}。请另存为 UTF-8 或 GBK 编码的 CSV。")


def _rows_from_csv(text: str) -> list[list]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [[(c if c.strip() != "" else None) for c in row] for row in reader]


def _rows_from_excel(raw: bytes, name: str, sheet: str | None) -> tuple[list[list], str, list[str]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except PasswordError:
        raise ReadError(f"工作簿设有打开密码，无法读取：{name}。请取消密码后另存再导入。") from None
    except Exception as exc:  # calamine 的各种解析错误（损坏、非 Excel）
        raise ReadError(f"无法读取 Excel 文件 {name}：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）。") from None
    names = list(wb.sheet_names)
    if not names:
        raise ReadError(f"工作簿里没有工作表：{name}。")
    if sheet is None:
        # 默认取第一张有内容的工作表（模板的“填写说明”表除外）
        candidates = [n for n in names if n not in ("填写说明", "说明")] or names
        sheet = candidates[0]
    elif sheet not in names:
        raise ReadError(f"工作簿 {name} 中没有名为“{sheet}”的工作表；现有：{'、'.join(names)}。")
    try:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise ReadError(f"无法读取工作表“{sheet}”（{name}）：{type(exc).__name__}。") from None
    return rows, sheet, names


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _combine(upper: list, lower: list, expected: set[str]) -> list[str]:
    """两层表头（上一行有合并的分组标题或纵向合并的列名）：逐列取认识的那个，否则取下一行、再否则取上一行。"""
    width = max(len(upper), len(lower))
    out = []
    for j in range(width):
        a = _clean_header(upper[j]) if j < len(upper) else ""
        b = _clean_header(lower[j]) if j < len(lower) else ""
        out.append(b if b in expected else a if a in expected else b or a)
    return out


def _find_header(rows: list[list], expected: set[str]) -> tuple[int, list[str]] | None:
    """表头：前若干行里与已知列名重合最多（至少 2 个）的一行，或相邻两行合起来（两层表头）；返回（表头最后一行，列名）。"""
    best, best_hits = None, 1
    scan = rows[:HEADER_SCAN_ROWS]
    for i, row in enumerate(scan):
        single = [_clean_header(v) for v in row]
        hits = len(set(single) & expected)
        if hits > best_hits:
            best, best_hits = (i, single), hits
        if i + 1 < len(scan):
            both = _combine(row, scan[i + 1], expected)
            hits2 = len(set(both) & expected)
            if hits2 > best_hits:
                best, best_hits = (i + 1, both), hits2
    return best


def read_table(raw: bytes, name: str, expected_headers: Iterable[str], *, sheet: str | None = None,
               header_row: int | None = None) -> Table:
    """把文件读成一张表；expected_headers 是模板列名或映射中的源列名，用来定位表头行。
    header_row（从 1 起）给出时直接用这一行作表头（页面上为陌生表格建映射时用）。"""
    suffix = check_file(name, len(raw), raw[: 1 << 20])
    expected = {_clean_header(h) for h in expected_headers}
    encoding = None
    if suffix == ".csv":
        text, encoding = decode_csv(raw, name)
        rows, sheet_name = _rows_from_csv(text), ""
    else:
        rows, sheet_name, _ = _rows_from_excel(raw, name, sheet)
    # 去掉末尾的空行
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    where = f"{name}" + (f" 的工作表“{sheet_name}”" if sheet_name else "")
    if not rows:
        raise ReadError(f"{where}没有任何内容。")
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise ReadError(f"{where}没有第 {header_row} 行。")
        found = (header_row - 1, [_clean_header(v) for v in rows[header_row - 1]])
    else:
        found = _find_header(rows, expected)
    if found is None:
        raise ReadError(
            f"{where}中找不到表头行：前 {HEADER_SCAN_ROWS} 行里没有一行包含至少两个应有的列名"
            f"（例如 {'、'.join(sorted(expected)[:4])}）。请确认第一张工作表是数据表、表头未被删除，或提供列映射文件。"
        )
    h, header = found
    width = max(len(header), max((len(r) for r in rows[h + 1:]), default=0))
    header += [""] * (width - len(header))
    columns, seen = [], {}
    for j, v in enumerate(header):
        label = v or f"（第{j + 1}列）"
        if label in seen:
            seen[label] += 1
            label = f"{label}（{seen[label]}）"
        else:
            seen[label] = 1
        columns.append(label)
    body = [list(r) + [None] * (width - len(r)) for r in rows[h + 1:]]
    data = pd.DataFrame(body, columns=columns, dtype=object) if body else pd.DataFrame(columns=columns, dtype=object)
    # 中间整行空白的行去掉前记住行号：报告里的行号必须与文件一致
    first_row = h + 2
    if len(data):
        keep = np.array([any(not _blank(v) for v in r) for r in body], dtype=bool)
        rownum = np.arange(len(data)) + first_row
        data = data[keep].reset_index(drop=True)
        table = Table(name, sheet_name, columns, data, first_row, encoding)
        table._rownum = rownum[keep]  # type: ignore[attr-defined]
        return table
    raise ReadError(f"{where}只有表头，没有数据行。")


def row_numbers(table: Table) -> np.ndarray:
    return getattr(table, "_rownum", table.row_numbers())


# ---------------------------------------------------------------- 日期

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})\s*(?:[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?|分)?)?$"
)
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")
EXCEL_SERIAL_RANGE = (1.0, 109574.0)  # 1900-01-01 … 2199-12-31


def _normalise_text(value: str) -> str:
    return halfwidth(value).strip()


def parse_dates(values: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """把一列单元格解析成时间。支持：2025-03-05、2025/3/5、2025年3月5日、2025.3.5（可带时分秒）、
    Excel 序列号（数字）、单元格本身的日期；fmt 给出时先按 strftime 格式解析（来自映射文件）。
    返回（datetime64[us] 序列，无法解析的掩码）；空单元格不算错误，值为 NaT。
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    bad = np.zeros(n, dtype=bool)
    vals = values.to_numpy(dtype=object)
    text_idx, text_vals = [], []
    for i, v in enumerate(vals):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, datetime):
            out[i] = np.datetime64(v.replace(tzinfo=None, microsecond=0), "s")
        elif isinstance(v, date):
            out[i] = np.datetime64(v, "s")
        elif isinstance(v, time):
            bad[i] = True
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            text_idx.append(i)
            text_vals.append(repr(float(v)) if isinstance(v, float) else str(v))
        elif isinstance(v, str):
            s = _normalise_text(v)
            if s:
                text_idx.append(i)
                text_vals.append(s)
        else:
            bad[i] = True
    if text_idx:
        idx = np.asarray(text_idx)
        s = pd.Series(text_vals, dtype="string")
        parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
        todo = pd.Series(True, index=s.index)
        if fmt:
            got = pd.to_datetime(s, format=fmt, errors="coerce")
            parsed = parsed.where(got.isna(), got.astype("datetime64[s]"))
            todo &= got.isna()
        if todo.any():
            m = s[todo].str.extract(_DATE_RE)
            ok = m["y"].notna()
            if ok.any():
                parts = m[ok].fillna("0").astype(int)
                got = pd.to_datetime(
                    {"year": parts["y"], "month": parts["m"], "day": parts["d"],
                     "hour": parts["H"], "minute": parts["M"], "second": parts["S"]},
                    errors="coerce",
                )
                valid_time = (parts["H"] < 24) & (parts["M"] < 60) & (parts["S"] < 60)
                got = got.where(valid_time)
                parsed.loc[got.index] = got.astype("datetime64[s]")
                todo.loc[got.index] = False
        if todo.any():
            # Excel 序列号：纯数字（可带小数表示时刻）
            num = pd.to_numeric(s[todo], errors="coerce")
            ok = num.notna() & (num >= EXCEL_SERIAL_RANGE[0]) & (num <= EXCEL_SERIAL_RANGE[1])
            if ok.any():
                secs = np.round(num[ok].to_numpy(float) * 86400).astype("int64")
                parsed.loc[num[ok].index] = pd.Series(_EXCEL_EPOCH + secs.astype("timedelta64[s]"),
                                                      index=num[ok].index)
        res = parsed.to_numpy(dtype="datetime64[s]")
        out[idx] = res
        bad[idx] = np.isnat(res)
    return pd.Series(out.astype("datetime64[us]"), index=values.index), bad


def cell_text(value) -> str | None:
    """单元格 → 文本（去首尾空白、全角转半角；整数形式的浮点数去掉 .0）；空为 None。"""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).translate(_DIGITS_TABLE).strip()
    return s or None


def text_column(values: pd.Series) -> pd.Series:
    memo: dict = {}   # 台账里重复的取值很多（类别、单位、镇街）：同一文本只处理一次
    out = []
    for v in values.to_numpy(dtype=object):
        if isinstance(v, str):
            got = memo.get(v)
            if got is None and v not in memo:
                got = memo[v] = cell_text(v)
            out.append(got)
        else:
            out.append(cell_text(v))
    return pd.Series(out, index=values.index, dtype=object)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """数字列（经纬度、分数）：文本中的全角数字先转半角；空为 NaN，无法解析的记为错误。"""
    txt = pd.Series([None if v is None else halfwidth(v) for v in text_column(values)], index=values.index, dtype=object)
    num = pd.to_numeric(txt, errors="coerce")
    bad = (txt.notna() & num.isna()).to_numpy()
    return num.astype(float), bad


def zip_first(raw: bytes, suffixes: tuple[str, ...]) -> list[str]:
    """压缩包里符合扩展名的文件名（边界 Shapefile 用）。"""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return [n for n in zf.namelist() if n.lower().endswith(suffixes)]
