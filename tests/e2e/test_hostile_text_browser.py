"""载荷库（镇街、单位、配合单位、点位、类别、问题描述与编号、整改说明、县名、文件名都是 XSS / Markdown 载荷）上，
每页都打开、地图提示与弹窗都点开：0 个对话框、0 个注入的元素、0 个非回环请求，载荷只作为文字出现。"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e import hostile_data
from tests.e2e.conftest import next_frame, running_server, settle

pytestmark = pytest.mark.e2e

MAP = 'iframe[title="streamlit_folium.st_folium"]'
# 注入成功的痕迹：行内事件属性、src=x 的图片、javascript: 链接、指向载荷外网地址的链接与图片
INJECTED_JS = """() => {
  const all = [...document.querySelectorAll('*')];
  const handlers = all.filter(e => [...e.attributes].some(a => a.name.startsWith('on')));
  const bad = document.querySelectorAll('img[src="x"], a[href^="javascript:"], a[href*="192.0.2.1"], img[src*="192.0.2.1"], svg[onload]');
  return handlers.map(e => e.outerHTML.slice(0, 120)).concat([...bad].map(e => e.outerHTML.slice(0, 120)));
}"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    info = hostile_data.build(folder / "hostile.duckdb")
    with running_server(folder / "hostile.duckdb", folder / "streamlit.log") as url:
        yield url, info


