"""真实服务器 + 无头 chromium（只允许回环地址）：问题热点页画出镇街多边形和热力图层，且没有任何外部请求。"""

import pytest

from tests.e2e.conftest import settle
from tests.oracles import township_boundaries

pytestmark = pytest.mark.e2e


def test_hotspots_map_draws_townships_and_heat_offline(server, e2e_demo_db, offline_page, artifacts):
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
    assert n_labels == township_boundaries(e2e_demo_db)  # 每个有边界的镇街一个名称（我们自己画的标注）
    assert polygons.count() >= n_labels  # 每个镇街一个可点击的多边形（另有问题圆点，条数随统计区间）
    box = heat.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    assert leaflet.locator(".cw-legend").inner_text().startswith("镇街问题数（条）")
    assert leaflet.locator(".leaflet-tile").count() == 0  # 默认不加底图瓦片
    # 控件是中文：缩放按钮提示、比例尺单位、署名
    assert leaflet.locator(".leaflet-control-zoom-in").get_attribute("title") == "放大"
    assert leaflet.locator(".leaflet-control-zoom-out").get_attribute("title") == "缩小"
    assert leaflet.locator(".leaflet-control-scale-line").inner_text().endswith(("公里", "米"))
    assert "地图引擎 Leaflet" in leaflet.locator(".leaflet-control-attribution").inner_text()
    # 显示出来的镇街名称互不重叠（挤的先不显示，名称在悬停提示里）
    boxes = leaflet.locator(".cw-label").evaluate_all(
        "els => els.filter(e => getComputedStyle(e).display !== 'none')"
        ".map(e => { const g = document.createRange(); g.selectNodeContents(e); const r = g.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    assert len(boxes) >= 5
    overlaps = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
    ]
    assert overlaps == []
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def _heat_state(leaflet) -> dict:
    """地图 iframe 里登记的热力图层：点数与它按哪个缩放级别汇总（maxZoom）。"""
    return leaflet.locator("body").evaluate(
        "() => { const l = window.cw_grid.heat.getLayers()[0];"
        " return {zoom: window.map.getZoom(), points: l._latlngs.length, max_zoom: l.options.maxZoom}; }"
    )


def test_zooming_in_requeries_a_finer_grid_without_remounting_the_map(server, offline_page, artifacts):
    page = offline_page
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("数据截至", exact=False).first.wait_for(timeout=60_000)
    page.goto(f"{server}/hotspots", wait_until="domcontentloaded")
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
    iframe.wait_for(timeout=60_000)
    iframe.scroll_into_view_if_needed()
    leaflet = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    leaflet.locator("canvas.leaflet-heatmap-layer").wait_for(state="visible", timeout=60_000)
    settle(page)
    before = _heat_state(leaflet)
    caption = page.get_by_text("米见方", exact=False).first.inner_text()

    # 放大三级（像用户滚轮放大），等服务器按看到的范围重查网格、只换热力图层
    leaflet.locator("body").evaluate("() => { window.cw_marker = 1; window.map.setZoom(window.map.getZoom() + 3); }")
    # 放大有动画：动画结束前 getZoom() 仍是原级别，所以要等到换上的图层比打开时细，而不只是与当前级别一致
    page.wait_for_function(
        """([opened]) => { const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]').contentWindow;
                   const l = f.cw_grid && f.cw_grid.heat.getLayers()[0];
                   return l && l.options.maxZoom > opened && l.options.maxZoom === Math.floor(f.map.getZoom()); }""",
        arg=[before["max_zoom"]],
        timeout=60_000,
    )
    settle(page)
    after = _heat_state(leaflet)
    iframe.screenshot(path=str(artifacts / "hotspots_map_zoomed.png"))

    assert before["max_zoom"] < after["max_zoom"] == int(after["zoom"]) == int(before["zoom"]) + 3
    assert leaflet.locator("body").evaluate("() => window.cw_marker") == 1  # 同一个地图文档：没有重新挂载
    assert page.get_by_text("米见方", exact=False).first.inner_text() != caption  # 说明里的格子边长随之变小
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
