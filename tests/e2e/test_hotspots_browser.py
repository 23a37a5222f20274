"""真实服务器 + 无头 chromium（只允许回环地址）：问题热点页画出镇街多边形和热力图层，且没有任何外部请求。"""
import pytest

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e


def test_hotspots_map_draws_townships_and_heat_offline(server, offline_page, artifacts):
    page = offline_page
    # 先打开首页：服务器第一次运行画框（st.navigation）之后，各页地址才可直接访问
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("数据截至", exact=False).first.wait_for(timeout=60_000)
    page.goto(f"{server}/hotspots", wait_until="domcontentloaded")
    page.get_by_role("heading", name="问题热点").first.wait_for(timeout=60_000)

    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
    iframe.wait_for(timeout=60_000)
    iframe.scroll_into_view_if_needed()
    leaflet = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    leaflet.locator(".leaflet-container").wait_for(state="visible", timeout=60_000)
    polygons = leaflet.locator("path.leaflet-interactive")
    polygons.first.wait_for(state="visible", timeout=30_000)
    heat = leaflet.locator("canvas.leaflet-heatmap-layer")
    heat.wait_for(state="visible", timeout=30_000)
    labels = leaflet.locator(".cw-label")
    settle(page)
    iframe.screenshot(path=str(artifacts / "hotspots_map.png"))
    page.screenshot(path=str(artifacts / "hotspots.png"), full_page=True)

    n_labels = labels.count()
    assert n_labels >= 10                       # 示例县的镇街名称是我们自己画的
    assert polygons.count() >= n_labels         # 每个镇街一个可点击的多边形（另有问题圆点）
    box = heat.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    assert leaflet.locator(".cw-legend").inner_text().startswith("镇街问题数（条）")
    assert leaflet.locator(".leaflet-tile").count() == 0     # 默认不加底图瓦片
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
