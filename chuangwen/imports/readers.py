"""读取导入文件：.xlsx/.xls（python-calamine）、.csv（UTF-8 / UTF-8-BOM / GBK / GB18030 自动识别）。

读出来的一律是“文本表”：每个单元格一个 Python 值（str / float / int / datetime / date / None），
表头行自动定位（跳过合并的标题行），末尾空行去掉，全角数字与全角标点转半角。日期的解析在 parse_dates。
坏文件（类型不对、空文件、有密码、没有表头、过大）抛 ReadError，消息为中文，可直接给用户看。

上传的文件不可信：calamine 按工作表的数据区域一次分配整块内存（一个只有 XFD1048576 一格的 2 KB 工作簿
要 512 GB，进程直接被中止），所以读之前先在本进程里检查压缩包与工作表 XML（check_workbook_zip，
只做字节级扫描、不分配与数据区域成比例的内存），再在限了内存与时间的子进程里解析（_parse_in_child）；
子进程出任何事都变成中文 ReadError，调用者（命令行、Streamlit 页面）不会跟着崩溃。
"""
from __future__ import annotations

import csv
import io
import multiprocessing
import multiprocessing.connection
import os
import re
import resource
import signal
import struct
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from chuangwen import settings

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


# ---------------------------------------------------------------- 上限

_LIMIT_SETTINGS = {"rows": "import_max_rows", "columns": "import_max_columns", "cell_chars": "import_max_cell_chars",
                   "cells": "import_max_cells", "unzipped_mb": "import_max_unzipped_mb",
                   "memory_mb": "import_child_memory_mb", "seconds": "import_child_seconds"}


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


_AREA_HINT = ("如果实际数据没有这么多，多半是表格下方或右侧远处有写过内容或设置过格式的单元格："
              "请在 Excel 中删除多余的空行、空列后另存，或按年份、镇街拆成几个文件分别导入。")


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


def _check_area(where: str, rows: int, cols: int, far_row: str | None, far_col: str | None, limits: Limits,
                declared: str | None = None) -> None:
    """数据区域（从 A1 到最远的单元格，calamine 按它分配内存）不得超过行、列、单元格数的上限。
    far_row、far_col 是行号最大、列号最大的单元格（写进消息，方便用户找到它）。"""
    what = f"声明的数据范围是 {declared}，" if declared else "的数据区域"
    if rows > limits.rows:
        cell = f"（最远的单元格 {far_row}）" if far_row else ""
        raise ReadError(f"{where}{what}达到第 {rows:,} 行{cell}，超过上限 {limits.rows:,} 行。{_AREA_HINT}")
    if cols > limits.columns:
        cell = f"，最远的单元格 {far_col}" if far_col else ""
        raise ReadError(f"{where}{what}达到第 {cols:,} 列（{column_letters(cols)} 列{cell}），"
                        f"超过上限 {limits.columns:,} 列。{_AREA_HINT}")
    if rows * cols > limits.cells:
        cell = f"（最远的单元格 {far_row}）" if far_row else ""
        raise ReadError(f"{where}{what}有 {rows:,} 行 × {cols:,} 列 = {rows * cols:,} 个单元格{cell}，"
                        f"超过上限 {limits.cells:,} 个单元格。{_AREA_HINT}")


# ---------------------------------------------------------------- 读之前：检查 .xlsx 压缩包（在调用者的进程里）

MAX_ZIP_MEMBERS = 10_000           # 正常工作簿几十个部件；中央目录每项在本进程里要几百字节
MAX_RATIO = 100                    # 真实的工作表 XML 压缩比约 10:1；超过 100:1 且较大的是“压缩炸弹”
RATIO_FROM_BYTES = 8 << 20         # 小部件（样式、主题）压缩比高很正常，只对解压后超过 8 MB 的套用
XML_RUN_LIMIT = 1 << 20            # XML 里 1 MB 没有一个“<”：单元格文字最多 32,767 字，不可能这么长
_IN_CHUNK = 1 << 20
_OUT_CHUNK = 4 << 20


def _zip_error(name: str, what: str) -> ReadError:
    return ReadError(f"无法读取 Excel 文件 {name}：{what}")


