"""导出的 Excel 分析员能直接算（Issue 16 第 6 部分）：示例库上每个 Excel（红黑榜、热点表、整改督办台账、通报附带的红黑榜）
里没有“看着像数字、日期的文字”：数字是数字、比率是带百分数格式的数字、时间是时间；列名与页面上相同。"""

from __future__ import annotations

import io
import re

import duckdb
import openpyxl
import pytest

from chuangwen import briefing, excel, hotspots, league, queries, supervision
from chuangwen.view import View
from tests.oracles import problems_at

NUMERIC_TEXT = re.compile(r"^[+\-−]?\d[\d,]*(\.\d+)?%?$|^\d{4}-\d\d-\d\d( \d\d:\d\d(:\d\d)?)?$")


def text_that_should_be_numbers(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and NUMERIC_TEXT.match(cell.value.strip()):
                    bad.append(f"{ws.title}!{cell.coordinate}={cell.value!r}")
    return bad


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def test_league_workbook(con):
    board = league.period_view(View.of_store(con), "month")
    params = league.configured_params()
    units = queries.run(con, "league_units", board, **params)
    towns = queries.run(con, "league_townships", board, **params)
    data = excel.to_xlsx(league.workbook_sheets(units, towns), number_formats=league.EXCEL_FORMATS)
    assert text_that_should_be_numbers(data) == []
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in ws[1]]
    on_screen = list(
        league.display_table(league.of_kind(units, "条"), name_col="unit_name", name_label="牵头单位").columns
    )
    assert set(on_screen) <= set(header)
    rate = header.index("逾期率（存量）") + 1
    cells = [ws.cell(r, rate) for r in range(2, ws.max_row - 1) if ws.cell(r, rate).value is not None]
    assert (
        cells and {c.number_format for c in cells} == {"0.0%"} and all(isinstance(c.value, (int, float)) for c in cells)
    )


def test_hotspot_workbook(con):
    view = View.of_store(con)
    params = hotspots.page_params(hotspots.PageFilters(), {}, county_ring=None)
    ranking = queries.run(con, "hotspot_ranking", view, **params, top=hotspots.TOP_N)
    data = excel.to_xlsx(hotspots.ranking_sheets(ranking))
    assert text_that_should_be_numbers(data) == []


def test_supervision_workbook_has_real_times_and_numbers(con, demo_db):
    view = View.of_store(con)
    ledger = queries.run(con, "supervision_ledger", view, **supervision.ledger_params(), limit=None)
    data = supervision.unit_workbook(ledger, "全部单位", view.as_of)
    assert text_that_should_be_numbers(data) == []
    ws = openpyxl.load_workbook(io.BytesIO(data))["在办问题清单"]
    header = [c.value for c in ws[1]]
    assert header == list(supervision.display_ledger(ledger.head(1)).columns)
    rows = list(ws.iter_rows(min_row=2, max_row=ws.max_row - 2, values_only=True))
    codes, found, late = ([row[header.index(c)] for row in rows] for c in ("问题编号", "发现时间", "逾期天数"))
    # 每条在办问题一行；发现时间是时间、逾期天数是整数（没逾期的留空），值与按口径另算的相同
    by_code = problems_at(demo_db).set_index("code")
    assert sorted(codes) == sorted(by_code.index[by_code["is_open"]])
    assert (found, late) == (
        [by_code.loc[c, "found_at"].to_pydatetime() for c in codes],
        [by_code.loc[c, "days_overdue"] for c in codes],
    )
    assert {type(v) for v in late} == {int, type(None)}


def test_briefing_league_workbook(con):
    _, brief = briefing.build(con, View.of_store(con), png=False)
    assert text_that_should_be_numbers(briefing.league_workbook(brief)) == []
