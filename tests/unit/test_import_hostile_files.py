"""恶意导入文件：读之前的检查与解析子进程把每一种都变成中文 ReadError，命令行退出码 1、库不变，进程不死。

文件由 scripts/make_hostile_files.py 在临时目录里生成。不测用时（用时与内存见 benchmarks/bench_hostile_files.py）。
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from chuangwen import cli
from chuangwen.imports import command, readers
from tests.unit._import_helpers import HEADER, base_db, csv_bytes, row, table_hashes, xlsx_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import make_hostile_files as hostile  # noqa: E402

LIMITS_MESSAGE = "如果实际数据没有这么多，多半是表格下方或右侧远处有写过内容或设置过格式的单元格"

# 文件名 → 消息里必须原样出现的几段（文件名、哪里、什么不对）
EXPECTED = {
    "xfd1048576.xlsx": [
        "xfd1048576.xlsx 的工作表“问题台账”的数据区域达到第 1,048,576 行（最远的单元格 XFD1048576），"
        "超过上限 1,000,000 行。",
        LIMITS_MESSAGE,
    ],
    "zz200000.xlsx": [
        "zz200000.xlsx 的工作表“问题台账”的数据区域达到第 702 列（ZZ 列，最远的单元格 ZZ200000），超过上限 200 列。"
    ],
    "dense_area.xlsx": [
        "dense_area.xlsx 的工作表“问题台账”的数据区域有 200,000 行 × 150 列 = 30,000,000 个单元格"
        "（最远的单元格 ET200000），超过上限 20,000,000 个单元格。"
    ],
    "declared_dimension.xlsx": [
        "declared_dimension.xlsx 的工作表“问题台账”声明的数据范围是 A1:XFD1048576，"
        "达到第 1,048,576 行，超过上限 1,000,000 行。"
    ],
    "cells_without_ref.xlsx": [
        "cells_without_ref.xlsx 的工作表“问题台账”的数据区域达到第 300 列（KN 列，最远的单元格 KN1），超过上限 200 列。"
    ],
    "shared_strings_bomb.xlsx": [
        "无法读取 Excel 文件 shared_strings_bomb.xlsx：其中的 xl/sharedStrings.xml 压缩比异常（",
        "像是“压缩炸弹”，已拒绝。",
    ],
    "lying_size.xlsx": [
        "无法读取 Excel 文件 lying_size.xlsx：压缩包里的部件 xl/worksheets/sheet1.xml "
        "实际解压出的内容比声明的 2,048 字节多（谎报大小）"
    ],
    "shared_strings_count.xlsx": [
        "无法读取 Excel 文件 shared_strings_count.xlsx：共享字符串表声明有 4,000,000,000 个字符串，"
        "超过上限 20,000,000 个单元格"
    ],
    "many_members.xlsx": ["无法读取 Excel 文件 many_members.xlsx：压缩包里的部件超过 10,000 个"],
    "ods_disguised.xlsx": ["文件扩展名是 .xlsx，但内容是 OpenDocument（.ods 等）文件：ods_disguised.xlsx。"],
    "bzip2_members.xlsx": [
        "无法读取 Excel 文件 bzip2_members.xlsx：压缩包里的部件 [Content_Types].xml "
        "用了 Excel 不用的压缩方式（编号 12）"
    ],
    "long_cell.xlsx": ["long_cell.xlsx 的工作表“问题台账”第 2 行、B 列的单元格有 40,000 个字符，超过上限 32,767 个"],
    "far_cell.xls": ["无法读取 far_cell.xls：解析时占用内存超过上限 4,096 MB，已停止。"],
    "dimensions.xls": ["无法读取 dimensions.xls：解析时占用内存超过上限 4,096 MB，已停止。"],
    "wide.xls": ["wide.xls 的工作表“Sheet1”的数据区域达到第 256 列（IV 列，最远的单元格 IV11），超过上限 200 列。"],
    "huge_cell.csv": ["huge_cell.csv 第 2 行有单元格超过 32,767 个字符"],
    "long_cell.csv": ["long_cell.csv 第 3 行、第 2 列的单元格有 32,768 个字符，超过上限 32,767 个"],
    "wide.csv": ["wide.csv 第 3 行有 5,000 列，超过上限 200 列。"],
    "many_rows.csv": ["many_rows.csv 超过 1,000,000 行（上限），已停止读取。"],
}


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch):
    """消息里写着上限：测试用默认值，不受运行环境里的 CHUANGWEN_IMPORT_* 影响。"""
    for name in list(os.environ):
        if name.startswith("CHUANGWEN_IMPORT_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return hostile.make_all(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def import_db(tmp_path_factory) -> Path:
    return base_db(tmp_path_factory.mktemp("db"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_covers_every_expectation(corpus):
    assert sorted(corpus) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused_with_a_chinese_read_error(corpus, name):
    with pytest.raises(readers.ReadError) as excinfo:
        readers.read_table(corpus[name].read_bytes(), name, HEADER)
    for part in EXPECTED[name]:
        assert part in str(excinfo.value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_import_of_a_hostile_file_exits_1_in_chinese_and_leaves_the_db_unchanged(corpus, import_db, capsys, name):
    before, hashes = sha256(import_db), table_hashes(import_db)
    assert cli.main(["import", "problems", str(corpus[name]), "--db", str(import_db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("chuangwen import：错误：")
    for part in EXPECTED[name]:
        assert part in err
    assert (sha256(import_db), table_hashes(import_db)) == (before, hashes)


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("chuangwen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chuangwen.cli"]


@pytest.mark.parametrize("name", ["xfd1048576.xlsx", "far_cell.xls", "dimensions.xls"])
def test_cli_process_survives_files_that_abort_the_excel_library(corpus, import_db, name):
    # 这几个文件在不加保护时让 calamine 分配几百 GB、整个进程被中止（退出码 134）
    before = sha256(import_db)
    result = subprocess.run(
        [*_console_script(), "import", "problems", str(corpus[name]), "--db", str(import_db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("chuangwen import：错误：")
    assert EXPECTED[name][0] in result.stderr
    assert "memory allocation" not in result.stderr and "Traceback" not in result.stderr
    assert sha256(import_db) == before


# ---------------------------------------------------------------- 子进程的各种死法 → 中文 ReadError


def _sleep_forever(conn, job):
    time.sleep(600)


def _abort(conn, job):
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.abort()


def _killed(conn, job):
    os.kill(os.getpid(), signal.SIGKILL)


def _segfault(conn, job):
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.kill(os.getpid(), signal.SIGSEGV)


def _memory_error_unreported(conn, job):
    os._exit(readers._EXIT_MEMORY)  # _child 在 MemoryError 之后连报告都发不出去时这样退出


def _exit_3(conn, job):
    os._exit(3)


def _isolated(target, **limits):
    return readers._run_isolated(target, None, b"data", "台账.xlsx", readers.Limits(**limits))


def test_parse_over_the_time_limit_is_killed_and_reported_in_chinese():
    with pytest.raises(readers.ReadError, match=r"^无法读取 台账.xlsx：解析超过 1 秒仍未完成，已停止。"):
        _isolated(_sleep_forever, seconds=1)


@pytest.mark.parametrize("target", [_abort, _memory_error_unreported], ids=["SIGABRT（Rust 分配失败）", "MemoryError"])
def test_child_out_of_memory_is_reported_with_the_limit(target):
    with pytest.raises(readers.ReadError, match=r"^无法读取 台账.xlsx：解析时占用内存超过上限 1,234 MB，已停止。"):
        _isolated(target, memory_mb=1234)


def test_child_killed_by_the_system_is_reported_in_chinese():
    with pytest.raises(readers.ReadError, match=r"^无法读取 台账.xlsx：解析进程被系统终止（通常是内存不足）"):
        _isolated(_killed)


@pytest.mark.parametrize(("target", "how"), [(_segfault, "信号 SIGSEGV"), (_exit_3, "退出码 3")])
def test_child_that_dies_otherwise_is_reported_in_chinese(target, how):
    with pytest.raises(readers.ReadError, match=rf"^无法读取 台账.xlsx：解析进程意外退出（{how}），文件可能已损坏。"):
        _isolated(target)


def test_a_program_error_in_the_child_is_raised_as_itself_not_hidden_as_a_file_problem():
    job = readers._Job("台账.csv", ".csv", None, None, None, readers.Limits())  # expected 应为列名序列
    with pytest.raises(TypeError, match="'NoneType' object is not iterable"):
        readers._run_isolated(readers._child, job, "问题编号,问题描述\nA1,x\n".encode(), "台账.csv", job.limits)


def _ledger_xlsx(rows: int) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("问题台账")
    ws.write_row(0, 0, ["问题编号", "问题描述", "镇街"])
    for i in range(rows):
        ws.write_row(i + 1, 0, [f"A{i:06d}", f"占道经营第{i}处", "城关街道"])
    wb.close()
    return buf.getvalue()


def test_memory_limit_setting_reaches_the_child(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_IMPORT_CHILD_MEMORY_MB", "50")  # 比子进程启动后的用量还小
    with pytest.raises(readers.ReadError, match=r"^无法读取 台账.xlsx：解析时占用内存超过上限 50 MB，已停止。"):
        readers.read_table(_ledger_xlsx(20_000), "台账.xlsx", HEADER)


def test_time_limit_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_IMPORT_CHILD_SECONDS", "7")
    assert readers.Limits.from_settings().seconds == 7


# ---------------------------------------------------------------- 子进程读出的表与本进程读出的一模一样


def test_table_read_in_the_child_equals_the_table_read_in_process(monkeypatch):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("问题台账")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ["问题编号", "发现时间", "经度", "是否", "问题描述", "混合"])
    values = [
        ["A1", datetime(2025, 3, 5, 8, 15, 30), 117.05, True, "占道经营", 3],
        ["A2", None, None, False, None, "三"],
        [None, datetime(1999, 12, 31, 23, 59, 59), 0.5, None, "", date(2025, 1, 2)],
        ["A4", datetime(2025, 3, 5, 8, 15, 30), -1.25, True, "暴露垃圾", None],
    ]
    for i, cells in enumerate(values, start=1):
        for j, v in enumerate(cells):
            if isinstance(v, (datetime, date)):
                ws.write_datetime(i, j, v, fmt)
            elif v is not None:
                ws.write(i, j, v)
    wb.close()
    raw = buf.getvalue()
    child = readers.read_table(raw, "台账.xlsx", ["问题编号", "发现时间"])
    monkeypatch.setattr(readers, "PARSE_IN_CHILD", False)
    here = readers.read_table(raw, "台账.xlsx", ["问题编号", "发现时间"])
    assert (child.columns, child.sheet, child.first_row, list(readers.row_numbers(child))) == (
        here.columns,
        here.sheet,
        here.first_row,
        list(readers.row_numbers(here)),
    )
    cells = lambda t: [[(type(v), v) for v in row] for row in t.data.itertuples(index=False)]  # noqa: E731
    assert cells(child) == cells(here)
    assert child.data.index.equals(here.data.index)


def test_csv_read_in_the_child_keeps_encoding_and_values(monkeypatch):
    raw = "问题编号,问题描述\nA1,占道经营\n,\nA2,暴露垃圾\n".encode("gbk")
    child = readers.read_table(raw, "台账.csv", HEADER)
    assert (child.encoding, child.data.to_dict("records"), list(readers.row_numbers(child))) == (
        "GBK",
        [{"问题编号": "A1", "问题描述": "占道经营"}, {"问题编号": "A2", "问题描述": "暴露垃圾"}],
        [2, 4],
    )


def test_reading_a_csv_in_process_leaves_the_global_csv_field_limit_alone(monkeypatch):
    monkeypatch.setattr(readers, "PARSE_IN_CHILD", False)
    before = csv.field_size_limit()
    readers.read_table("问题编号,问题描述\nA1,x\n".encode(), "台账.csv", HEADER)
    with pytest.raises(readers.ReadError, match="超过 32,767 个字符"):
        readers.read_table(("问题编号,问题描述\nA1," + "x" * 40_000 + "\n").encode(), "台账.csv", HEADER)
    assert csv.field_size_limit() == before


# ---------------------------------------------------------------- 工作表扫描：写法变了也看得出，正常文件不误判

SMALL = readers.Limits(rows=100, columns=10, cells=500)


def _workbook(cells: str, dimension: str = "A1") -> bytes:
    buf = io.BytesIO()
    with __import__("zipfile").ZipFile(buf, "w", 8) as zf:
        for name, data in hostile._package(hostile._sheet(cells, dimension)).items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("label", "cells", "message"),
    [
        ("小写列名", '<row r="1"><c r="a1"><v>1</v></c><c r="xfd1"><v>1</v></c></row>', "达到第 16,384 列"),
        ("单引号与空白", "<row r='1'><c r = 'A1'><v>1</v></c><c r\t=\n'Z1'><v>1</v></c></row>", "达到第 26 列"),
        ("行号前导 0", '<row r="1"><c r="A0000000101"><v>1</v></c></row>', "达到第 101 行"),
        ("r 不是第一个属性", '<row r="1"><c s="0" t="n" r="L1"><v>1</v></c></row>', "达到第 12 列"),
        ("重复的 r", '<row r="1"><c r="A1" r="A101"><v>1</v></c></row>', "达到第 101 行"),
        (
            "带前缀的元素",
            '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
            + "".join(f"<x:c><x:v>{i}</x:v></x:c>" for i in range(10))
            + "</x:row>",
            "达到第 11 列",
        ),
        ("行号倒序", "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in (101, 5, 4, 3)), "达到第 101 行"),
        (
            "不带 r 的行接在远处的行后面",
            '<row r="100"><c r="A100"><v>1</v></c></row><row><c><v>1</v></c></row>',
            "达到第 101 行",
        ),
        ("不带 r 的格接在远处的格后面", '<row r="1"><c r="J1"><v>1</v></c><c><v>1</v></c></row>', "达到第 11 列"),
        (
            "行列各在上限内、面积超限",
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="60"><c r="J60"><v>1</v></c></row>',
            "有 60 行 × 10 列 = 600 个单元格",
        ),
    ],
)
def test_scan_sees_through_other_ways_of_writing_cell_references(label, cells, message):
    with pytest.raises(readers.ReadError, match=message):
        readers.check_workbook_zip(_workbook(cells), "台账.xlsx", SMALL)


def test_scan_finds_a_far_cell_deep_inside_a_large_shuffled_sheet():
    # 几个窗口（每个 4 MB）、行号乱序（逐个取出的退路），远处的格子在中间
    import random

    rng = random.Random(3)
    rows = list(range(1, 60_001))
    rng.shuffle(rows)
    body = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"占道经营" * 20}</t></is></c></row>' for r in rows)
    far = len(body) // 2
    cut = body.index("<row", far)
    body = body[:cut] + '<row r="70000"><c r="B70000"><v>1</v></c></row>' + body[cut:]
    limits = readers.Limits(rows=69_999, columns=10, cells=10**9)
    with pytest.raises(readers.ReadError, match="达到第 70,000 行（最远的单元格 B70000）"):
        readers.check_workbook_zip(_workbook(body), "台账.xlsx", limits)
    readers.check_workbook_zip(_workbook(body), "台账.xlsx", readers.Limits(rows=70_000, columns=10, cells=10**9))


def test_scan_bound_equals_what_calamine_allocates_for_a_normal_workbook():
    from python_calamine import CalamineWorkbook

    raw = xlsx_bytes(
        [["问题编号", "问题描述", "镇街"], ["A1", "x", "城关街道"], ["A2", None, "东坝镇"]],
        title="澜溪县问题台账",
        blank_tail=3,
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_name("问题台账")
    # 末尾 3 行写过格式的空白格 calamine 不分配，扫描照算（宁可多算）；列数正好与 calamine 相同
    rows, cols = sheet.end[0] + 1 + 3, sheet.end[1] + 1
    readers.check_workbook_zip(raw, "台账.xlsx", readers.Limits(rows=rows, columns=cols, cells=rows * cols))
    with pytest.raises(readers.ReadError, match=f"达到第 {cols} 列"):
        readers.check_workbook_zip(raw, "台账.xlsx", readers.Limits(rows=rows, columns=cols - 1))
    with pytest.raises(readers.ReadError, match=f"达到第 {rows} 行"):
        readers.check_workbook_zip(raw, "台账.xlsx", readers.Limits(rows=rows - 1, columns=cols))


def test_normal_workbooks_pass_the_scan_with_the_default_limits():
    assert (
        readers.check_workbook_zip(xlsx_bytes([["问题编号", "问题描述"], ["A1", "x"]], title="台账"), "台账.xlsx")
        is None
    )
    assert readers.check_workbook_zip(_ledger_xlsx(2_000), "台账.xlsx") is None  # 通过：不抛错


def test_whole_archive_compression_ratio_is_checked_not_only_each_member():
    # 300 个各 1 MB 的部件（单个都不到 8 MB），整个文件几十 KB
    buf = io.BytesIO()
    with __import__("zipfile").ZipFile(buf, "w", 8) as zf:
        for name, data in hostile._package(hostile._sheet('<row r="1"><c r="A1"><v>1</v></c></row>')).items():
            zf.writestr(name, data)
        for i in range(300):
            zf.writestr(f"xl/media/pad{i}.bin", b"\x00" * (1 << 20))
    with pytest.raises(readers.ReadError, match=r"压缩比异常（.* KB 的文件解压后 300 MB），像是“压缩炸弹”"):
        readers.check_workbook_zip(buf.getvalue(), "台账.xlsx")


def test_total_unzipped_size_over_the_setting_is_refused(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_IMPORT_MAX_UNZIPPED_MB", "1")
    raw = _ledger_xlsx(30_000)
    with pytest.raises(readers.ReadError, match="超过上限 1 MB"):
        readers.read_table(raw, "台账.xlsx", HEADER)


# ---------------------------------------------------------------- 命令行报告：文件里的控制字符不进终端


def test_cli_report_shows_escape_sequences_from_cells_and_file_names_escaped(import_db, tmp_path, capsys):
    # 一格里的 ESC 序列：不转义时改掉操作员终端的标题（OSC 0）并清屏（CSI 2J）；文件名里也可以有
    f = tmp_path / "台\x1b[2J账.csv"
    f.write_bytes(csv_bytes([row("A1", 镇街="\x1b]0;pwned\x07\x1b[2J城关")]))
    assert cli.main(["import", "problems", str(f), "--db", str(import_db)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[2] == (
        "  错误｜台\\x1b[2J账.csv 第 2 行｜镇街｜值“\\x1b]0;pwned\\x07\\x1b[2J城关”：库中没有这个镇街；"
        "首次导入可加 --create-missing 自动新增，或在映射文件 [values] 中对照到已有名称"
    )
    assert re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", err) is None


@pytest.mark.parametrize(
    ("text", "keep_newlines", "shown"),
    [
        ("a\x1b[31mb", False, "a\\x1b[31mb"),
        (
            "CSI\x9b2J DEL\x7f NUL\x00 BEL\x07 CR\r TAB\t",
            False,
            "CSI\\x9b2J DEL\\x7f NUL\\x00 BEL\\x07 CR\\x0d TAB\\x09",
        ),
        ("值\n冒充下一行", False, "值\\x0a冒充下一行"),
        ("第一行\n第二行\r", True, "第一行\n第二行\\x0d"),
        ("倒\u202e序\u2066", False, "倒\\u202e序\\u2066"),
        ("城关街道 117.05", False, "城关街道 117.05"),
    ],
)
def test_terminal_safe_makes_control_characters_visible(text, keep_newlines, shown):
    assert command.terminal_safe(text, keep_newlines=keep_newlines) == shown