def _member_chunks(raw: memoryview, info: zipfile.ZipInfo, name: str, budget: list[int]) -> Iterator[bytes]:
    """逐块解压一个部件。按真实解压出的字节计数，不信声明的大小：多于声明（部件谎报大小）或总量超过上限就拒绝。
    budget[0] 是整个压缩包还允许解压的字节数。"""
    member = info.filename
    off = info.header_offset
    if off + 30 > len(raw) or raw[off:off + 4] != b"PK\x03\x04":
        raise _zip_error(name, f"压缩包里的部件 {member} 位置不对，文件已损坏。")
    name_len, extra_len = struct.unpack_from("<HH", raw, off + 26)
    start = off + 30 + name_len + extra_len
    data = raw[start:start + info.compress_size]
    if len(data) != info.compress_size:
        raise _zip_error(name, f"压缩包里的部件 {member} 不完整，文件已损坏。")
    produced = 0

    def count(out: bytes) -> None:
        nonlocal produced
        produced += len(out)
        if produced > info.file_size:
            raise _zip_error(name, f"压缩包里的部件 {member} 实际解压出的内容比声明的 {info.file_size:,} 字节多"
                                   "（谎报大小），文件已损坏或被改动过，已拒绝。")
        budget[0] -= len(out)
        if budget[0] < 0:
            raise _zip_error(name, "解压后的内容超过上限。请按年份或镇街拆成几个文件分别导入。")

    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(data), _OUT_CHUNK):
            out = bytes(data[i:i + _OUT_CHUNK])
            count(out)
            yield out
        return
    inflater = zlib.decompressobj(-15)
    pos = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                piece = inflater.unconsumed_tail
            elif pos < len(data):
                piece = data[pos:pos + _IN_CHUNK]
                pos += len(piece)
            else:
                piece = b""
            out = inflater.decompress(piece, _OUT_CHUNK)
            if out:
                count(out)
                yield out
            elif not piece:
                break
    except zlib.error:
        raise _zip_error(name, f"压缩包里的部件 {member} 无法解压，文件已损坏。") from None


def _windows(chunks: Iterable[bytes], name: str, member: str) -> Iterator[bytes]:
    """把解压出的 XML 按“<”切成窗口：一个标签（连同属性）总在同一个窗口里，跨块的属性不会被截断。"""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk if carry else chunk
        cut = buf.rfind(b"<")
        if cut <= 0:
            carry = buf
        else:
            yield buf[:cut]
            carry = buf[cut:]
        if len(carry) > XML_RUN_LIMIT:
            raise _zip_error(name, f"压缩包里的 {member} 有一段超过 1 MB 的连续文字或标签（Excel 单元格最多 32,767 个字符），"
                                   "不像正常的工作表，已拒绝。")
    if carry:
        yield carry


