"""真实服务器 + 无头 chromium：排名趋势页与推进会模式在断网（只允许回环）条件下显示，并截图到 artifacts/。"""

import pytest

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e


def open_rank_trend(page, server):
    # 服务器第一次运行脚本前还不知道用 st.navigation，先打开首页再进本页
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("全省排名（", exact=False).first.wait_for(timeout=60_000)
    page.goto(f"{server}/rank_trend", wait_until="domcontentloaded")
    page.get_by_role("heading", name="全组排名表").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=30_000)


def test_rank_trend_renders_offline(server, offline_page, artifacts):
    page = offline_page
    page.set_viewport_size({"width": 1600, "height": 3000})
    open_rank_trend(page, server)
    settle(page)
    page.screenshot(path=str(artifacts / "rank_trend.png"), full_page=True)

    body = page.inner_text("body")
    assert "差距分析：" in body and "距目标：前10名" in body
    assert page.locator(".js-plotly-plot").count() == 3
    # 名次轴：1 在最上（y 轴第一个刻度文字是 1，且位置在最上）
    ticks = (
        page.locator(".js-plotly-plot")
        .first.locator(".ytick text")
        .evaluate_all("els => els.map(e => [e.textContent, e.getBoundingClientRect().top])")
    )
    assert ticks[0][0] == "1" and ticks[0][1] == min(top for _, top in ticks)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def test_projector_mode_hides_sidebar_and_enlarges_type(server, offline_page, artifacts):
    """推进会模式：侧栏收起；一屏一图，翻到差距分析那一屏，卡片上的数 ≥ 48 px（逐屏的高度与字号见 test_projector_browser）。"""
    page = offline_page
    page.set_viewport_size({"width": 1600, "height": 900})
    open_rank_trend(page, server)
    page.get_by_text("推进会模式").first.click()
    views = page.locator(".st-key-cw_view_bar")
    views.wait_for(timeout=60_000)
    settle(page)
    page.screenshot(path=str(artifacts / "rank_trend_projector.png"))
    for _ in range(8):  # 差距分析在第 3 屏前后（看有没有得分走势）：一屏一屏往后翻，直到出现卡片
        if page.locator('[data-testid="stMetricValue"]').count():
            break
        where = views.inner_text()
        page.locator(".st-key-cw_view_next button").first.click()
        page.wait_for_function(
            """(old) => { const bar = document.querySelector('.st-key-cw_view_bar');
                 const app = document.querySelector('[data-testid="stApp"]');
                 return bar && bar.innerText !== old && app.dataset.testScriptState === 'notRunning'; }""",
            arg=where,
            timeout=60_000,
        )
        settle(page)
    page.screenshot(path=str(artifacts / "rank_trend_projector_cards.png"))

    assert not page.locator('section[data-testid="stSidebar"]').is_visible()
    size = page.locator('[data-testid="stMetricValue"] p').first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 48
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
