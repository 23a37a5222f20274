"""命令行 chuangwen export problems：CSV/xlsx 内容、统计时刻回放、用法与数据库错误的退出码。"""

import csv
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from chuangwen import cli, supervision
from tests.builders import build_league_db


@pytest.fixture(scope="module")
def league_db(tmp_path_factory):
    return build_league_db(tmp_path_factory.mktemp("export") / "league.duckdb")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_export_rows_as_of_a_time(league_db, tmp_path, capsys):
    out = tmp_path / "台账.csv"
    code = cli.main(["export", "problems", "--db", str(league_db), "--as-of", "2026-11-12 12:00", "--out", str(out)])
    assert code == 0
    rows = read_csv(out)
    assert rows[0] == ["问题编号", "发现时间", "整改期限", "销号时间", "当前状态", "是否逾期"]
    by_code = {r[0]: r for r in rows[1:]}
    assert len(by_code) == 21
    assert by_code["A2"] == ["A2", "2026-11-09 08:00:00", "2026-11-12 09:00:00", "", "申请销号", "逾期"]
    assert "21 条" in capsys.readouterr().out


def test_csv_starts_with_a_bom_for_excel(league_db, tmp_path):
    out = tmp_path / "a.csv"
    cli.main(["export", "problems", "--db", str(league_db), "--out", str(out)])
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_default_as_of_is_the_data_cutoff(league_db, tmp_path):
    out = tmp_path / "a.csv"
    cli.main(["export", "problems", "--db", str(league_db), "--out", str(out)])
    by_code = {r[0]: r for r in read_csv(out)[1:]}
    # 数据截至 11-15 18:00：A2 已于 11-13 逾期销号
    assert by_code["A2"][3:] == ["2026-11-13 09:00:00", "已销号", "逾期销号"]


def test_xlsx_export_has_the_same_rows(league_db, tmp_path):
    out_x, out_c = tmp_path / "a.xlsx", tmp_path / "a.csv"
    for out in (out_x, out_c):
        assert cli.main(["export", "problems", "--db", str(league_db), "--as-of", "2026-11-15", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out_x).active
    xrows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    assert xrows == read_csv(out_c)
    assert ws.freeze_panes == "A2"


def test_wrong_extension_is_a_usage_error(league_db, tmp_path, capsys):
    code = cli.main(["export", "problems", "--db", str(league_db), "--out", str(tmp_path / "a.txt")])
    assert code == 2
    assert "扩展名应为 .csv 或 .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "a.txt").exists()


def test_bad_time_is_a_usage_error_in_chinese(league_db, tmp_path, capsys):
    code = cli.main(["export", "problems", "--db", str(league_db), "--as-of", "昨天", "--out", str(tmp_path / "a.csv")])
    assert code == 2
    assert "时间格式应为" in capsys.readouterr().err


def test_not_a_database_exits_1_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "x.duckdb"
    bad.write_text("不是数据库")
    code = cli.main(["export", "problems", "--db", str(bad), "--out", str(tmp_path / "a.csv")])
    assert code == 1
    assert "不是 DuckDB" in capsys.readouterr().err and not (tmp_path / "a.csv").exists()


def test_empty_database_without_cutoff_asks_for_as_of(fresh_db, tmp_path, capsys):
    code = cli.main(["export", "problems", "--db", str(fresh_db), "--out", str(tmp_path / "a.csv")])
    assert code == 1
    assert "--as-of" in capsys.readouterr().err


def test_codes_that_look_like_formulas_are_neutralised_in_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "问题编号": ["=HYPERLINK(1)", "P1"],
            "发现时间": ["", ""],
            "整改期限": ["", ""],
            "销号时间": ["", ""],
            "当前状态": ["已交办", "已交办"],
            "是否逾期": ["否", "否"],
        }
    )
    frame["问题编号"] = [supervision.excel.neutralise(v) for v in frame["问题编号"]]
    supervision.write_export(frame, tmp_path / "a.csv")
    assert [r[0] for r in read_csv(tmp_path / "a.csv")[1:]] == ["'=HYPERLINK(1)", "P1"]


def test_unit_workbook_lists_the_ledger_with_a_note(tmp_path):
    ledger_rows = pd.DataFrame(
        {
            "problem_code": ["A5"],
            "found_at": [datetime(2026, 11, 5, 8)],
            "township": ["城关街道"],
            "site": ["南门农贸市场"],
            "category": ["出店经营"],
            "description": ["=1+1"],
            "lead_unit": ["城管局"],
            "coop_units": ["城关街道"],
            "status": ["已交办"],
            "deadline": [datetime(2026, 11, 10, 9)],
            "days_overdue": [6],
            "overdue_bucket": ["1–7天"],
            "due_this_week": [False],
            "rejected_count": [0],
            "reopened_count": [0],
            "last_event_at": [datetime(2026, 11, 5, 9)],
            "data_quality": [None],
        }
    )
    path = tmp_path / "u.xlsx"
    path.write_bytes(supervision.unit_workbook(ledger_rows, "城管局", datetime(2026, 11, 15, 18)))
    wb = openpyxl.load_workbook(path)
    ws = wb["在办问题清单"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]]))
    assert (row["问题编号"], row["逾期天数"], row["问题描述"]) == ("A5", 6, "'=1+1")
    assert wb.sheetnames == ["在办问题清单", "说明"]


def test_the_page_shows_the_most_overdue_thousand_and_says_so():
    ledger = pd.DataFrame({"problem_code": [f"P{i:04d}" for i in range(1001)]})
    assert supervision.shown(ledger)["problem_code"].tolist()[-1] == "P0999" and len(supervision.shown(ledger)) == 1000
    assert supervision.shown_note(1001) == "共 1,001 条，这里显示逾期最久的前 1,000 条；全部在下面导出的 Excel 里。"
    assert supervision.shown_note(1000) is None
    assert (
        supervision.due_note(501) == "共 501 条，这里列出最早到期的 500 条；全部在导出的 Excel 里（“7天内到期”一列）。"
    )
    assert supervision.due_note(500) is None


def test_rows_beyond_one_sheet_continue_on_the_next_sheets(tmp_path, monkeypatch):
    # Excel 一张表最多 1,048,576 行；这里把上限改成 2 行，5 行的台账就写成三张表，行一条不少、顺序不变
    from chuangwen import excel

    monkeypatch.setattr(excel, "SHEET_ROWS", 2)
    path = tmp_path / "big.xlsx"
    path.write_bytes(
        excel.to_xlsx(
            {
                "在办问题清单": pd.DataFrame({"问题编号": ["P1", "P2", "P3", "P4", "P5"]}),
                "说明": pd.DataFrame({"项目": ["单位"]}),
            }
        )
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["在办问题清单", "在办问题清单（续2）", "在办问题清单（续3）", "说明"]
    assert [[c.value for c in ws["A"]] for ws in wb.worksheets[:3]] == [
        ["问题编号", "P1", "P2"],
        ["问题编号", "P3", "P4"],
        ["问题编号", "P5"],
    ]
