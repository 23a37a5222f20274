"""真实服务器 + 无头 chromium，以责任单位账号登录：走遍它能打开的每一页（带上别的单位、别的镇街的网址参数），
浏览器里（含地图 iframe）没有一条别的单位的问题编号；导航里没有数据管理、通报导出、账号与审计；
下载的在办清单只有自己单位的问题，且这次下载在审计里恰好一条、记的是这个账号。"""

from __future__ import annotations

import io
import re

import duckdb
import pytest
from openpyxl import load_workbook

from chuangwen import statedb
from tests.e2e.conftest import _guarded_page, ensure_account, settle
from tests.oracles import problems_at

pytestmark = pytest.mark.e2e

UNIT_USER = "e2e-单位联络员"
CODE = re.compile(r"WT\d{4}-\d{6}")


@pytest.fixture(scope="module")
def scope(e2e_demo_db):
    """问题最多的那个单位（牵头或配合）与它的账号；另一个单位用来在网址里冒充。"""
    with duckdb.connect(str(e2e_demo_db), read_only=True) as con:
        unit, other = [
            r[0]
            for r in con.execute(
                "select lead_unit_code from problem group by 1 order by count(*) desc, 1 limit 2"
            ).fetchall()
        ]
        mine = {
            r[0]
            for r in con.execute(
                "select code from problem where lead_unit_code = $u union "
                "select problem_code from problem_coop_unit where unit_code = $u",
                {"u": unit},
            ).fetchall()
        }
        everyone = {r[0] for r in con.execute("select code from problem").fetchall()}
        town = con.execute(
            "select township_code from problem where lead_unit_code = $o limit 1", {"o": other}
        ).fetchone()[0]
    ensure_account(e2e_demo_db, UNIT_USER, "责任单位", unit)
    return unit, other, town, mine, everyone - mine


@pytest.fixture
def unit_page(browser):
    yield from _guarded_page(browser, UNIT_USER)


def seen_codes(page) -> set[str]:
    text = page.content() + "".join(f.content() for f in page.frames[1:] if not f.is_detached())
    return set(CODE.findall(text))


def test_no_other_units_problem_reaches_the_browser_on_any_page_or_parameter(server, unit_page, scope, artifacts):
    unit, other, town, mine, theirs = scope
    page = unit_page
    shown: set[str] = set()
    for path in ["", "rank_trend", "hotspots", "league", "supervision", "data_admin", "briefing", "admin"]:
        for query in (
            "",
            f"?unit={other}&town={town}&from=2025-01-01",
            f"?unit={other}'%20or%201=1--&st=逾期",
            f"?town={'9' * 5000}&cat={'类' * 3000}",
        ):
            page.goto(f"{server}/{path}{query}", wait_until="domcontentloaded")
            page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)
            settle(page)
            if path == "hotspots" and not query:  # 冒充别的单位时筛选结果为空，不画地图
                page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".leaflet-container").wait_for(
                    state="visible", timeout=60_000
                )
            shown |= seen_codes(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    page.screenshot(path=str(artifacts / "unit_scope.png"), full_page=True)
    assert (len(shown) > 0, sorted(shown & theirs)) == (True, [])
    assert [t in nav for t in ("整改督办", "数据管理", "通报导出", "账号与审计")] == [True, False, False, False]
    assert page.external == []


def test_the_ledger_download_holds_only_its_own_problems_and_is_audited_once(server, unit_page, scope, e2e_demo_db):
    unit, other, town, mine, theirs = scope
    page = unit_page
    page.goto(f"{server}/supervision", wait_until="domcontentloaded")
    button = page.get_by_role("button", name=re.compile("导出 Excel"))
    button.wait_for(timeout=60_000)
    settle(page)
    before = len(statedb.audit(e2e_demo_db, None, user=UNIT_USER, action="下载"))
    with page.expect_download(timeout=60_000) as info:
        button.click()
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()), read_only=True)
    codes = {
        c
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str) and CODE.fullmatch(c)
    }
    # 正是这个单位牵头或配合的全部在办问题（按口径另写），一条不多、一条不少
    df = problems_at(e2e_demo_db)
    assert codes == set(df.loc[df["is_open"], "code"]) & mine
    assert codes  # 前提：这个单位确有在办问题
    records = statedb.audit(e2e_demo_db, None, user=UNIT_USER, action="下载")
    assert (
        len(records) - before,
        records[0]["page"],
        records[0]["rows"],
        f"查看范围 {unit}" in records[0]["filters"],
    ) == (1, "整改督办", len(codes), True)
