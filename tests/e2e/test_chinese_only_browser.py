"""真实服务器 + 无头 chromium（只放行回环地址）：管理员把每一页（连同每个标签页、展开每个折叠块）看一遍，页面上看得见的字里
没有 Streamlit、pandas、plotly 的英文默认字样（空表的“empty”、缺值的“None”“nan”、选择框的“Choose an option”……）。

“看得见的字”有三处：stApp 的 innerText（含同源 iframe 的正文）、空输入框显示的 placeholder、画在画布上的字（st.dataframe
的表格是画布画的：空表的“empty”、缺值的“None”都不在 DOM 里，只能在页面画字时记下——初始化脚本包住 fillText/strokeText）。
三个库各起一个服务器：示例县（会话共用的那个）；刚开始用的办公室（新建空库、导入测评体系与成绩、选定本县：没有问题、
点位、渠道、运行）；只有表结构的空库（只有引导页）。"""

from __future__ import annotations

import json
import re
import time

import pytest

from chuangwen import db, office_settings, sitemap
from chuangwen.imports import write
from tests.e2e.conftest import running_server, settle
from tests.unit._import_helpers import csv_bytes

pytestmark = pytest.mark.e2e

WAIT = 90_000  # 机器忙（CI 同时在跑）时一页可能要几十秒
# Streamlit、pandas、plotly 的英文默认字样（空表、缺值、选择框与上传控件的默认提示、运行中、表格工具条）
ENGLISH = (
    "empty",
    "No data",
    "No results",
    "Choose an option",
    "Choose options",
    "No options to select",
    "nan",
    "NaN",
    "NaT",
    "<NA>",
    "None",
    "null",
    "undefined",
    "Running...",
    "Drag and drop",
    "Browse files",
    "Upload",
    "per file",
    "Show/hide columns",
    "Download as CSV",
    "Search",
)
# 整词、区分大小写：前后不是英文字母、数字或下划线（\b 把汉字也当作词的一部分，“表empty”就认不出来，所以不用 \b）
LEAK = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![A-Za-z0-9_])")

# 每个文档一开始就包住画布的画字函数：画出的一段字里有上面的字样时，连同这块画布上刚画过的几段字（同一行的格）记下，
# 同一块画布上同样的字只记第一处与次数。
# 只记命中的：长表翻一遍要画几万段字，全记下来就得设上限，上限之后的就漏看了
CANVAS_HOOK = """(() => {
  const leak = new RegExp(LEAK_PATTERN);
  const canvases = (window.__cwCanvases = new Set());
  for (const ctx of [window.CanvasRenderingContext2D, window.OffscreenCanvasRenderingContext2D]) {
    if (!ctx) continue;
    for (const name of ['fillText', 'strokeText']) {
      const real = ctx.prototype[name];
      ctx.prototype[name] = function (text, ...rest) {
        const canvas = this.canvas, drawn = String(text), recent = (canvas.__cwRecent ??= []);
        recent.push(drawn);
        if (recent.length > 8) recent.shift();
        if (leak.test(drawn)) {
          const hits = (canvas.__cwLeaks ??= new Map()), hit = hits.get(drawn);
          if (hit) hit.times += 1;
          else hits.set(drawn, { times: 1, at: recent.join(' | ') });
          canvases.add(canvas);
        }
        return real.call(this, text, ...rest);
      };
    }
  }
})();""".replace("LEAK_PATTERN", json.dumps(LEAK.pattern))

