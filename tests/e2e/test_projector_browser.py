"""真实服务器 + 无头 chromium（断网，只许回环）：推进会模式在总览开启，1920×1080 上用键盘 → 一屏一屏翻完六页
（先翻本页的屏，再翻到下一页），每一屏：不用滚动（内容高度不超过视口）、页面文字、图上文字、地图里的文字都 ≥ 20 px；
← 在一页的第一屏时回到上一页的最后一屏；模式一直开着，侧栏收起；每屏截图到 artifacts/。"""

import re

import pytest

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e

BAR = ".st-key-cw_meeting_bar"
VIEWS = ".st-key-cw_view_bar"
PAGES = ["总览", "排名趋势", "问题热点", "红黑榜", "整改督办", "丢分预警"]
MIN_PX = 20
MAX_SCREENS = 60

# 有自己文字、看得见的元素里字号小于 20 px 的（图标字体除外：Material Symbols 的“map”“dashboard”是图标不是字）
SMALL_TEXT = """(minPx) => {
  const small = [];
  const root = document.querySelector('[data-testid="stMain"]');
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.fontFamily.includes('Material')) continue;
    if (parseFloat(style.fontSize) < minPx) small.push(el.tagName + ' ' + style.fontSize + ' ' + el.textContent.trim().slice(0, 24));
  }
  return small;
}"""

# 图上的字：plotly 用 SVG 的 text，字号写在 style 里
SMALL_CHART_TEXT = """(minPx) => [...document.querySelectorAll('.js-plotly-plot .main-svg text')]
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width)
  .filter(t => parseFloat(getComputedStyle(t).fontSize) < minPx)
  .map(t => getComputedStyle(t).fontSize + ' ' + t.textContent.trim().slice(0, 24))"""

FITS = """() => { const main = document.querySelector('[data-testid="stMain"]');
  return [main.scrollHeight, main.clientHeight]; }"""


def screen_label(page) -> str:
    """现在在哪一页的哪一屏：“红黑榜|第 3 / 10 屏”。"""
    here = page.locator(f"{BAR} .cw-here").inner_text().strip()
    views = page.locator(VIEWS)
    views.wait_for(timeout=60_000)
    where = views.inner_text()
    found = re.search(r"第\s*(\d+)\s*/\s*(\d+)\s*屏", where)
    return f"{here}|{found.group(1)}/{found.group(2)}" if found else f"{here}|1/1"


def wait_for_screen_other_than(page, label: str) -> str:
    """按了键之后：等到页面条或屏号变了、脚本跑完、字体加载完。每一页都至少两屏，翻屏条一直在。"""
    now = page.wait_for_function(
        """(old) => {
          const app = document.querySelector('[data-testid="stApp"]');
          const here = document.querySelector('.st-key-cw_meeting_bar .cw-here');
          const bar = document.querySelector('.st-key-cw_view_bar');
          // 脚本跑完、翻屏条画出来了才算（地图画好后回传会让页面再跑一次，其间翻屏条暂时不在）
          if (!app || app.dataset.testScriptState !== 'notRunning' || !here || !bar) return false;
          const m = bar ? bar.innerText.match(/第\\s*(\\d+)\\s*\\/\\s*(\\d+)\\s*屏/) : null;
          const now = here.innerText.trim() + '|' + (m ? m[1] + '/' + m[2] : '1/1');
          return now !== old ? now : false;
        }""",
        arg=label,
        timeout=90_000,
    ).json_value()
    settle(page)
    return now


def map_frames(page) -> list:
    """这一屏看得见的地图（streamlit-folium 的 iframe 里有 Leaflet 容器的）。"""
    frames = []
    for frame_el in page.locator("iframe").all():
        if not frame_el.is_visible():
            continue
        frame = frame_el.element_handle().content_frame()
        if frame is not None and frame.locator(".leaflet-container").count():
            frames.append(frame)
    return frames


