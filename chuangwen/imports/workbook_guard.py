"""读上传文件之前在调用者的进程里做的字节级检查，不分配与数据区域成比例的内存。

- .xlsx（check_workbook_zip）：成员数、压缩方式、声明与实际解压大小、压缩比、按 calamine 的方式找到工作表后
  逐窗扫描最远的行列与 dimension、共享字符串数。
- 镇街边界文件（check_geojson_head、check_shapefile_zip）：GeoJSON 的开头不是 XML；压缩的 Shapefile 的目录
  （路径把戏、符号链接、套娃、加密、压缩方式、声明的解压大小与压缩比、恰好一个图层）。解压与解析在
  chuangwen.imports.boundaries 的子进程里。"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from chuangwen.imports.limits import Limits, ReadError, _check_area, _column_number, column_letters

# ---------------------------------------------------------------- 读之前：检查 .xlsx 压缩包（在调用者的进程里）

MAX_ZIP_MEMBERS = 10_000  # 正常工作簿几十个部件；中央目录每项在本进程里要几百字节
MAX_RATIO = 100  # 真实的工作表 XML 压缩比约 10:1；超过 100:1 且较大的是“压缩炸弹”
RATIO_FROM_BYTES = 8 << 20  # 小部件（样式、主题）压缩比高很正常，只对解压后超过 8 MB 的套用
XML_RUN_LIMIT = 1 << 20  # XML 里 1 MB 没有一个“<”：单元格文字最多 32,767 字，不可能这么长
_IN_CHUNK = 1 << 20
_OUT_CHUNK = 4 << 20


def _zip_error(name: str, what: str) -> ReadError:
    return ReadError(f"无法读取 Excel 文件 {name}：{what}")


def _member_chunks(
    raw: memoryview,
    info: zipfile.ZipInfo,
    name: str,
    budget: list[int],
    error: Callable[[str, str], ReadError] = _zip_error,
) -> Iterator[bytes]:
    """逐块解压一个部件。按真实解压出的字节计数，不信声明的大小：多于声明（部件谎报大小）或总量超过上限就拒绝。
    budget[0] 是整个压缩包还允许解压的字节数；error(文件名, 什么不对) 造中文错误（边界文件的压缩包用自己的说法）。"""
    member = info.filename
    off = info.header_offset
    if off + 30 > len(raw) or raw[off : off + 4] != b"PK\x03\x04":
        raise error(name, f"压缩包里的部件 {member} 位置不对，文件已损坏。")
    name_len, extra_len = struct.unpack_from("<HH", raw, off + 26)
    start = off + 30 + name_len + extra_len
    data = raw[start : start + info.compress_size]
    if len(data) != info.compress_size:
        raise error(name, f"压缩包里的部件 {member} 不完整，文件已损坏。")
    produced = 0

    def count(out: bytes) -> None:
        nonlocal produced
        produced += len(out)
        if produced > info.file_size:
            raise error(
                name,
                f"压缩包里的部件 {member} 实际解压出的内容比声明的 {info.file_size:,} 字节多"
                "（谎报大小），文件已损坏或被改动过，已拒绝。",
            )
        budget[0] -= len(out)
        if budget[0] < 0:
            raise error(name, "解压后的内容超过上限。请按年份或镇街拆成几个文件分别导入。")

    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(data), _OUT_CHUNK):
            out = bytes(data[i : i + _OUT_CHUNK])
            count(out)
            yield out
        return
    inflater = zlib.decompressobj(-15)
    pos = 0
    piece: bytes | memoryview
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                piece = inflater.unconsumed_tail
            elif pos < len(data):
                piece = data[pos : pos + _IN_CHUNK]
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
        raise error(name, f"压缩包里的部件 {member} 无法解压，文件已损坏。") from None


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
            raise _zip_error(
                name,
                f"压缩包里的 {member} 有一段超过 1 MB 的连续文字或标签（Excel 单元格最多 32,767 个字符），"
                "不像正常的工作表，已拒绝。",
            )
    if carry:
        yield carry


# r 属性（单元格 r="AB12"、行 r="12"）。calamine 认大小写字母，行号允许前导 0；属性名前是空白或上一个值的引号，
# 等号两边可有空白，引号可单可双（r 后面的回看不妨碍正则按字面量“r”快速跳）。这里不看是哪个元素的属性，
# 宁可多算：文本里恰好写着 r="XFD9" 才会误判
_R_ATTR = rb'r(?<=[\s"\']r)\s*=\s*["\']'
_R_VALUE = re.compile(_R_ATTR + rb"([A-Za-z]*)(\d+)")
# 不以 <c r="…" 开头的单元格标签（不带 r、r 不在第一个、带前缀 <x:c>）：要逐个标签模拟 calamine
_ODD_C = re.compile(rb'<c(?:[>/\t\n\r]| (?!r="))')
_PREFIXED_C = re.compile(rb":c[ \t\r\n/>]")
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?dimension\b[^>]*?\bref\s*=\s*["\']([^"\']*)')
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheetData[\s/>]")
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
        if (
            self.max_row > self.limits.rows
            or self.max_col > self.limits.columns
            or self.max_row * self.max_col > self.limits.cells
        ):
            self.check()

    def fast(self, w: bytes) -> None:
        if self.before_sheet_data:
            data = _SHEET_DATA.search(w)
            for declared in _DIMENSION.finditer(w, 0, data.start() if data else len(w)):
                end = declared.group(1).decode("latin-1").split(":")[-1]
                ref = _REF.match(end.strip())
                if ref:
                    dim = (int(ref.group(2)), _column_number(ref.group(1)), declared.group(1).decode("latin-1")[:40])
                    if self.dimension is None or dim[0] * dim[1] > self.dimension[0] * self.dimension[1]:
                        self.dimension = dim
            if data:
                self.before_sheet_data = False
        # 正常文件按行排好：窗口里最后一个单元格行号最大。先记下它，再找“比目前最大行、最大列还大”的 r 属性，
        # 找到就更新、接着找；正常文件一次都找不到，整窗口只在 C 里扫一遍
        last = w.rfind(b' r="')
        if last >= 0 and (m := _R_VALUE.match(w, last + 1)):
            self._seen(
                m.group(1), m.group(2), row=int(m.group(2)), col=_column_number(m.group(1)) if m.group(1) else None
            )
        pos, tries = 0, 0
        while m := _beyond(self.max_col, self.max_row).search(w, pos):
            tries += 1
            if tries > _SEARCH_TRIES:  # 行号乱序的文件：这个窗口逐个取出来
                for letters, digits in _R_VALUE.findall(w, pos):
                    self._seen(letters, digits, row=int(digits), col=_column_number(letters) if letters else None)
                break
            v = _R_VALUE.match(w, m.start())
            assert v is not None  # _beyond 匹配到的都是 r="字母数字"，_R_VALUE 在同一处一定匹配
            self._seen(
                v.group(1), v.group(2), row=int(v.group(2)), col=_column_number(v.group(1)) if v.group(1) else None
            )
            pos = m.start() + 1
        if not self.needs_slow and (_ODD_C.search(w) or _PREFIXED_C.search(w)):
            self.needs_slow = True
        self._stop_if_over()

    def slow(self, windows: Iterable[bytes]) -> None:
        """像 calamine 一样数：<row r> 设当前行，</row> 行号加一、列号归零；不带 r 的单元格在当前行、上一格右边。"""
        row_index = col_index = 0  # 从 0 起，与 calamine 相同
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
                raise _zip_error(
                    name,
                    f"其中的 {info.filename} 解压后有 {info.file_size / 2**20:,.0f} MB，不像正常的工作簿，已拒绝。",
                )
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
    for m in re.finditer(
        rb"<(?:[\w.\-]+:)?Relationship\b([^>]*)>", _read_small(raw, infos, "_rels/.rels", name, budget)
    ):
        rel_type, target = _attr(m.group(1), b"Type"), _attr(m.group(1), b"Target")
        if rel_type and target and rel_type.endswith("/relationships/officeDocument"):
            xl_path = target[: target.rfind("/") + 1].removeprefix("/") if "/" in target else ""
    targets = {}
    rels = _read_small(raw, infos, f"{xl_path}_rels/workbook.xml.rels", name, budget)
    for m in re.finditer(rb"<(?:[\w.\-]+:)?Relationship\b([^>]*)>", rels):
        rel_id, target = _attr(m.group(1), b"Id"), _attr(m.group(1), b"Target")
        if rel_id and target:
            targets[rel_id] = (target[1:] if target.startswith("/") else xl_path + target).replace("\\", "/").lower()
    out = {}
    for m in re.finditer(
        rb"<(?:[\w.\-]+:)?sheet\b([^>]*)>", _read_small(raw, infos, f"{xl_path}workbook.xml", name, budget)
    ):
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
        raise _zip_error(
            name, f"压缩包里有 {len(infos):,} 个部件，超过上限 {MAX_ZIP_MEMBERS:,} 个，不像正常的 Excel 工作簿。"
        )
    lower = {i.filename.replace("\\", "/").lower() for i in infos}
    # calamine 打不开 .xlsx 时会改按 .xlsb、.ods 读，那两种的数据区域这里不检查：直接拒绝
    if "xl/_rels/workbook.bin.rels" in lower or "xl/workbook.bin" in lower:
        raise ReadError(
            f"文件扩展名是 {Path(name).suffix.lower()}，但内容是 .xlsb 二进制工作簿：{name}。请在 Excel 中另存为 .xlsx 后再导入。"
        )
    if any(i.filename == "mimetype" for i in infos):
        raise ReadError(
            f"文件扩展名是 {Path(name).suffix.lower()}，但内容是 OpenDocument（.ods 等）文件：{name}。"
            "请另存为 .xlsx 后再导入。"
        )
    total = 0
    for info in infos:
        member = info.filename
        if info.flag_bits & 0x1:
            raise _zip_error(name, f"压缩包里的部件 {member} 设有密码，无法读取。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _zip_error(
                name, f"压缩包里的部件 {member} 用了 Excel 不用的压缩方式（编号 {info.compress_type}），已拒绝。"
            )
        if info.file_size > cap:
            raise _zip_error(
                name,
                f"其中的 {member} 解压后有 {info.file_size / 2**20:,.0f} MB，超过上限 {limits.unzipped_mb:,} MB。"
                "请按年份或镇街拆成几个文件分别导入。",
            )
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _zip_error(
                name,
                f"其中的 {member} 压缩比异常（{info.file_size / max(info.compress_size, 1):,.0f} : 1，"
                f"{info.compress_size / 1024:,.0f} KB 解压后 {info.file_size / 2**20:,.0f} MB），"
                "像是“压缩炸弹”，已拒绝。",
            )
        total += info.file_size
    if total > cap:
        raise _zip_error(
            name,
            f"解压后共有 {total / 2**20:,.0f} MB，超过上限 {limits.unzipped_mb:,} MB。"
            "请按年份或镇街拆成几个文件分别导入。",
        )
    if total > RATIO_FROM_BYTES and total > MAX_RATIO * len(raw):
        raise _zip_error(
            name,
            f"压缩比异常（{len(raw) / 1024:,.0f} KB 的文件解压后 {total / 2**20:,.0f} MB），像是“压缩炸弹”，已拒绝。",
        )
    view = memoryview(raw)
    budget = [cap]
    sheets = _sheet_paths(view, infos, name, [cap])
    for info in infos:
        key = info.filename.replace("\\", "/").lower()
        chunks = _member_chunks(view, info, name, budget)
        is_sheet, is_strings = key in sheets or _SHEET_FOLDER.search(key), key.endswith("sharedstrings.xml")
        if not (is_sheet or is_strings):
            for _ in chunks:  # 图片等：只核对真实的解压大小
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
        raise _zip_error(
            name,
            f"共享字符串表声明有 {int(m.group(1)):,} 个字符串，超过上限 {limits.cells:,} 个单元格，"
            "不像正常的工作簿，已拒绝。",
        )
    return m is not None


# ---------------------------------------------------------------- 读之前：检查镇街边界文件（在调用者的进程里）

# Shapefile 压缩包只有 .shp .shx .dbf .prj .cpg 和几个说明文件
MAX_SHAPEFILE_ZIP_MEMBERS = 100
# 从压缩包里取出、交给 Shapefile 驱动的部件（其余部件不解压）
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# 压缩包里再套的压缩包：不解开，直接拒绝（GDAL 会顺着 /vsizip/ 一层层打开）
ARCHIVE_SUFFIXES = (
    ".zip",
    ".7z",
    ".rar",
    ".gz",
    ".tgz",
    ".tar",
    ".bz2",
    ".tbz2",
    ".xz",
    ".txz",
    ".zst",
    ".lz",
    ".lzma",
    ".z",
    ".cab",
    ".jar",
    ".kmz",
)
ONE_COUNTY = "一个县的镇街边界解压后通常只有几 MB：请只保留本县的镇街边界再导入。"


def boundary_zip_error(name: str, what: str) -> ReadError:
    """边界文件压缩包的中文错误（_member_chunks 的 error 参数也用它）。"""
    return ReadError(f"无法读取边界文件 {name}：{what}")


def check_geojson_head(raw: bytes, name: str) -> None:
    """.geojson/.json 的内容必须以“{”开头：GDAL 见到 XML 会改用 VRT、GML、KML 等驱动去读（VRT 能指向服务器上的
    文件与网址）。消息里不引用文件内容。"""
    head = raw[:4096].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if head.startswith(b"{"):
        return
    suffix = Path(name).suffix.lower()
    if head.startswith(b"<"):
        raise ReadError(
            f"文件扩展名是 {suffix}，但内容是 XML（例如 OGR VRT、GML、KML），不是 GeoJSON：{name}。"
            "已拒绝，未读取其内容。请上传 GeoJSON，或把 .shp、.shx、.dbf、.prj 一起压缩成 .zip。"
        )
    raise ReadError(
        f"文件扩展名是 {suffix}，但内容不是 GeoJSON（GeoJSON 以“{{”开头）：{name}。"
        "请上传 GeoJSON，或把 .shp、.shx、.dbf、.prj 一起压缩成 .zip。"
    )


def _member_label(member: str) -> str:
    return member if len(member) <= 80 else member[:80] + "…"


def _unsafe_member(member: str) -> bool:
    """绝对路径、盘符、“..”、空字符：解压到别处的老把戏（这里从不按部件名解压，照样拒绝）。"""
    path = member.replace("\\", "/")
    return (
        path.startswith("/")
        or re.match(r"[A-Za-z]:", path) is not None
        or "\x00" in path
        or any(part == ".." for part in path.split("/"))
    )


def check_shapefile_zip(raw: bytes, name: str, cap: int) -> dict[str, str]:
    """压缩的 Shapefile 在交给子进程之前的检查：只看压缩包目录（部件数、路径、符号链接、套娃、加密、压缩方式、
    声明的解压大小与压缩比），不解压。cap 是解压后总大小的上限（字节）。返回 扩展名 → 部件名（.shp .shx .dbf，
    有的话再加 .prj .cpg）；不通过时抛中文 ReadError。"""
    error = boundary_zip_error
    # zipfile 把中央目录每一项建成 Python 对象：先数签名（只会多不会少），部件过多就不让它建
    if raw.count(b"PK\x01\x02") > MAX_SHAPEFILE_ZIP_MEMBERS:
        raise error(
            name,
            f"压缩包里的部件超过 {MAX_SHAPEFILE_ZIP_MEMBERS:,} 个，不像压缩的 Shapefile，已拒绝。"
            "请只把 .shp、.shx、.dbf、.prj 压缩进一个 .zip。",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise ReadError(f"文件不是有效的 zip 压缩包：{name}。") from None
    total = 0
    for info in infos:
        member = _member_label(info.filename)
        if _unsafe_member(info.filename):
            raise error(name, f"压缩包里的“{member}”路径不安全（绝对路径、盘符或“..”），已拒绝。")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise error(name, f"压缩包里的“{member}”是符号链接，已拒绝。")
        if info.is_dir():
            continue
        if info.filename.lower().endswith(ARCHIVE_SUFFIXES):
            raise error(
                name, f"压缩包里又套了压缩包“{member}”，已拒绝。请解开后只把 .shp、.shx、.dbf、.prj 压缩进一个 .zip。"
            )
        if info.flag_bits & 0x1:
            raise error(name, f"压缩包里的“{member}”设有密码，无法读取。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise error(
                name,
                f"压缩包里的“{member}”用了不常见的压缩方式（编号 {info.compress_type}），已拒绝。"
                "请用系统自带的“压缩”重新打包。",
            )
        if info.file_size > cap:
            raise error(
                name,
                f"压缩包里的“{member}”解压后有 {info.file_size / 2**20:,.0f} MB，"
                f"超过边界文件的上限 {cap / 2**20:,.0f} MB。{ONE_COUNTY}",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise error(name, f"压缩包里的“{member}”压缩比异常（{ratio:,.0f} : 1），像是“压缩炸弹”，已拒绝。")
        total += info.file_size
    if total > cap:
        raise error(name, f"解压后共有 {total / 2**20:,.0f} MB，超过边界文件的上限 {cap / 2**20:,.0f} MB。{ONE_COUNTY}")
    shps = [i.filename for i in infos if not i.is_dir() and i.filename.lower().endswith(".shp")]
    if not shps:
        raise ReadError(f"压缩包里没有 .shp 文件：{name}。请把 .shp、.shx、.dbf、.prj 一起压缩。")
    if len(shps) > 1:
        listed = "、".join(_member_label(s) for s in shps[:5]) + ("等" if len(shps) > 5 else "")
        raise error(
            name,
            f"压缩包里有 {len(shps)} 个 .shp 文件（{listed}）：一次只导入一个图层，"
            "请只把镇街边界的 .shp、.shx、.dbf、.prj 压缩进一个 .zip。",
        )
    stem = shps[0][:-4]
    members = {i.filename.lower(): i.filename for i in infos if not i.is_dir()}
    parts = {ext: members[(stem + ext).lower()] for ext in SHAPEFILE_PARTS if (stem + ext).lower() in members}
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        raise error(
            name,
            f"压缩包里缺少与“{_member_label(shps[0])}”同名的 {'、'.join(missing)} 文件。"
            "请把 .shp、.shx、.dbf、.prj 一起压缩。",
        )
    return parts
