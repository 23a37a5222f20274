"""真实服务器 + 无头 chromium：红黑榜与整改督办页断网（只允许回环）下完整显示，并截图。
从首页经侧栏导航进入（与用户一样）；截图存 artifacts/league*.png、supervision.png。"""

import pytest

from tests.e2e.conftest import metric_cards, settle
from tests.oracles import ledger_cards_by_definition

pytestmark = pytest.mark.e2e


def open_page(page, server, title):
    page.set_viewport_size({"width": 1600, "height": 2400})
    page.goto(server, wait_until="domcontentloaded")
    link = page.get_by_role("link", name=title).first
    link.wait_for(timeout=60_000)
    link.click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)


def test_league_page_renders_offline(server, offline_page, artifacts):
    page = offline_page
    open_page(page, server, "红黑榜")
    page.get_by_text("综合得分 = 100 ×", exact=False).first.wait_for(timeout=60_000)
    page.get_by_text("牵头单位，有资格的前 5 名", exact=False).first.wait_for(timeout=30_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    settle(page)
    page.screenshot(path=str(artifacts / "league.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def test_unit_drill_down_draws_rank_trend_offline(server, offline_page, artifacts):
    page = offline_page
    open_page(page, server, "红黑榜")
    page.get_by_role("tab", name="部门下钻").wait_for(timeout=60_000)
    page.get_by_role("tab", name="部门下钻").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    settle(page)
    page.screenshot(path=str(artifacts / "league_drill.png"), full_page=True)
    assert "红黑榜名次" in page.inner_text("body")
    assert page.external == []


def test_supervision_page_renders_offline(server, e2e_demo_db, offline_page, artifacts):
    page = offline_page
    open_page(page, server, "整改督办")
    page.get_by_text("在办问题台账").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    settle(page)
    page.screenshot(path=str(artifacts / "supervision.png"), full_page=True)
    cards = metric_cards(page)
    flagged = cards.pop("记录顺序存疑")
    expected = ledger_cards_by_definition(e2e_demo_db)
    assert (cards, flagged) == ({k: f"{v:,}" for k, v in expected.items()}, "0")  # 示例库的整改记录顺序都可能
    export = f"导出 Excel：全部单位的在办问题清单（{expected['在办问题（存量）']:,} 条）"
    assert page.get_by_role("button", name=export, exact=True).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