def wait_for_drawings(page) -> None:
    """这一屏的图与地图画完：每张 plotly 图有了坐标轴或图形，每个地图 iframe 里 Leaflet 的图层出来了。"""
    for plot in page.locator(".js-plotly-plot").all():
        plot.locator(".main-svg").first.wait_for(timeout=60_000)
    for frame in map_frames(page):
        frame.locator(".leaflet-pane path, .leaflet-marker-icon").first.wait_for(timeout=60_000)
    settle(page)


def check_screen(page, label: str, artifacts) -> list[str]:
    """一屏的问题：要滚动、页面或图上有小字、地图里有小字。"""
    wait_for_drawings(page)
    name = label.replace("|", "_").replace("/", "of")
    page.screenshot(path=str(artifacts / f"projector_{name}.png"))
    problems = []
    scroll, client = page.evaluate(FITS)
    if scroll > client + 2:
        problems.append(f"{label}: 要滚动（内容 {scroll} px，视口 {client} px）")
    problems += [f"{label}: 页面小字 {t}" for t in page.evaluate(SMALL_TEXT, MIN_PX)]
    problems += [f"{label}: 图上小字 {t}" for t in page.evaluate(SMALL_CHART_TEXT, MIN_PX)]
    for frame in map_frames(page):
        in_map = frame.evaluate(
            """(minPx) => [...document.querySelectorAll('.leaflet-container *')].filter(el => {
                 const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
                 const r = el.getBoundingClientRect();
                 return own && r.width && r.height && parseFloat(getComputedStyle(el).fontSize) < minPx;
               }).map(el => getComputedStyle(el).fontSize + ' ' + el.textContent.trim().slice(0, 24))""",
            MIN_PX,
        )
        problems += [f"{label}: 地图小字 {t}" for t in in_map]
    return problems


def last_screen_of(label: str, name: str) -> bool:
    here, where = label.split("|")
    index, total = where.split("/")
    return here == name and index == total


def press(page, key: str, label: str) -> str:
    page.mouse.click(5, 1075)  # 焦点回到页面（不在某个输入框里），键盘翻页才会生效
    page.keyboard.press(key)
    return wait_for_screen_other_than(page, label)


def test_meeting_mode_every_screen_fits_and_reads_from_the_back(server, offline_page, artifacts):
    page = offline_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("全省排名（", exact=False).first.wait_for(timeout=60_000)
    page.locator(".st-key-ov_projector label").first.click()
    page.locator(VIEWS).wait_for(timeout=60_000)
    settle(page)
    assert not page.locator('section[data-testid="stSidebar"]').is_visible()

    label = screen_label(page)
    seen, problems = [label], check_screen(page, label, artifacts)
    while not last_screen_of(label, PAGES[-1]):
        assert len(seen) <= MAX_SCREENS, seen
        label = press(page, "ArrowRight", label)
        seen.append(label)
        problems += check_screen(page, label, artifacts)

    pages_in_order = list(dict.fromkeys(s.split("|")[0] for s in seen))
    assert pages_in_order == PAGES, seen
    # 每一页都从第 1 屏开始、一屏不落地翻到最后一屏
    for name in PAGES:
        screens = [s.split("|")[1] for s in seen if s.startswith(name + "|")]
        total = int(screens[0].split("/")[1])
        assert screens == [f"{i}/{total}" for i in range(1, total + 1)], (name, screens)
    assert problems == [], "\n".join(problems)

    # 最后一页的第 1 屏按 ← 回到上一页的最后一屏
    while not label.startswith(f"{PAGES[-1]}|1/"):
        label = press(page, "ArrowLeft", label)
    label = press(page, "ArrowLeft", label)
    before_total = next(s for s in seen if s.startswith(f"{PAGES[-2]}|")).split("/")[-1]
    assert label == f"{PAGES[-2]}|{before_total}/{before_total}"
    assert page.locator(VIEWS).is_visible()  # 模式一直开着
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []
