"""真实服务器 + 无头 chromium（断网，只许回环）：丢分预警页完整显示（头条、卡片、图、地图上的风险点位、攻坚清单），
推进会模式下 1920×1080 每一屏都不用滚动；责任单位账号看到的是本单位的。截图存 artifacts/loss_risk*.png。"""

import duckdb
import pytest

from tests.e2e.conftest import _guarded_page, ensure_account, metric_cards, settle

pytestmark = pytest.mark.e2e

BAR = ".st-key-cw_meeting_bar"
UNIT_USER = "e2e-loss-unit"
# 页面的滚动容器（Streamlit 的主区）比视口高多少就要滚动
OVERFLOW = """() => { const m = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
    return m.scrollHeight - m.clientHeight; }"""


def open_page(page, server):
    page.goto(f"{server}/loss_risk", wait_until="domcontentloaded")
    page.get_by_role("heading", name="若明天暗访", exact=False).first.wait_for(timeout=60_000)


def tick_font_px(page) -> float:
    return page.locator(".js-plotly-plot .ytick text").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def risk_circles(page) -> int:
    """地图 iframe 里画出的丢分风险点位（Leaflet 的 SVG 圆）个数。"""
    frame = page.frame_locator("iframe").first
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    return frame.locator("path.leaflet-interactive").count()


def test_loss_risk_page_renders_offline(server, offline_page, artifacts):
    page = offline_page
    page.set_viewport_size({"width": 1600, "height": 2400})
    open_page(page, server)
    page.get_by_role("heading", name="攻坚清单：先改哪几处").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert risk_circles(page) > 0
    settle(page)
    page.screenshot(path=str(artifacts / "loss_risk.png"), full_page=True)
    cards = metric_cards(page)
    assert cards["实地考察预计丢分"].endswith(" 分") and cards["不合格的处"].endswith(" 处")
    assert page.get_by_role("button", name="导出 Excel：全县的攻坚清单", exact=False).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == [] and page.dialogs == []


def test_meeting_mode_fits_every_screen_on_a_projector(server, offline_page, artifacts):
    page = offline_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, server)
    page.locator(".st-key-lr_projector label").first.click()
    page.locator(BAR).wait_for(timeout=60_000)
    screen = page.locator(".st-key-cw_view_bar p", has_text="屏")
    screen.first.wait_for(timeout=60_000)
    settle(page)
    count = int(screen.first.inner_text().split("/")[1].split("屏")[0])
    charts = maps = 0
    assert count >= 8
    for i in range(1, count + 1):
        page.locator(".st-key-cw_view_bar p", has_text=f"第 {i} / {count} 屏").wait_for(timeout=60_000)
        settle(page)
        if (
            page.get_by_role("heading", name="丢分最多的测评标准").count()
            + page.get_by_role("heading", name="丢分按点位类型").count()
        ):
            page.locator(".js-plotly-plot .ytick text").first.wait_for(timeout=60_000)
            assert tick_font_px(page) >= 20
            charts += 1
        if page.get_by_role("heading", name="丢分风险点位").count():
            assert risk_circles(page) > 0
            maps += 1
        page.screenshot(path=str(artifacts / f"loss_risk_projector_{i}.png"))
        assert page.evaluate(OVERFLOW) <= 1, f"第 {i} 屏要滚动"
        assert page.locator('[data-testid="stException"]').count() == 0
        if i < count:
            page.keyboard.press("ArrowRight")
    assert (charts, maps) == (2, 1)
    assert page.external == [] and page.dialogs == []


@pytest.fixture
def unit_page(browser, e2e_demo_db):
    with duckdb.connect(str(e2e_demo_db), read_only=True) as con:
        unit, name = con.execute(
            "select p.lead_unit_code, u.name from problem p join unit u on u.code = p.lead_unit_code "
            "group by 1, 2 order by count(*) desc, 1 limit 1"
        ).fetchone()
    ensure_account(e2e_demo_db, UNIT_USER, "责任单位", unit)
    for page in _guarded_page(browser, UNIT_USER, viewport={"width": 1600, "height": 2400}):
        page.unit_name = name
        yield page


def test_a_unit_account_sees_its_own_points_at_risk(server, unit_page, artifacts):
    page = unit_page
    open_page(page, server)
    page.get_by_role("heading", name="攻坚清单：先改哪几处").wait_for(timeout=60_000)
    # 等卡片本身出现再读（负载下标题先到、卡片晚一步时，只等脚本停下读到过空的卡片）
    page.locator('[data-testid="stMetricLabel"]', has_text="本单位的问题预计丢分").wait_for(timeout=60_000)
    settle(page)
    page.screenshot(path=str(artifacts / "loss_risk_unit.png"), full_page=True)
    heading = page.get_by_role("heading", name="若明天暗访", exact=False).first.inner_text()
    assert page.unit_name in heading
    assert "本单位的问题预计丢分" in metric_cards(page)
    assert page.get_by_role("button", name=f"导出 Excel：{page.unit_name}的攻坚清单", exact=False).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
