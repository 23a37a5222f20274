"""读取：日期写法、全角数字、编码、合并表头、末尾空行、坏文件。"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from chuangwen.imports import readers
from tests.unit._import_helpers import csv_bytes, xlsx_bytes

T = datetime(2025, 3, 5)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-05", T),
        ("2025/3/5", T),
        ("2025年3月5日", T),
        ("2025.3.5", T),
        ("2025-3-5 9:30", datetime(2025, 3, 5, 9, 30)),
        ("2025年3月5日 14时20分", datetime(2025, 3, 5, 14, 20)),
        ("2025/03/05 14:20:11", datetime(2025, 3, 5, 14, 20, 11)),
        ("２０２５年３月５日", T),
        ("２０２５－０３－０５", T),
        ("45721", T),
    ],
)
def test_each_date_form_in_text_parses_to_the_same_moment(text, expected):
    parsed, bad = readers.parse_dates(pd.Series([text], dtype=object))
    assert not bad[0]
    assert parsed[0] == pd.Timestamp(expected)


def test_excel_serial_numbers_with_a_fraction_carry_the_time_of_day():
    parsed, bad = readers.parse_dates(pd.Series([45721.0, 45721.75], dtype=object))
    assert list(parsed) == [pd.Timestamp("2025-03-05"), pd.Timestamp("2025-03-05 18:00")]
    assert not bad.any()


def test_date_cells_from_a_workbook_are_taken_as_they_are():
    parsed, bad = readers.parse_dates(pd.Series([datetime(2025, 3, 5, 8, 15)], dtype=object))
    assert parsed[0] == pd.Timestamp("2025-03-05 08:15") and not bad[0]


def test_mapping_date_format_reads_us_style_timestamps():
    parsed, bad = readers.parse_dates(pd.Series(["03/05/2025 02:30:00 PM"], dtype=object), "%m/%d/%Y %I:%M:%S %p")
    assert parsed[0] == pd.Timestamp("2025-03-05 14:30") and not bad[0]


@pytest.mark.parametrize("text", ["2025-02-30", "明天", "2025-13-01", "3/5", "2025-03-05 25:00"])
def test_impossible_or_unknown_dates_are_flagged_not_guessed(text):
    parsed, bad = readers.parse_dates(pd.Series([text], dtype=object))
    assert bad[0] and pd.isna(parsed[0])


def test_blank_date_cells_are_empty_not_errors():
    parsed, bad = readers.parse_dates(pd.Series([None, "  "], dtype=object))
    assert parsed.isna().all() and not bad.any()


def test_full_width_digits_in_numbers_are_read():
    num, bad = readers.parse_numbers(pd.Series(["１１７．０５", "31.05"], dtype=object))
    assert list(num) == [117.05, 31.05] and not bad.any()


@pytest.mark.parametrize(
    "encoding, label",
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8-BOM"),
        ("gbk", "GBK"),
        ("gb18030", "GB18030"),
    ],
)
def test_each_csv_encoding_is_detected_and_read(encoding, label):
    # “㐀”只在 GB18030 中有（GBK 没有），用来区分 GB18030 与 GBK
    desc = "占道经营㐀" if label == "GB18030" else "占道经营"
    raw = csv_bytes([{"问题编号": "A1", "问题描述": desc, "镇街": "城关街道"}], encoding=encoding)
    table = readers.read_table(raw, "x.csv", ["问题编号", "问题描述", "镇街"])
    assert table.encoding == label
    assert table.data.to_dict("records") == [{"问题编号": "A1", "问题描述": desc, "镇街": "城关街道"}]


def test_merged_title_row_and_grouped_header_are_skipped_and_combined():
    # 第 1 行：合并的标题；第 2 行：问题编号、发现时间（纵向合并）与“整改情况”（横向合并）；第 3 行：整改期限、整改状态
    raw = xlsx_bytes(
        [[None, None, "整改期限", "整改状态"], ["A1", "2025-03-05", "2025-03-12", "已交办"]],
        title="澜溪县问题台账（2025 年）",
        group_row=["问题编号", "发现时间", "整改情况", None],
    )
    table = readers.read_table(raw, "x.xlsx", ["问题编号", "发现时间", "整改期限", "整改状态"])
    assert table.columns == ["问题编号", "发现时间", "整改期限", "整改状态"]
    assert table.first_row == 4
    assert len(table.data) == 1


def test_trailing_blank_rows_are_dropped_and_row_numbers_match_the_sheet():
    raw = xlsx_bytes([["问题编号", "问题描述"], ["A1", "x"], [None, None], ["A2", "y"]], blank_tail=5)
    table = readers.read_table(raw, "x.xlsx", ["问题编号", "问题描述"])
    assert table.data["问题编号"].tolist() == ["A1", "A2"]
    assert list(readers.row_numbers(table)) == [2, 4]


# ---------------------------------------------------------------- 坏文件：中文消息，不读


def test_wrong_file_type_is_refused_in_chinese():
    with pytest.raises(readers.ReadError, match="不支持的文件类型“.pdf”"):
        readers.read_table(b"%PDF-1.4", "台账.pdf", ["问题编号"])


def test_empty_file_is_refused_in_chinese():
    with pytest.raises(readers.ReadError, match="文件是空的"):
        readers.read_table(b"", "台账.csv", ["问题编号"])


def test_password_protected_workbook_is_refused_in_chinese():
    # 加密的 .xlsx 是一个 OLE 复合文件，内含名为 EncryptedPackage 的流
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    with pytest.raises(readers.ReadError, match="设有打开密码"):
        readers.read_table(raw, "台账.xlsx", ["问题编号"])


def test_renamed_non_excel_file_is_refused_in_chinese():
    with pytest.raises(readers.ReadError, match="内容不是 Excel 工作簿"):
        readers.read_table(b"hello, world", "台账.xlsx", ["问题编号"])


def test_sheet_without_a_header_row_is_refused_in_chinese():
    raw = xlsx_bytes([["A1", "2025-03-05", "x"], ["A2", "2025-03-06", "y"]])
    with pytest.raises(readers.ReadError, match="找不到表头行"):
        readers.read_table(raw, "台账.xlsx", ["问题编号", "发现时间", "问题描述"])


def test_header_only_file_is_refused_in_chinese():
    with pytest.raises(readers.ReadError, match="只有表头，没有数据行"):
        readers.read_table("问题编号,问题描述\n".encode(), "台账.csv", ["问题编号", "问题描述"])


def test_file_over_the_size_limit_is_refused_before_reading():
    with pytest.raises(readers.ReadError, match=r"文件过大：台账.xlsx 有 200.0 MB，上限 100 MB"):
        readers.check_file("台账.xlsx", 200 * 1024 * 1024, b"PK\x03\x04")


def test_full_width_parentheses_in_names_are_kept_so_names_still_match():
    assert readers.cell_text("县委宣传部（文明办）") == "县委宣传部（文明办）"
    assert readers.cell_text("城关街道　") == "城关街道"
    assert readers.cell_text("第１网格") == "第1网格"
