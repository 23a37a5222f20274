"""读取导入文件：.xlsx/.xls（python-calamine）、.csv（UTF-8 / UTF-8-BOM / GBK / GB18030 自动识别）。

读出来的一律是“文本表”：每个单元格一个 Python 值（str / float / int / datetime / date / None），
表头行自动定位（跳过合并的标题行），末尾空行去掉，全角数字与全角标点转半角。日期的解析在 parse_dates。
坏文件（类型不对、空文件、有密码、没有表头、过大）抛 ReadError，消息为中文，可直接给用户看。

上传的文件不可信：calamine 按工作表的数据区域一次分配整块内存（一个只有 XFD1048576 一格的 2 KB 工作簿
要 512 GB，进程直接被中止），所以读之前先在本进程里检查压缩包与工作表 XML（check_workbook_zip，
只做字节级扫描、不分配与数据区域成比例的内存），再在限了内存与时间的子进程里解析（_parse_in_child）；
子进程出任何事都变成中文 ReadError，调用者（命令行、Streamlit 页面）不会跟着崩溃。
镇街边界文件（chuangwen.imports.boundaries）用同一个子进程骨架（_serve、_run_isolated）与同样的上限。
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import multiprocessing
import multiprocessing.connection
import os
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chuangwen.imports.cells import cell_text, halfwidth, parse_dates, parse_numbers, text_column, zip_first
from chuangwen.imports.limits import Limits, ReadError, _check_area, column_letters
from chuangwen.imports.workbook_guard import check_workbook_zip

_LOG = logging.getLogger("chuangwen.imports")

# 读文件的入口：read_table；上限与错误在 limits，读之前的 .xlsx 检查在 workbook_guard，单元格值的解析在 cells，
# 这里一并提供（导入的其余部分只用 readers）
__all__ = [
    "MAX_BYTES",
    "MAX_MB",
    "TABULAR_SUFFIXES",
    "HEADER_SCAN_ROWS",
    "Limits",
    "ReadError",
    "Table",
    "cell_text",
    "check_file",
    "check_workbook_zip",
    "column_letters",
    "halfwidth",
    "parse_dates",
    "parse_numbers",
    "read_table",
    "row_numbers",
    "text_column",
    "zip_first",
]

MAX_BYTES = 100 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)  # 页面上传控件与服务器上传上限用同一个数
TABULAR_SUFFIXES = (".xlsx", ".xls", ".csv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
HEADER_SCAN_ROWS = 15


@dataclass
class Table:
    """一张读出来的表：列名、数据（object 列）、来源位置，用于报告行号。"""

    file_name: str
    sheet: str
    columns: list[str]
    data: pd.DataFrame  # 列名同 columns，值为原始单元格
    first_row: int  # 第一行数据在文件中的行号（从 1 起，与 Excel 一致）
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def row_numbers(self) -> np.ndarray:
        return np.arange(len(self.data)) + self.first_row


def _clean_header(value: object) -> str:
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
        raise ReadError(
            f"工作簿设有打开密码，无法读取：{name}。请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再导入。"
        )
    if suffix == ".xlsx" and not head.startswith(b"PK"):
        if head.startswith(_OLE_MAGIC):
            raise ReadError(
                f"文件扩展名是 .xlsx，但内容是旧版 .xls 或受保护的工作簿：{name}。请在 Excel 中另存为 .xlsx 后再导入。"
            )
        raise ReadError(f"文件扩展名是 .xlsx，但内容不是 Excel 工作簿：{name}。")
    if suffix == ".xls" and not head.startswith(_OLE_MAGIC) and not head.startswith(b"PK"):
        raise ReadError(f"文件扩展名是 .xls，但内容不是 Excel 工作簿：{name}。")
    if suffix == ".csv" and b"\x00" in head[:4096]:
        raise ReadError(f"文件扩展名是 .csv，但内容像是二进制文件（可能是改了扩展名的 Excel）：{name}。")
    return suffix


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
                raise ReadError(
                    f"{name} 超过 {limits.rows:,} 行（上限），已停止读取。请按年份或镇街拆成几个文件分别导入。"
                )
            if len(row) > limits.columns:
                raise ReadError(
                    f"{name} 第 {reader.line_num:,} 行有 {len(row):,} 列，超过上限 {limits.columns:,} 列。"
                    "请确认分隔符（逗号）没有写错，或删除多余的列。"
                )
            rows.append([(c if c.strip() != "" else None) for c in row])
    except csv.Error as exc:
        _LOG.info("读不了 CSV %s：%s", name, exc)
        if "field larger than field limit" in str(exc):
            raise ReadError(
                f"{name} 第 {reader.line_num:,} 行有单元格超过 {limits.cell_chars:,} 个字符（上限，与 Excel 相同），"
                "无法导入。常见原因是引号没有成对，后面的内容都被当成了同一格。"
            ) from exc
        if "NUL" in str(exc):
            raise ReadError(f"{name} 第 {reader.line_num:,} 行含有空字符（NUL），不是正常的文本 CSV。") from exc
        raise ReadError(f"{name} 第 {reader.line_num:,} 行不是有效的 CSV 格式，无法读取。") from exc
    finally:
        csv.field_size_limit(old)
    return rows


def _rows_from_excel(
    raw: bytes, name: str, sheet: str | None, limits: Limits | None = None
) -> tuple[list[list], str, list[str]]:
    from python_calamine import CalamineWorkbook, PasswordError

    limits = limits or Limits()
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except PasswordError as exc:
        raise ReadError(f"工作簿设有打开密码，无法读取：{name}。请取消密码后另存再导入。") from exc
    except MemoryError:  # 子进程的内存上限：由 _run_isolated 报告，不当作文件损坏
        raise
    except Exception as exc:  # calamine 的各种解析错误（损坏、非 Excel）：原因写进服务器日志，用户看到中文说明
        _LOG.info("读不了 Excel %s", name, exc_info=exc)
        raise ReadError(f"无法读取 Excel 文件 {name}：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）。") from exc
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
        _LOG.info("读不了工作表 %s（%s）", sheet, name, exc_info=exc)
        raise ReadError(f"无法读取工作表“{sheet}”（{name}）：{type(exc).__name__}。") from exc
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
        _LOG.info("读不了工作表 %s（%s）", sheet, name, exc_info=exc)
        raise ReadError(f"无法读取工作表“{sheet}”（{name}）：{type(exc).__name__}。") from exc
    return rows, sheet, names


def _check_cell_lengths(rows: list[list], where: str, limits: Limits, excel: bool) -> None:
    """任何一格超过字数上限都拒绝，并指出在哪一行哪一列。"""
    cap = limits.cell_chars
    for i, row in enumerate(rows):
        longest = max([len(v) for v in row if v.__class__ is str] or [0])
        if longest > cap:
            j = next(j for j, v in enumerate(row) if v.__class__ is str and len(v) > cap)
            col = f"{column_letters(j + 1)} 列" if excel else f"第 {j + 1} 列"
            raise ReadError(
                f"{where}第 {i + 1:,} 行、{col}的单元格有 {len(row[j]):,} 个字符，超过上限 {cap:,} 个"
                "（与 Excel 单元格的上限相同），无法导入。"
            )


def _blank(value: object) -> bool:
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


def read_table(
    raw: bytes, name: str, expected_headers: Iterable[str], *, sheet: str | None = None, header_row: int | None = None
) -> Table:
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
    found: tuple[int, list[str]] | None
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
    width = max(len(header), max((len(r) for r in rows[h + 1 :]), default=0))
    header += [""] * (width - len(header))
    columns: list[str] = []
    seen: dict[str, int] = {}
    for j, v in enumerate(header):
        label = v or f"（第{j + 1}列）"
        if label in seen:
            seen[label] += 1
            label = f"{label}（{seen[label]}）"
        else:
            seen[label] = 1
        columns.append(label)
    body = [list(r) + [None] * (width - len(r)) for r in rows[h + 1 :]]
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

_EXIT_MEMORY = 86  # 子进程在 MemoryError 之后连报告都发不出去时的退出码
_context_lock = threading.Lock()
_context: multiprocessing.context.ForkServerContext | None = None


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


def _get_context() -> multiprocessing.context.ForkServerContext:
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


def _child(conn: Connection, job: _Job) -> None:
    """子进程：先限内存，再收原始字节、解析，把结果（或中文错误）送回父进程。"""
    _serve(conn, job.limits, _warm_up, lambda raw: _pack(_parse(raw, job)))


def _serve(conn: Connection, limits: Limits, warm_up: Callable[[], object], work: Callable[[bytes], object]) -> None:
    """解析子进程的共用骨架（表格与边界文件都用它）：预热 warm_up()、限内存，收原始字节，回复 work(raw) 的结果。
    work 抛 ReadError 时回复中文错误；内存不够、解析库内部出错、程序错误各按其类回复（见 _run_isolated）。"""
    # 设了 RUST_BACKTRACE 时，内存不够引起的 panic 要打印调用栈，打印又要分配内存，Rust 在自己的锁上卡死（实测）
    os.environ["RUST_BACKTRACE"] = "0"
    # 父进程到时会杀掉子进程；父进程自己先死了（服务器被重启）时，由闹钟结束它
    signal.alarm(limits.seconds + 30)
    # 限内存之前把要用的库都加载好：内存上限下再映射共享库会失败（ImportError 看起来像程序错误）
    warm_up()
    _limit_memory(limits.memory_mb)
    # calamine 分配失败时 abort：不要在服务器上留下几 GB 的 core 文件
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Rust 分配失败时在中止前往 stderr 写一行英文；父进程会给出中文原因
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    reply = None
    try:
        raw = conn.recv_bytes()
        try:
            reply = ("ok", work(raw))
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


# 超时、内存超限、被系统终止时给用户的建议（表格）；边界文件另给自己的
_TABLE_HINT = "文件可能过大或结构异常；请删除多余的空行空列，或按年份、镇街拆成几个文件分别导入。"


def _run_isolated(
    target: Callable[[Connection, Any], None],
    job: object,
    raw: bytes,
    name: str,
    limits: Limits,
    hint: str = _TABLE_HINT,
) -> Any:
    """在 forkserver 子进程里跑 target(conn, job)，把 raw 经管道送过去，等回复；超时就杀掉。
    子进程的任何死法都变成中文 ReadError（hint 是给用户的建议）；返回回复里的值。"""
    ctx = _get_context()
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=target, args=(theirs, job), name="chuangwen-read", daemon=True)
    proc.start()
    theirs.close()
    deadline = time.monotonic() + limits.seconds
    reply, timed_out = None, False
    try:
        with contextlib.suppress(OSError):  # 子进程已经死了（例如内存上限小到收不下文件）；下面按退出码报告
            ours.send_bytes(raw)
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
        raise ReadError(f"无法读取 {name}：解析超过 {limits.seconds:,} 秒仍未完成，已停止。{hint}")
    memory = f"无法读取 {name}：解析时占用内存超过上限 {limits.memory_mb:,} MB，已停止。{hint}"
    if reply is not None:
        kind, value = reply
        if kind == "ok":
            return value
        if kind == "error":
            raise ReadError(value)
        if kind == "memory":
            raise ReadError(memory)
        if kind == "panic":
            raise ReadError(
                f"无法读取 {name}：解析库内部出错（文件已损坏，或解析时内存接近上限 {limits.memory_mb:,} MB）。"
                "请在 Excel 中打开后另存再导入，或按年份、镇街拆成几个文件分别导入。"
            )
        raise value
    code = proc.exitcode
    # Rust（calamine）分配失败时 abort（SIGABRT）；Python 的 MemoryError 之后发不出报告时以 _EXIT_MEMORY 退出
    if code in (_EXIT_MEMORY, -signal.SIGABRT):
        raise ReadError(memory)
    if code == -signal.SIGKILL:
        raise ReadError(f"无法读取 {name}：解析进程被系统终止（通常是内存不足），已停止。{hint}")
    how = (
        f"信号 {signal.Signals(-code).name}"
        if code is not None and code < 0 and -code in signal.valid_signals()
        else f"退出码 {code}"
    )
    raise ReadError(f"无法读取 {name}：解析进程意外退出（{how}），文件可能已损坏。")


# 子进程把表按列编码送回：每格记一个类型号；文本去重成“编号 + 取值表”，数字、时间、日期用 numpy 数组，
# 其余（整数、布尔、时刻等少见的）照常 pickle。比逐个 pickle 单元格快得多，取回的值与类型一模一样
_NONE, _STR, _FLOAT, _DATETIME, _DATE, _OTHER = range(6)
_KIND_OF = {type(None): _NONE, str: _STR, float: _FLOAT, datetime: _DATETIME, date: _DATE}


def _pack_column(values: np.ndarray) -> tuple[np.ndarray, list[tuple[int, Any]]]:
    types = list(map(type, values))
    distinct = set(types)
    if len(distinct) == 1:  # 多数列只有一种类型（全是文本）
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
        elif kind == _DATETIME:  # pandas 转换比 numpy 的 astype 快 30 倍
            payload = pd.to_datetime(chosen).values.astype("datetime64[us]")
        elif kind == _DATE:
            payload = pd.to_datetime(chosen).values.astype("datetime64[D]")
        else:
            payload = chosen
        parts.append((kind, payload))
    return kinds, parts


def _unpack_column(packed: tuple[np.ndarray, list[tuple[int, Any]]]) -> np.ndarray:
    kinds, parts = packed
    out = np.full(len(kinds), None, dtype=object)
    for kind, payload in parts:
        if kind == _STR:
            codes, uniques = payload
            table = np.empty(len(uniques), dtype=object)
            table[:] = uniques
            values = table[codes]
        elif kind in (_FLOAT, _DATETIME, _DATE):
            values = payload.astype(object)  # datetime64[us] → datetime，[D] → date，float64 → float
        else:
            values = payload
        out[kinds == kind] = values
    return out


def _pack(table: Table) -> dict:
    frame = table.data
    return {
        "file_name": table.file_name,
        "sheet": table.sheet,
        "columns": table.columns,
        "first_row": table.first_row,
        "encoding": table.encoding,
        "notes": table.notes,
        "rownum": getattr(table, "_rownum", None),
        "data": [_pack_column(frame.iloc[:, j].to_numpy(dtype=object)) for j in range(frame.shape[1])],
    }


def _unpack(packed: dict) -> Table:
    columns = packed["columns"]
    arrays = [_unpack_column(c) for c in packed["data"]]
    data = pd.DataFrame(dict(zip(range(len(columns)), arrays)), dtype=object) if arrays else pd.DataFrame()
    data.columns = columns
    table = Table(
        packed["file_name"], packed["sheet"], columns, data, packed["first_row"], packed["encoding"], packed["notes"]
    )
    if packed["rownum"] is not None:
        table._rownum = packed["rownum"]  # type: ignore[attr-defined]
    return table