# 看得见的字：正文、同源 iframe 的正文、空输入框显示的 placeholder、上次看过之后画布上画出的命中字样（前面带上表格上方
# 最近的一段字，报错时好找；取走就清空，下一个标签页只报它自己新画的）
VISIBLE_TEXT = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const shown = e => e.offsetParent !== null || e.getClientRects().length > 0;
  const placeholders = [...app.querySelectorAll('input, textarea')]
    .filter(e => e.placeholder && !e.value && shown(e)).map(e => 'placeholder=' + e.placeholder);
  const frames = [...app.querySelectorAll('iframe')].map(f => {
    try { return f.contentDocument && f.contentDocument.body ? f.contentDocument.body.innerText : ''; }
    catch (err) { return ''; } });
  const above = c => {
    const box = c.isConnected && c.closest('[data-testid="stElementContainer"]');
    for (let e = box && box.previousElementSibling; e; e = e.previousElementSibling) {
      const t = e.innerText.trim();
      if (t) return '〔表格上方：' + t.slice(-40) + '〕';
    }
    return '〔画布〕';
  };
  const drawn = [...(window.__cwCanvases || [])].flatMap(c =>
    [...c.__cwLeaks.values()].map(h => `${above(c)} ${h.at}（画了 ${h.times} 次）`));
  for (const c of window.__cwCanvases || []) c.__cwLeaks.clear();
  (window.__cwCanvases || new Set()).clear();
  return [app.innerText, ...frames, ...placeholders, ...drawn];
}"""

# 表格只画看得见的行与列：把每张看得见的表从头到尾、从左到右翻一遍（每翻一屏等两帧，让画布画出来），再翻回开头
SCROLL_GRIDS = """async (limit) => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  let screens = 0;
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .filter(s => !s.closest('[inert]') && s.getClientRects().length > 0);
  for (const s of grids) {
    for (let x = 0; ; x += Math.max(50, s.clientWidth - 100)) {
      for (let y = 0; ; y += Math.max(30, s.clientHeight - 80)) {
        s.scrollTo(x, y);
        await frames();
        screens += 1;
        if (y + s.clientHeight >= s.scrollHeight || screens >= limit) break;
      }
      if (x + s.clientWidth >= s.scrollWidth || screens >= limit) break;
    }
    s.scrollTo(0, 0);
  }
  return screens;
}"""
SCREENS = 2000  # 一页最多翻这么多屏（示例县最长的表也翻得完；到了上限测试失败，免得悄悄少看）

NO_SKELETON = "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0"
# 收起的折叠块（不数藏着的标签页里的：那些 inert，点不到，轮到那个标签页时再展开）
OPEN_EXPANDERS = """() => {
  const closed = [...document.querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')]
    .filter(s => !s.closest('[inert]') && s.getClientRects().length > 0);
  closed.forEach(s => s.click());
  return closed.length;
}"""

FRAMEWORK = [
    {"版本": "2026版", "编号": "1", "层级": "板块", "名称": "公共文明", "分值": "100", "生效日期": "2026-01-01"}
]
SCORES = [
    {"测评轮次": "2026年度测评", "日期": "2026-10-15", "单位": u, "总分": t, "1": t}
    for u, t in (("澜溪县", "86.5"), ("青石县", "90"), ("白水县", ""))
]


def leaks(texts: list[str], where: str) -> list[str]:
    """texts 里的英文默认字样：每处一行，带上页面与前后各 60 个字。"""
    found = []
    for text in texts:
        for m in LEAK.finditer(text):
            around = text[max(0, m.start() - 60) : m.end() + 60].replace("\n", "⏎")
            found.append(f"{where}：“{m.group()}” 在 …{around}…")
    return found


def wait_ready(page) -> None:
    """等页面画完：脚本没在运行、没有骨架占位、字体加载完（不等固定时长）。"""
    page.locator('[data-testid="stMain"]').wait_for(timeout=WAIT)
    settle(page, timeout=WAIT)
    page.wait_for_function(NO_SKELETON, timeout=WAIT)
    settle(page, timeout=WAIT)


def open_everything(page) -> None:
    """展开所有折叠块（里面的字收起时不显示）。"""
    if page.evaluate(OPEN_EXPANDERS):
        settle(page, timeout=WAIT)


def look(page, where: str) -> list[str]:
    """展开折叠块、翻遍表格之后，看得见的字里的英文默认字样。"""
    open_everything(page)
    screens = page.evaluate(SCROLL_GRIDS, SCREENS)
    assert screens < SCREENS, f"{where}：表格太长，翻了 {screens} 屏还没翻完"
    return leaks(page.evaluate(VISIBLE_TEXT), where)


def scan(page, address: str, title: str) -> tuple[list[str], list[str]]:
    """打开一个网址，看这一页与它的每个标签页；返回 (泄漏, 看过的页面与标签)。"""
    page.goto(address, wait_until="domcontentloaded")
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0, title
    found, seen = look(page, title), [title]
    tabs = page.locator('[data-testid="stTabs"] [role="tab"]')
    i = 0
    while i < tabs.count():  # 标签页里可能还有标签页：每点一个重新数
        tab = tabs.nth(i)
        where = f"{title}·{tab.inner_text().strip()}"
        tab.click()
        settle(page, timeout=WAIT)
        found += look(page, where)
        seen.append(where)
        i += 1
    return found, seen


def scan_site(page, url: str) -> tuple[list[str], list[str]]:
    """逐页（每页逐个标签页）收集看得见的字里的英文默认字样；返回 (泄漏, 看过的页面与标签)。"""
    page.context.add_init_script(CANVAS_HOOK)
    found, seen = [], []
    for spec in sitemap.PAGES:
        more, places = scan(page, f"{url}/{spec.url_path}", spec.title)
        found += more
        seen += places
    assert page.external == [] and page.dialogs == []
    return list(dict.fromkeys(found)), seen


def report(found: list[str]) -> str:
    return "页面上有英文默认字样：\n" + "\n".join(found)


def test_every_page_of_the_demo_county_is_chinese_only(server, offline_page):
    started = time.monotonic()
    found, seen = scan_site(offline_page, server)
    print(f"示例县：看了 {len(seen)} 处，{time.monotonic() - started:.0f} 秒：{'、'.join(seen)}")
    assert found == [], report(found)
    assert {"红黑榜·部门下钻", "数据管理·模板下载", "账号与审计·审计记录"} <= set(seen)


@pytest.fixture(scope="module")
def new_office(tmp_path_factory):
    """刚开始用的办公室：新建空库，导入测评体系与成绩（新增县级单位），选定本县；没有问题、点位、单位、渠道、运行。"""
    path = db.create_database(tmp_path_factory.mktemp("chinese_only") / "office.duckdb")
    write.run_import(path, csv_bytes(FRAMEWORK, header=list(FRAMEWORK[0])), "体系.csv", "framework")
    write.run_import(path, csv_bytes(SCORES, header=list(SCORES[0])), "成绩.csv", "scores", create_missing=True)
    office_settings.choose(path, "our_code", "澜溪县", by="测试")
    with running_server(path, path.parent / "streamlit.log") as url:
        yield url


def test_every_page_of_a_new_office_is_chinese_only(new_office, offline_page):
    started = time.monotonic()
    found, seen = scan_site(offline_page, new_office)
    print(f"新办公室：看了 {len(seen)} 处，{time.monotonic() - started:.0f} 秒：{'、'.join(seen)}")
    assert found == [], report(found)


@pytest.fixture(scope="module")
def bare_store(tmp_path_factory):
    path = db.create_database(tmp_path_factory.mktemp("chinese_only_bare") / "bare.duckdb")
    with running_server(path, path.parent / "streamlit.log") as url:
        yield url


def test_the_first_run_page_of_an_empty_store_is_chinese_only(bare_store, offline_page):
    """只有表结构的库：每个网址都是引导页（导入数据的那一页），同样只有中文。"""
    page = offline_page
    page.context.add_init_script(CANVAS_HOOK)
    found, seen = scan(page, bare_store, "引导页")
    print(f"空库：看了 {'、'.join(seen)}")
    assert found == [], report(found)
    assert page.external == [] and page.dialogs == []
