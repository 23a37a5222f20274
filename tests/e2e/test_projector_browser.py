"""真实服务器 + 无头 chromium（断网，只许回环）：推进会模式在总览开启，页面条出现；键盘 → 翻到排名趋势、← 翻回，
模式一直开着；1920×1080 上图的刻度文字 ≥ 20 px；每页截图到 artifacts/。"""

import re

import pytest

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e

BAR = ".st-key-cw_meeting_bar"


def tick_font_px(page) -> float:
    return page.locator(".js-plotly-plot .xtick text").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def at_page(name: str) -> re.Pattern:
    """某一页的网址：页面会把筛选写进网址（/hotspots?from=…），只认路径、不管查询串。"""
    return re.compile(rf"^https?://[^/]+/{name}(\?.*)?$")


def test_meeting_mode_pages_with_keyboard(server, offline_page, artifacts):
    page = offline_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("全省排名（", exact=False).first.wait_for(timeout=60_000)
    page.locator(".st-key-ov_projector label").first.click()
    page.locator(BAR).wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    settle(page)
    page.screenshot(path=str(artifacts / "projector_overview.png"))
    assert not page.locator('section[data-testid="stSidebar"]').is_visible()
    assert tick_font_px(page) >= 20
    assert page.locator(f"{BAR} .cw-here").inner_text() == "总览"

    page.keyboard.press("ArrowRight")
    page.wait_for_url(at_page("rank_trend"), timeout=60_000)
    page.get_by_role("heading", name="全组排名表").wait_for(timeout=60_000)
    page.locator(f"{BAR} .cw-here").wait_for(timeout=30_000)
    settle(page)
    assert page.locator(f"{BAR} .cw-here").inner_text() == "排名趋势"
    page.screenshot(path=str(artifacts / "projector_rank_trend.png"))

    for name, url in (("问题热点", "hotspots"), ("红黑榜", "league"), ("整改督办", "supervision")):
        page.keyboard.press("ArrowRight")
        page.wait_for_url(at_page(url), timeout=60_000)
        page.locator(f"{BAR} .cw-here", has_text=name).wait_for(timeout=60_000)
        settle(page)
        page.screenshot(path=str(artifacts / f"projector_{url}.png"))
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(at_page("league"), timeout=60_000)
    page.locator(f"{BAR} .cw-here", has_text="红黑榜").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