# r 属性（单元格 r="AB12"、行 r="12"）。calamine 认大小写字母，行号允许前导 0；属性名前是空白或上一个值的引号，
# 等号两边可有空白，引号可单可双（r 后面的回看不妨碍正则按字面量“r”快速跳）。这里不看是哪个元素的属性，
# 宁可多算：文本里恰好写着 r="XFD9" 才会误判
_R_ATTR = rb'r(?<=[\s"\']r)\s*=\s*["\']'
_R_VALUE = re.compile(_R_ATTR + rb'([A-Za-z]*)(\d+)')
# 不以 <c r="…" 开头的单元格标签（不带 r、r 不在第一个、带前缀 <x:c>）：要逐个标签模拟 calamine
_ODD_C = re.compile(rb'<c(?:[>/\t\n\r]| (?!r="))')
_PREFIXED_C = re.compile(rb':c[ \t\r\n/>]')
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?dimension\b[^>]*?\bref\s*=\s*["\']([^"\']*)')
_SHEET_DATA = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?sheetData[\s/>]')
_SST_COUNT = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*["\']\s*(\d+)')
_TOKEN = re.compile(rb'<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])((?:[^>"\']|"[^"]*"|\'[^\']*\')*)>')
_TOKEN_R = re.compile(rb'(?:^|[\s"\'])r\s*=\s*["\']([A-Za-z]*)(\d+)')
_REF = re.compile(r"^\$?([A-Za-z]+)\$?0*(\d+)$")
_SEARCH_TRIES = 64
# calamine 会当工作表打开的部件：工作簿关系里的目标（_sheet_paths），加上这些目录下的全部部件（关系解析不了时也不漏）
_SHEET_FOLDER = re.compile(r"(?:^|/)(?:worksheets|chartsheets|dialogsheets|macrosheets)/")


def _int_above(n: int) -> bytes:
    """匹配大于 n 的十进制整数（允许前导 0）。"""
    s = str(n)
    alts = [rb"[1-9]\d{%d,}" % len(s)]
    for i, ch in enumerate(s):
        if ch != "9":
            alts.append(s[:i].encode() + b"[%d-9]" % (int(ch) + 1) + rb"\d" * (len(s) - i - 1))
    return b"0*+(?:" + b"|".join(alts) + rb")(?!\d)"


def _letters_above(n: int) -> bytes:
    """匹配列号大于 n 的列字母（不分大小写）。"""
    if n < 1:
        return rb"[A-Za-z]+"
    s = column_letters(n)
    alts = [rb"[A-Za-z]{%d,}" % (len(s) + 1)]
    for i, ch in enumerate(s):
        if ch != "Z":
            nxt = chr(ord(ch) + 1)
            prefix = b"".join(b"[%s%s]" % (c.encode(), c.lower().encode()) for c in s[:i])
            alts.append(prefix + b"[%s-Z%s-z]" % (nxt.encode(), nxt.lower().encode()) + rb"[A-Za-z]" * (len(s) - i - 1))
    return b"(?:" + b"|".join(alts) + b")"


@lru_cache(maxsize=256)
def _beyond(max_col: int, max_row: int) -> re.Pattern:
    """匹配列号大于 max_col、或行号大于 max_row 的 r 属性：一遍扫描同时查行与列。"""
    return re.compile(_R_ATTR + b"(?:" + _letters_above(max_col) + rb"\d|[A-Za-z]*+" + _int_above(max_row) + b")")


class _AreaScan:
    """一张工作表 XML 的数据区域（calamine 会分配的范围）的保守估计：最大行号、最大列号、声明的 dimension。

    快的一遍只在字节上找“比目前最大值还大的 r 属性”（正则在 C 里跑，不为每个单元格建 Python 对象）；
    有不带 r 的单元格（calamine 按前一格顺延）或带前缀的 <x:c> 时，再用慢的一遍逐个标签模拟 calamine 的计数。
    """

    def __init__(self, where: str, limits: Limits):
        self.where, self.limits = where, limits
        self.max_row = self.max_col = 0
        self.far_row: str | None = None
        self.far_col: str | None = None
        self.dimension: tuple[int, int, str] | None = None
        self.before_sheet_data = True
        self.needs_slow = False

    def check(self) -> None:
        _check_area(self.where, self.max_row, self.max_col, self.far_row, self.far_col, self.limits)
        if self.dimension:
            rows, cols, text = self.dimension
            _check_area(self.where, rows, cols, None, None, self.limits, declared=text)

    def _seen(self, letters: bytes, digits: bytes, row: int | None = None, col: int | None = None) -> None:
        # 行元素的 r 只有行号，不是单元格：不拿来当“最远的单元格”，同一行里的单元格再补上
        ref = (letters + (digits.lstrip(b"0") or b"0")).decode("ascii")[:40] if letters else None
        if row is not None and row > self.max_row:
            self.max_row, self.far_row = row, ref
        elif row is not None and row == self.max_row and self.far_row is None:
            self.far_row = ref
        if col is not None and col > self.max_col:
            self.max_col, self.far_col = col, ref

    def _stop_if_over(self) -> None:
        """每个窗口之后：越界就立即拒绝，不必把一个炸弹扫完。"""
        if self.max_row > self.limits.rows or self.max_col > self.limits.columns or \
                self.max_row * self.max_col > self.limits.cells:
            self.check()

    def fast(self, w: bytes) -> None:
        if self.before_sheet_data:
            data = _SHEET_DATA.search(w)
            for m in _DIMENSION.finditer(w, 0, data.start() if data else len(w)):
                end = m.group(1).decode("latin-1").split(":")[-1]
                ref = _REF.match(end.strip())
                if ref:
                    dim = (int(ref.group(2)), _column_number(ref.group(1)), m.group(1).decode("latin-1")[:40])
                    if self.dimension is None or dim[0] * dim[1] > self.dimension[0] * self.dimension[1]:
                        self.dimension = dim
            if data:
                self.before_sheet_data = False
        # 正常文件按行排好：窗口里最后一个单元格行号最大。先记下它，再找“比目前最大行、最大列还大”的 r 属性，
        # 找到就更新、接着找；正常文件一次都找不到，整窗口只在 C 里扫一遍
        last = w.rfind(b' r="')
        if last >= 0 and (m := _R_VALUE.match(w, last + 1)):
            self._seen(m.group(1), m.group(2), row=int(m.group(2)),
                       col=_column_number(m.group(1)) if m.group(1) else None)
        pos, tries = 0, 0
        while (m := _beyond(self.max_col, self.max_row).search(w, pos)):
            tries += 1
            if tries > _SEARCH_TRIES:   # 行号乱序的文件：这个窗口逐个取出来
                for letters, digits in _R_VALUE.findall(w, pos):
                    self._seen(letters, digits, row=int(digits), col=_column_number(letters) if letters else None)
                break
            v = _R_VALUE.match(w, m.start())
            self._seen(v.group(1), v.group(2), row=int(v.group(2)),
                       col=_column_number(v.group(1)) if v.group(1) else None)
            pos = m.start() + 1
        if not self.needs_slow and (_ODD_C.search(w) or _PREFIXED_C.search(w)):
            self.needs_slow = True
        self._stop_if_over()

    def slow(self, windows: Iterable[bytes]) -> None:
        """像 calamine 一样数：<row r> 设当前行，</row> 行号加一、列号归零；不带 r 的单元格在当前行、上一格右边。"""
        row_index = col_index = 0           # 从 0 起，与 calamine 相同
        for w in windows:
            for m in _TOKEN.finditer(w):
                closing, tag, attrs = m.group(1), m.group(2), m.group(3)
                refs = _TOKEN_R.findall(attrs)
                if tag == b"row":
                    if not closing and refs:
                        row_index = max(int(d) for _, d in refs) - 1
                    if closing or attrs.endswith(b"/"):
                        row_index, col_index = row_index + 1, 0
                    continue
                if closing:
                    continue
                if refs:
                    row = max(int(d) for _, d in refs)
                    col = max(_column_number(a) if a else 0 for a, _ in refs)
                    col_index = col - 1
                    letters, digits = max(refs, key=lambda r: (len(r[0]), r[0].upper()))[0], str(row).encode()
                else:
                    row, col = row_index + 1, col_index + 1
                    letters, digits = column_letters(col).encode(), str(row).encode()
                self._seen(letters, digits, row=row, col=col)
                col_index += 1
            self._stop_if_over()


def _read_small(raw: memoryview, infos: list[zipfile.ZipInfo], path: str, name: str, budget: list[int]) -> bytes:
    """按 calamine 的方式（不分大小写、反斜杠当斜杠）找一个小部件并解压；正常的不过几十 KB，超过 16 MB 就拒绝。"""
    key = path.replace("\\", "/").lower()
    for info in reversed(infos):
        if info.filename.replace("\\", "/").lower() == key:
            if info.file_size > 16 << 20:
                raise _zip_error(name, f"其中的 {info.filename} 解压后有 {info.file_size / 2**20:,.0f} MB，不像正常的工作簿，已拒绝。")
            return b"".join(_member_chunks(raw, info, name, budget))
    return b""


def _attr(tag: bytes, key: bytes) -> str | None:
    m = re.search(rb'(?:^|[\s"\'])(?:[\w.\-]+:)?' + key + rb'\s*=\s*(["\'])(.*?)\1', tag, re.S)
    if not m:
        return None
    from html import unescape

    return unescape(m.group(2).decode("utf-8", "replace"))


def _sheet_paths(raw: memoryview, infos: list[zipfile.ZipInfo], name: str, budget: list[int]) -> dict[str, str]:
    """工作表部件路径（小写）→ 工作表名，按 calamine 的找法：_rels/.rels 指向工作簿，工作簿的关系指向各表。
    只用来在消息里写出工作表名、并保证 calamine 会打开的每个部件都扫到；解析不了就返回空。"""
    xl_path = "xl/"
    for m in re.finditer(rb"<(?:[\w.\-]+:)?Relationship\b([^>]*)>", _read_small(raw, infos, "_rels/.rels", name, budget)):
        rel_type, target = _attr(m.group(1), b"Type"), _attr(m.group(1), b"Target")
        if rel_type and target and rel_type.endswith("/relationships/officeDocument"):
            xl_path = target[:target.rfind("/") + 1].removeprefix("/") if "/" in target else ""
    targets = {}
    rels = _read_small(raw, infos, f"{xl_path}_rels/workbook.xml.rels", name, budget)
    for m in re.finditer(rb"<(?:[\w.\-]+:)?Relationship\b([^>]*)>", rels):
        rel_id, target = _attr(m.group(1), b"Id"), _attr(m.group(1), b"Target")
        if rel_id and target:
            targets[rel_id] = (target[1:] if target.startswith("/") else xl_path + target).replace("\\", "/").lower()
    out = {}
    for m in re.finditer(rb"<(?:[\w.\-]+:)?sheet\b([^>]*)>", _read_small(raw, infos, f"{xl_path}workbook.xml", name, budget)):
        sheet_name, rel_id = _attr(m.group(1), b"name"), _attr(m.group(1), b"id")
        if rel_id in targets:
            out[targets[rel_id]] = sheet_name or ""
    return out


def check_workbook_zip(raw: bytes, name: str, limits: Limits | None = None) -> None:
    """.xlsx（zip）在交给 calamine 之前的检查：部件数、声明与真实的解压大小、压缩比、每张工作表的数据区域。
    只在字节上扫描，内存用量与文件内容无关；不通过时抛中文 ReadError。"""
    limits = limits or Limits.from_settings()
    cap = limits.unzipped_mb << 20
    # zipfile 把中央目录每一项建成 Python 对象：先数签名（只会多不会少），部件过多就不让它建
    if raw.count(b"PK\x01\x02") > MAX_ZIP_MEMBERS:
        raise _zip_error(name, f"压缩包里的部件超过 {MAX_ZIP_MEMBERS:,} 个，不像正常的 Excel 工作簿，已拒绝。")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise _zip_error(name, "文件已损坏或不是 Excel 工作簿（不是有效的 zip 压缩包）。") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _zip_error(name, f"压缩包里有 {len(infos):,} 个部件，超过上限 {MAX_ZIP_MEMBERS:,} 个，不像正常的 Excel 工作簿。")
    lower = {i.filename.replace("\\", "/").lower() for i in infos}
    # calamine 打不开 .xlsx 时会改按 .xlsb、.ods 读，那两种的数据区域这里不检查：直接拒绝
    if "xl/_rels/workbook.bin.rels" in lower or "xl/workbook.bin" in lower:
        raise ReadError(f"文件扩展名是 {Path(name).suffix.lower()}，但内容是 .xlsb 二进制工作簿：{name}。请在 Excel 中另存为 .xlsx 后再导入。")
    if any(i.filename == "mimetype" for i in infos):
        raise ReadError(f"文件扩展名是 {Path(name).suffix.lower()}，但内容是 OpenDocument（.ods 等）文件：{name}。"
                        "请另存为 .xlsx 后再导入。")
    total = 0
    for info in infos:
        member = info.filename
        if info.flag_bits & 0x1:
            raise _zip_error(name, f"压缩包里的部件 {member} 设有密码，无法读取。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _zip_error(name, f"压缩包里的部件 {member} 用了 Excel 不用的压缩方式（编号 {info.compress_type}），已拒绝。")
        if info.file_size > cap:
            raise _zip_error(name, f"其中的 {member} 解压后有 {info.file_size / 2**20:,.0f} MB，超过上限 {limits.unzipped_mb:,} MB。"
                                   "请按年份或镇街拆成几个文件分别导入。")
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _zip_error(name, f"其中的 {member} 压缩比异常（{info.file_size / max(info.compress_size, 1):,.0f} : 1，"
                                   f"{info.compress_size / 1024:,.0f} KB 解压后 {info.file_size / 2**20:,.0f} MB），"
                                   "像是“压缩炸弹”，已拒绝。")
        total += info.file_size
    if total > cap:
        raise _zip_error(name, f"解压后共有 {total / 2**20:,.0f} MB，超过上限 {limits.unzipped_mb:,} MB。"
                               "请按年份或镇街拆成几个文件分别导入。")
    if total > RATIO_FROM_BYTES and total > MAX_RATIO * len(raw):
        raise _zip_error(name, f"压缩比异常（{len(raw) / 1024:,.0f} KB 的文件解压后 {total / 2**20:,.0f} MB），"
                               "像是“压缩炸弹”，已拒绝。")
    view = memoryview(raw)
    budget = [cap]
    sheets = _sheet_paths(view, infos, name, [cap])
    for info in infos:
        key = info.filename.replace("\\", "/").lower()
        chunks = _member_chunks(view, info, name, budget)
        is_sheet, is_strings = key in sheets or _SHEET_FOLDER.search(key), key.endswith("sharedstrings.xml")
        if not (is_sheet or is_strings):
            for _ in chunks:   # 图片等：只核对真实的解压大小
                pass
            continue
        sheet = sheets.get(key)
        scan = _AreaScan(f"{name} 的工作表“{sheet}”" if sheet else f"{name} 中的 {info.filename} ", limits)
        strings_checked = not is_strings
        for w in _windows(chunks, name, info.filename):
            if is_sheet:
                scan.fast(w)
            if not strings_checked:
                strings_checked = _check_shared_strings(w, name, limits)
        if scan.needs_slow:
            scan.slow(_windows(_member_chunks(view, info, name, [cap]), name, info.filename))
        scan.check()


def _check_shared_strings(w: bytes, name: str, limits: Limits) -> bool:
    """calamine 按 <sst uniqueCount> 预留内存：声明的字符串数不得超过单元格上限。找到 <sst> 时返回 True。"""
    m = _SST_COUNT.search(w)
    if m and int(m.group(1)) > limits.cells:
        raise _zip_error(name, f"共享字符串表声明有 {int(m.group(1)):,} 个字符串，超过上限 {limits.cells:,} 个单元格，"
                               "不像正常的工作簿，已拒绝。")
    return m is not None


# ---------------------------------------------------------------- 解析（默认在子进程里）

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


def _rows_from_csv(text: str, name: str = "CSV 文件", limits: Limits | None = None) -> list[list]:
    limits = limits or Limits()
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list] = []
    # 比上限多 1：恰好超 1 个字的单元格由下面的逐格检查报出行列；更长的在这里就停，不把 50 MB 读进来
    old = csv.field_size_limit(limits.cell_chars + 1)
    try:
        for row in reader:
            if len(rows) >= limits.rows:
                raise ReadError(f"{name} 超过 {limits.rows:,} 行（上限），已停止读取。请按年份或镇街拆成几个文件分别导入。")
            if len(row) > limits.columns:
                raise ReadError(f"{name} 第 {reader.line_num:,} 行有 {len(row):,} 列，超过上限 {limits.columns:,} 列。"
                                "请确认分隔符（逗号）没有写错，或删除多余的列。")
            rows.append([(c if c.strip() != "" else None) for c in row])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ReadError(f"{name} 第 {reader.line_num:,} 行有单元格超过 {limits.cell_chars:,} 个字符（上限，与 Excel 相同），"
                            "无法导入。常见原因是引号没有成对，后面的内容都被当成了同一格。") from None
        if "NUL" in str(exc):
            raise ReadError(f"{name} 第 {reader.line_num:,} 行含有空字符（NUL），不是正常的文本 CSV。") from None
        raise ReadError(f"{name} 第 {reader.line_num:,} 行不是有效的 CSV 格式，无法读取。") from None
    finally:
        csv.field_size_limit(old)
    return rows


def _rows_from_excel(raw: bytes, name: str, sheet: str | None,
                     limits: Limits | None = None) -> tuple[list[list], str, list[str]]:
    from python_calamine import CalamineWorkbook, PasswordError

    limits = limits or Limits()
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except PasswordError:
        raise ReadError(f"工作簿设有打开密码，无法读取：{name}。请取消密码后另存再导入。") from None
    except MemoryError:   # 子进程的内存上限：由 _run_isolated 报告，不当作文件损坏
        raise
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
        loaded = wb.get_sheet_by_name(sheet)
    except MemoryError:
        raise
    except Exception as exc:
        raise ReadError(f"无法读取工作表“{sheet}”（{name}）：{type(exc).__name__}。") from None
    # to_python(skip_empty_area=False) 会从 A1 起补齐到最远的单元格再分配：先按上限核对（.xls 只在这里查）
    end = loaded.end
    if end is not None:
        corner = f"{column_letters(end[1] + 1)}{end[0] + 1}"
        _check_area(f"{name} 的工作表“{sheet}”", end[0] + 1, end[1] + 1, corner, corner, limits)
    try:
        rows = loaded.to_python(skip_empty_area=False)
    except MemoryError:
        raise
    except Exception as exc:
        raise ReadError(f"无法读取工作表“{sheet}”（{name}）：{type(exc).__name__}。") from None
    return rows, sheet, names


def _check_cell_lengths(rows: list[list], where: str, limits: Limits, excel: bool) -> None:
    """任何一格超过字数上限都拒绝，并指出在哪一行哪一列。"""
    cap = limits.cell_chars
    for i, row in enumerate(rows):
        longest = max([len(v) for v in row if v.__class__ is str] or [0])
        if longest > cap:
            j = next(j for j, v in enumerate(row) if v.__class__ is str and len(v) > cap)
            col = f"{column_letters(j + 1)} 列" if excel else f"第 {j + 1} 列"
            raise ReadError(f"{where}第 {i + 1:,} 行、{col}的单元格有 {len(row[j]):,} 个字符，超过上限 {cap:,} 个"
                            "（与 Excel 单元格的上限相同），无法导入。")


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


@dataclass(frozen=True)
class _Job:
    """交给解析子进程的一件事（原始字节另经管道送过去）。"""

    name: str
    suffix: str
    expected: tuple[str, ...]
    sheet: str | None
    header_row: int | None
    limits: Limits


# 默认（页面与命令行）在子进程里解析；只有需要在本进程里解析的单元测试才把它设为 False
PARSE_IN_CHILD = True


def read_table(raw: bytes, name: str, expected_headers: Iterable[str], *, sheet: str | None = None,
               header_row: int | None = None) -> Table:
    """把文件读成一张表；expected_headers 是模板列名或映射中的源列名，用来定位表头行。
    header_row（从 1 起）给出时直接用这一行作表头（页面上为陌生表格建映射时用）。
    先在本进程里做不占内存的检查，再在限了内存与时间的子进程里解析（见模块说明）。"""
    suffix = check_file(name, len(raw), raw[: 1 << 20])
    limits = Limits.from_settings()
    if suffix in (".xlsx", ".xls") and raw.startswith(b"PK"):
        check_workbook_zip(raw, name, limits)
    job = _Job(name, suffix, tuple(expected_headers), sheet, header_row, limits)
    if not PARSE_IN_CHILD:
        return _parse(raw, job)
    return _parse_in_child(raw, job)


def _parse(raw: bytes, job: _Job) -> Table:
    name, limits = job.name, job.limits
    expected = {_clean_header(h) for h in job.expected}
    encoding = None
    if job.suffix == ".csv":
        text, encoding = decode_csv(raw, name)
        rows, sheet_name = _rows_from_csv(text, name, limits), ""
        del text
    else:
        rows, sheet_name, _ = _rows_from_excel(raw, name, job.sheet, limits)
    where = f"{name}" + (f" 的工作表“{sheet_name}”" if sheet_name else "")
    _check_cell_lengths(rows, where if sheet_name else f"{name} ", limits, excel=job.suffix != ".csv")
    # 去掉末尾的空行
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise ReadError(f"{where}没有任何内容。")
    header_row = job.header_row
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
    del rows
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


# ---------------------------------------------------------------- 解析子进程

_EXIT_MEMORY = 86                  # 子进程在 MemoryError 之后连报告都发不出去时的退出码
_context_lock = threading.Lock()
_context: multiprocessing.context.BaseContext | None = None


def _launcher_modules() -> list[str]:
    """入口脚本（如 .venv/bin/chuangwen、bin/streamlit）导入的模块。

    Python 3.11 的 forkserver 不会预先导入父进程的入口脚本（main_path 没有传过去），每个子进程都把它当
    __mp_main__ 重跑一遍；把它导入的模块预先放进 forkserver，重跑就几乎不花时间。"""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None or not path:
        return []
    try:
        head = Path(path).read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return []
    return re.findall(r"^from\s+([\w.]+)\s+import\b", head, re.M) + re.findall(r"^import\s+([\w.]+)\s*$", head, re.M)


def _get_context() -> multiprocessing.context.BaseContext:
    # forkserver 而不是 fork：Streamlit 服务器是多线程的，fork 出来的子进程可能卡在别的线程持有的锁上；
    # forkserver 是一个预先导入好 pandas 与 calamine 的单线程进程，每次从它 fork，启动快
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([__name__, "python_calamine", *_launcher_modules()])
            _context = ctx
        return _context


def _limit_memory(mb: int) -> None:
    """RLIMIT_DATA：堆与匿名私有映射（malloc、Rust 的 Vec、numpy 数组都在这里）；不算共享库与只保留不写的地址空间，
    比 RLIMIT_AS 更接近真实用量（后者连 OpenBLAS 与各 malloc 区预留的地址都算）。"""
    limit = mb << 20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _warm_up() -> None:
    """加载解析要用的扩展库与 pandas 里按需导入的部分（字符串列名、factorize）；在 forkserver 里已加载时几乎不花时间。"""
    import python_calamine  # noqa: F401

    try:
        import pyarrow
    except ImportError:
        pass
    else:
        # pandas 的字符串列名用 pyarrow；它默认的内存池（mimalloc）一用就预留 1 GB 地址，全算进 RLIMIT_DATA
        # （实测子进程 VmData 1219 MB → 197 MB）。此时 pyarrow 已加载，环境变量 ARROW_DEFAULT_MEMORY_POOL 不再起作用
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())

    _unpack(_pack(Table("", "", ["列"], pd.DataFrame({"列": ["x", None]}, dtype=object), 2)))