def open_page(page, url: str, heading: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    settle(page)


def assert_clean(page, where: str) -> None:
    injected = [x for frame in page.frames for x in frame.evaluate(INJECTED_JS)]
    assert (page.dialogs, injected, page.external) == ([], [], []), where
    assert page.locator('[data-testid="stException"]').count() == 0, where


def choose(page, key: str, typed: str) -> None:
    """在 key 为 key 的下拉框里输入文字、选第一个匹配项。"""
    # 直接对下拉框的输入框打字（点容器中间可能点在标签上、焦点留在页面）；等筛选后的选项出现再点它，不按回车
    # 负载下页面可能在打字时又重跑一次（例如地图画好后回传）：下拉框随之收起、选项脱离页面。这时收起、清空，从头再来
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    for attempt in range(3):
        settle(page)
        box.click()
        box.press_sequentially(typed)
        try:
            page.get_by_role("option").filter(has_text=typed).first.click(timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            box.fill("")
    settle(page)


def hover_plotly(page) -> None:
    """在每张 Plotly 图上横扫鼠标，弹出悬停提示（名称、轮次、类别都在提示里）。"""
    for chart in page.locator(".js-plotly-plot").all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        if not box:
            continue
        for k in range(1, 12):
            page.mouse.move(box["x"] + box["width"] * k / 12, box["y"] + box["height"] * 0.5)
            next_frame(page)


def test_every_page_shows_hostile_text_as_text(hostile, offline_page, artifacts):
    url, info = hostile
    page = offline_page
    open_page(page, url, "总览 · 澜溪县")
    assert_clean(page, "总览")

    open_page(page, f"{url}/rank_trend", "排名趋势 · 澜溪县")
    # 图在标题之后才画完（机器忙时更慢）：等到载荷县名作为文字出现在名次走势图里
    page.locator(".js-plotly-plot").filter(has_text="cwxsscounty<img src=x").first.wait_for(timeout=60_000)
    hover_plotly(page)
    assert_clean(page, "排名趋势")

    open_page(page, f"{url}/league", "红黑榜")
    page.get_by_role("tab", name="部门下钻").click()
    choose(page, "lg_unit", "cwxssunit")
    page.get_by_text("问题类别构成", exact=False).first.wait_for(timeout=30_000)
    settle(page)
    hover_plotly(page)
    page.screenshot(path=str(artifacts / "hostile_league.png"), full_page=True)
    assert_clean(page, "红黑榜")

    open_page(page, f"{url}/supervision", "整改督办")
    choose(page, "sv_problem", "cwxsscode")
    picked = page.locator('[data-testid="stMarkdownContainer"]', has_text="cwxsscode").first
    picked.wait_for(timeout=30_000)
    # 问题编号与描述原样显示为文字：图片与链接语法没有变成图片与链接
    assert f"![i]({hostile_data.EXTERNAL}/description.png)" in picked.inner_text().replace("\u200b", "")
    page.screenshot(path=str(artifacts / "hostile_supervision.png"), full_page=True)
    assert_clean(page, "整改督办")

    open_page(page, f"{url}/data_admin", "数据管理")
    page.get_by_role("tab", name="导入记录").click()
    settle(page)
    assert_clean(page, "数据管理")

    open_page(page, f"{url}/briefing", "通报导出")
    page.get_by_role("button", name="生成通报（幻灯片、Word 文稿与各单位督办单）").click()
    page.get_by_text("幻灯片目录").wait_for(timeout=300_000)  # 后台生成幻灯片、Word 与各单位督办单；机器忙时要几分钟
    assert_clean(page, "通报导出")


def test_map_labels_tooltips_and_popups_show_hostile_text_as_text(hostile, offline_page, artifacts):
    url, info = hostile
    page = offline_page
    open_page(page, f"{url}/hotspots?town={quote(info['township'])}", "问题热点")
    page.locator(MAP).wait_for(timeout=60_000)
    page.locator(MAP).scroll_into_view_if_needed()
    leaflet = page.frame_locator(MAP)
    leaflet.locator(".leaflet-container").wait_for(state="visible", timeout=60_000)
    # 名称很长：与别的名称挤在一起时先不显示（放大才出现），但一直是文字
    label = leaflet.locator(".cw-label", has_text="cwxsstownship")
    label.wait_for(state="attached", timeout=30_000)
    assert label.text_content().startswith("cwxsstownship<img src=x onerror=alert('township')>")
    shapes = leaflet.locator("path.leaflet-interactive")
    shapes.last.wait_for(state="visible", timeout=30_000)
    tips, popups = set(), set()
    frame_box = page.locator(MAP).bounding_box()
    for k in range(shapes.count()):
        box = shapes.nth(k).bounding_box()
        if not box:
            continue
        # 图形与地图可见部分的交集里、离中心远一点悬停（载荷镇街中心压着点位圆点）
        left, top = max(box["x"], frame_box["x"]), max(box["y"], frame_box["y"])
        right = min(box["x"] + box["width"], frame_box["x"] + frame_box["width"])
        bottom = min(box["y"] + box["height"], frame_box["y"] + frame_box["height"])
        if right <= left or bottom <= top:
            continue
        page.mouse.move(left + (right - left) * 0.2, top + (bottom - top) * 0.2)
        next_frame(page)
        seen = leaflet.locator(".leaflet-tooltip").all_inner_texts()
        tips |= {t for t in seen if "cwxss" in t}
    points = leaflet.locator("path.leaflet-interactive[fill='#C62828'], path.leaflet-interactive[fill='#7B1FA2']")
    for k in range(points.count()):
        points.nth(k).click(force=True)
        next_frame(page)
        popups |= {t for t in leaflet.locator(".leaflet-popup-content").all_inner_texts() if "cwxss" in t}
    page.locator(MAP).screenshot(path=str(artifacts / "hostile_map.png"))
    # 第二道闸：地图文档的内容安全策略不许连外网——就算有标记漏进来，浏览器也不会发出请求
    blocked = (
        page.frame_locator(MAP)
        .locator("body")
        .evaluate("""() => new Promise(done => {
        document.addEventListener('securitypolicyviolation', e => done(e.blockedURI));
        const img = new Image(); img.src = 'http://192.0.2.1/csp.png';
        setTimeout(() => done(null), 3000);
    })""")
    )
    assert blocked == "http://192.0.2.1/csp.png"
    assert any("cwxsstownship<img" in t for t in tips), tips
    assert any("cwxsssite<img" in t and "cwxsscategory<img" in t for t in tips), tips
    assert any("cwxssunit<img" in t and "cwxsscategory<img" in t for t in popups), popups
    assert_clean(page, "问题热点")


def risk_tips(page) -> set[str]:
    """丢分预警地图上悬停每个图形（镇街边界与风险圆），收集含载荷的提示，见到载荷点位的提示就停。
    圆按预计丢分从大到小画、后画的在上面：载荷点位的大圆中心常压着小圆，所以悬停在偏左的地方。"""
    page.locator(MAP).wait_for(timeout=60_000)
    page.locator(MAP).scroll_into_view_if_needed()
    leaflet = page.frame_locator(MAP)
    leaflet.locator(".leaflet-container").wait_for(state="visible", timeout=60_000)
    shapes = leaflet.locator("path.leaflet-interactive")
    shapes.last.wait_for(state="visible", timeout=30_000)
    tips: set[str] = set()
    for k in range(shapes.count()):
        box = shapes.nth(k).bounding_box()
        if not box:
            continue
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
        next_frame(page)
        tips |= {t for t in leaflet.locator(".leaflet-tooltip").all_inner_texts() if "cwxss" in t}
        if any("cwxsssite<img" in t for t in tips):
            break
    return tips


def test_loss_risk_shows_hostile_text_as_text(hostile, offline_page, artifacts):
    """丢分预警：载荷测评标准、点位、点位类型、镇街、单位在图、表、攻坚清单、地图提示与推进会的大字表里都只是文字。"""
    url, info = hostile
    page = offline_page
    page.set_viewport_size({"width": 1600, "height": 2400})
    open_page(page, f"{url}/loss_risk", "攻坚清单：先改哪几处")
    # 载荷问题落在载荷标准上：丢分最多的测评标准图里有它（作为文字）
    page.locator(".js-plotly-plot").filter(has_text="cwxssstandard<img src=x").first.wait_for(timeout=60_000)
    hover_plotly(page)
    tips = risk_tips(page)
    page.screenshot(path=str(artifacts / "hostile_loss_risk.png"), full_page=True)
    assert any("cwxsssite<img" in t and "cwxsssitetype<img" in t and "cwxsstownship<img" in t for t in tips), tips
    assert_clean(page, "丢分预警")

    # 推进会：表是 st.html 画的静态大字表，逐屏翻完，每屏都核对
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.locator(".st-key-lr_projector label").first.click()
    screen = page.locator(".st-key-cw_view_bar p", has_text="屏")
    screen.first.wait_for(timeout=60_000)
    settle(page)
    count = int(screen.first.inner_text().split("/")[1].split("屏")[0])
    tables: list[str] = []
    for i in range(1, count + 1):
        page.locator(".st-key-cw_view_bar p", has_text=f"第 {i} / {count} 屏").wait_for(timeout=60_000)
        settle(page)
        tables += page.locator("table.cw-big-table").all_inner_texts()
        assert_clean(page, f"丢分预警推进会第 {i} 屏")
        if i < count:
            page.keyboard.press("ArrowRight")
    shown = "\n".join(tables)
    for field in ("standard", "township", "unit", "site"):
        assert f"cwxss{field}<img src=x onerror=alert('{field}')>" in shown, field