def _child(conn, job: _Job) -> None:
    """子进程：先限内存，再收原始字节、解析，把结果（或中文错误）送回父进程。"""
    # 设了 RUST_BACKTRACE 时，内存不够引起的 panic 要打印调用栈，打印又要分配内存，Rust 在自己的锁上卡死（实测）
    os.environ["RUST_BACKTRACE"] = "0"
    # 父进程到时会杀掉子进程；父进程自己先死了（服务器被重启）时，由闹钟结束它
    signal.alarm(job.limits.seconds + 30)
    # 限内存之前把要用的库都加载好：内存上限下再映射共享库会失败（ImportError 看起来像程序错误）
    _warm_up()
    _limit_memory(job.limits.memory_mb)
    # calamine 分配失败时 abort：不要在服务器上留下几 GB 的 core 文件
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Rust 分配失败时在中止前往 stderr 写一行英文；父进程会给出中文原因
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    reply = None
    try:
        raw = conn.recv_bytes()
        try:
            reply = ("ok", _pack(_parse(raw, job)))
        except ReadError as exc:
            reply = ("error", str(exc))
        del raw
        conn.send(reply)
    except MemoryError:
        reply = None
        try:
            conn.send(("memory", None))
        except BaseException:
            os._exit(_EXIT_MEMORY)
    except BaseException as exc:
        reply = None
        # calamine（Rust）内部 panic 以 pyo3_runtime.PanicException 抛出：多半是内存不够，也可能是文件让它出错
        kind = "panic" if type(exc).__name__ == "PanicException" else "exception"
        try:  # 程序错误：在父进程里照样抛出，不伪装成文件的问题
            conn.send((kind, str(exc)[:300] if kind == "panic" else exc))
        except BaseException:
            conn.send((kind, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _parse_in_child(raw: bytes, job: _Job) -> Table:
    reply = _run_isolated(_child, job, raw, job.name, job.limits)
    return _unpack(reply)


def _run_isolated(target, job, raw: bytes, name: str, limits: Limits):
    """在 forkserver 子进程里跑 target(conn, job)，把 raw 经管道送过去，等回复；超时就杀掉。
    子进程的任何死法都变成中文 ReadError；返回回复里的值。"""
    ctx = _get_context()
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=target, args=(theirs, job), name="chuangwen-read", daemon=True)
    proc.start()
    theirs.close()
    deadline = time.monotonic() + limits.seconds
    reply, timed_out = None, False
    try:
        try:
            ours.send_bytes(raw)
        except OSError:        # 子进程已经死了（例如内存上限小到收不下文件）；下面按退出码报告
            pass
        while reply is None:
            left = deadline - time.monotonic()
            ready = multiprocessing.connection.wait([ours, proc.sentinel], timeout=max(left, 0))
            if not ready:
                timed_out = True
                break
            if ours in ready:
                try:
                    reply = ours.recv()
                except (EOFError, OSError):
                    break
            elif not ours.poll(0):
                break
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        ours.close()
    if timed_out:
        raise ReadError(f"无法读取 {name}：解析超过 {limits.seconds:,} 秒仍未完成，已停止。"
                        "文件可能过大或结构异常；请删除多余的空行空列，或按年份、镇街拆成几个文件分别导入。")
    memory = (f"无法读取 {name}：解析时占用内存超过上限 {limits.memory_mb:,} MB，已停止。"
              "文件可能过大或结构异常；请删除多余的空行空列，或按年份、镇街拆成几个文件分别导入。")
    if reply is not None:
        kind, value = reply
        if kind == "ok":
            return value
        if kind == "error":
            raise ReadError(value)
        if kind == "memory":
            raise ReadError(memory)
        if kind == "panic":
            raise ReadError(f"无法读取 {name}：解析库内部出错（文件已损坏，或解析时内存接近上限 {limits.memory_mb:,} MB）。"
                            "请在 Excel 中打开后另存再导入，或按年份、镇街拆成几个文件分别导入。")
        raise value
    code = proc.exitcode
    # Rust（calamine）分配失败时 abort（SIGABRT）；Python 的 MemoryError 之后发不出报告时以 _EXIT_MEMORY 退出
    if code in (_EXIT_MEMORY, -signal.SIGABRT):
        raise ReadError(memory)
    if code == -signal.SIGKILL:
        raise ReadError(f"无法读取 {name}：解析进程被系统终止（通常是内存不足），已停止。"
                        "请按年份或镇街拆成几个文件分别导入。")
    how = f"信号 {signal.Signals(-code).name}" if code is not None and code < 0 and -code in signal.valid_signals() \
        else f"退出码 {code}"
    raise ReadError(f"无法读取 {name}：解析进程意外退出（{how}），文件可能已损坏。")


# 子进程把表按列编码送回：每格记一个类型号；文本去重成“编号 + 取值表”，数字、时间、日期用 numpy 数组，
# 其余（整数、布尔、时刻等少见的）照常 pickle。比逐个 pickle 单元格快得多，取回的值与类型一模一样
_NONE, _STR, _FLOAT, _DATETIME, _DATE, _OTHER = range(6)
_KIND_OF = {type(None): _NONE, str: _STR, float: _FLOAT, datetime: _DATETIME, date: _DATE}


def _pack_column(values: np.ndarray):
    types = list(map(type, values))
    distinct = set(types)
    if len(distinct) == 1:                # 多数列只有一种类型（全是文本）
        kinds = np.full(len(values), _KIND_OF.get(types[0], _OTHER), dtype=np.uint8)
    else:
        kinds = np.array([_KIND_OF.get(t, _OTHER) for t in types], dtype=np.uint8)
    parts = []
    for kind in np.unique(kinds).tolist():
        if kind == _NONE:
            continue
        chosen = values[kinds == kind]
        if kind == _DATETIME and any(v.tzinfo is not None for v in chosen):
            kinds[kinds == kind] = kind = _OTHER
            chosen = values[kinds == _OTHER]
        if kind == _STR:
            codes, uniques = pd.factorize(chosen)
            payload = (codes.astype(np.int32 if len(uniques) < 2**31 else np.int64), list(uniques))
        elif kind == _FLOAT:
            payload = chosen.astype(float)
        elif kind == _DATETIME:       # pandas 转换比 numpy 的 astype 快 30 倍
            payload = pd.to_datetime(chosen).values.astype("datetime64[us]")
        elif kind == _DATE:
            payload = pd.to_datetime(chosen).values.astype("datetime64[D]")
        else:
            payload = chosen
        parts.append((kind, payload))
    return kinds, parts


def _unpack_column(packed) -> np.ndarray:
    kinds, parts = packed
    out = np.full(len(kinds), None, dtype=object)
    for kind, payload in parts:
        if kind == _STR:
            codes, uniques = payload
            table = np.empty(len(uniques), dtype=object)
            table[:] = uniques
            values = table[codes]
        elif kind in (_FLOAT, _DATETIME, _DATE):
            values = payload.astype(object)     # datetime64[us] → datetime，[D] → date，float64 → float
        else:
            values = payload
        out[kinds == kind] = values
    return out


def _pack(table: Table) -> dict:
    frame = table.data
    return {"file_name": table.file_name, "sheet": table.sheet, "columns": table.columns, "first_row": table.first_row,
            "encoding": table.encoding, "notes": table.notes, "rownum": getattr(table, "_rownum", None),
            "data": [_pack_column(frame.iloc[:, j].to_numpy(dtype=object)) for j in range(frame.shape[1])]}


def _unpack(packed: dict) -> Table:
    columns = packed["columns"]
    arrays = [_unpack_column(c) for c in packed["data"]]
    data = pd.DataFrame(dict(zip(range(len(columns)), arrays)), dtype=object) if arrays else pd.DataFrame()
    data.columns = columns
    table = Table(packed["file_name"], packed["sheet"], columns, data, packed["first_row"], packed["encoding"],
                  packed["notes"])
    if packed["rownum"] is not None:
        table._rownum = packed["rownum"]  # type: ignore[attr-defined]
    return table


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
        elif isinstance(v, dtime):
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
