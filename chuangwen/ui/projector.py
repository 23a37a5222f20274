"""推进会（投影）模式：一个会话级开关，开启时注入 CSS——大字号、高对比、隐藏侧栏、一屏一图；
领导看的几页（总览、排名趋势、问题热点、红黑榜、整改督办、丢分预警）顶部一行页面条，键盘 ← → 翻页，不必退出模式。

各页用法：
    big = projector.header("总览 · 澜溪县", "ov_projector")  # 标题 + 开关（key 带本页前缀）；状态记在会话级标志里，换页保留
    projector.plotly(fig, key="ov_chart")                   # 图：开启时字号 ≥ 20 px、一屏一图（charts.projected）
    projector.table(df)                                     # 表：开启时用大字的静态表（st.dataframe 是画布，字号改不了）
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chuangwen import charts, sitemap
from chuangwen.escape import html_text, md

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from chuangwen.ui.frame import Viewer

FLAG = "projector_mode"  # 会话级标志：各页共用，切换页面后仍保持
CHART_HEIGHT = 460
PROJECTOR_CHART_HEIGHT = 680  # 1080p 投影一屏放一张图（连同标题）

_CSS = """
<style>
/* 推进会模式：隐藏侧栏与顶部工具条，内容铺满，字大、黑字白底 */
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarCollapseButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.stApp, .stApp [data-testid="stAppViewContainer"], .stApp [data-testid="stMain"] { background: #FFFFFF !important; color: #000000 !important; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.2rem 2.5rem 4rem 2.5rem !important; }
.stApp h1 { font-size: 3.2rem !important; font-weight: 800 !important; color: #000000 !important; }
.stApp h2, .stApp h3 { font-size: 2.4rem !important; font-weight: 800 !important; color: #000000 !important;
                       border-bottom: 4px solid #000000; padding-bottom: .3rem; margin-top: 2.5rem; }
.stApp p, .stApp li, .stApp label, [data-testid="stCaptionContainer"], [data-testid="stAlert"] p { font-size: 1.45rem !important; color: #000000 !important; }
.stApp [data-testid="stMetricValue"] p, .stApp [data-testid="stMetricValue"] div { font-size: 3.6rem !important; font-weight: 800 !important; color: #000000 !important; line-height: 1.2 !important; }
.stApp [data-testid="stMetricDelta"] div, .stApp [data-testid="stMetricDelta"] p { font-size: 1.5rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.8rem !important; font-weight: 700 !important; color: #000000 !important; }
[data-testid="stMetricValue"] { font-size: 3.6rem !important; font-weight: 800 !important; color: #000000 !important; }
[data-testid="stMetricDelta"] { font-size: 1.4rem !important; }
[data-testid="stMetric"] { border: 3px solid #000000 !important; }
[data-testid="stPlotlyChart"] { margin-bottom: 6vh; }
[data-testid="stTable"] table { font-size: 1.5rem !important; color: #000000 !important; }
[data-testid="stTable"] th { font-size: 1.5rem !important; color: #000000 !important; background: #E0E0E0 !important; }
</style>
"""


# 领导看的页面（推进会上翻的就是这几页），顺序即翻页顺序
MEETING_PAGES = (
    ("app_pages/overview.py", "总览"),
    ("app_pages/rank_trend.py", "排名趋势"),
    ("app_pages/hotspots.py", "问题热点"),
    ("app_pages/league.py", "红黑榜"),
    ("app_pages/supervision.py", "整改督办"),
    ("app_pages/loss_risk.py", "丢分预警"),
)
TABLE_ROWS = 15  # 投影时一张表最多显示的行数（一屏）
MAP_HEIGHT = 760  # 投影时地图的高度（1080p 一屏）

_BAR_CSS = """
<style>
.st-key-cw_meeting_bar { border-bottom: 3px solid #000000; padding-bottom: .4rem; margin-bottom: .6rem; }
.st-key-cw_meeting_bar a p, .st-key-cw_meeting_bar p { font-size: 1.5rem !important; font-weight: 700 !important; }
.st-key-cw_meeting_bar .cw-here { background: #000000; color: #FFFFFF !important; padding: .15rem .8rem; border-radius: .3rem; }
</style>
"""

# 键盘翻页：← 上一页、→ 下一页（焦点在输入框、下拉框里时不翻）；只在页面条在页面上时起作用，所以退出推进会后方向键照常
_KEYS_JS = """
<script>
(function () {
  window.cwMeeting = %s;
  if (window.cwMeetingKeys) { return; }
  window.cwMeetingKeys = true;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    var typing = t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
                       (t.tagName === "INPUT" && t.type !== "checkbox"));   // 刚点过的开关（复选框）不挡翻页
    if (typing) { return; }
    var bar = document.querySelector(".st-key-cw_meeting_bar");
    var want = e.key === "ArrowRight" ? window.cwMeeting.next : e.key === "ArrowLeft" ? window.cwMeeting.prev : null;
    if (!bar || !want) { return; }
    var links = bar.querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      if (links[i].textContent.trim() === want) { e.preventDefault(); links[i].click(); return; }
    }
  });
})();
</script>
"""


def neighbours(pages: list[tuple[str, str]], current: str) -> tuple[str | None, str | None]:
    """翻页顺序里 current（标题）的上一页与下一页（到头时为 None）。"""
    titles = [t for _, t in pages]
    if current not in titles:
        return None, None
    i = titles.index(current)
    return (titles[i - 1] if i > 0 else None), (titles[i + 1] if i + 1 < len(titles) else None)


def meeting_pages(may_open: Callable[[str], bool]) -> list[tuple[str, str]]:
    """这个人能打开的领导页面（may_open(标题) 为真的），顺序同 MEETING_PAGES。"""
    return [(path, title) for path, title in MEETING_PAGES if may_open(title)]


def header(title: str, key: str, viewer: Viewer) -> bool:
    """页面标题与“推进会模式”开关（同一行）；开启时注入大字样式与页面条。返回是否开启。"""
    head, switch = st.columns([5, 1], vertical_alignment="bottom")
    head.title(title)
    big = toggle(key, switch)
    apply()
    if big:
        page_bar(viewer)
    return big


def link_to(title: str) -> st.Page:
    """到某一页的链接目标：st.page_link 只认页面的网址（不运行这个函数），所以给一个不做事的占位页。"""
    spec = sitemap.by_title(title)
    return st.Page(_not_run, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.default)


def _not_run() -> None:  # 链接用的占位页：导航里登记的是画框的真页面
    raise RuntimeError("占位页不运行")


def page_bar(viewer: Viewer) -> None:
    """推进会模式下的一行页面条：领导看的几页（当前页反白），← → 键翻页。"""
    pages = meeting_pages(viewer.may_open)
    current = viewer.page
    prev, nxt = neighbours(pages, current)
    st.html(_BAR_CSS)
    with st.container(key="cw_meeting_bar", horizontal=True, gap="large", vertical_alignment="center"):
        for _path, title in pages:
            if title == current:
                st.html(f'<p class="cw-here">{html_text(title)}</p>', width="content")
            else:
                st.page_link(link_to(title), label=title)
        st.caption("键盘 ← → 翻页")
    st.html(_KEYS_JS % json.dumps({"prev": prev, "next": nxt}, ensure_ascii=False), unsafe_allow_javascript=True)


def plotly(fig: go.Figure, key: str, **kwargs: Any) -> None:
    """显示一张图：推进会模式下先放大（charts.projected：字号 ≥ 20 px，一屏一图），不套会把字号改小的主题。"""
    if is_on():
        st.plotly_chart(
            charts.projected(fig, PROJECTOR_CHART_HEIGHT), key=key, config=charts.PLOTLY_CONFIG, theme=None, **kwargs
        )
    else:
        st.plotly_chart(fig, key=key, config=charts.PLOTLY_CONFIG, **kwargs)


def _pick(columns: list[str], wanted: list[str]) -> list[str]:
    """要显示的列：名称相同，或是它按口径换了单位的写法（“逾期（存量）”→“逾期（存量，每点位）”，“反弹重开”→“反弹重开（每千人）”）。"""
    out: list[str] = []
    for w in wanted:
        stem = w[:-1] if w.endswith("）") else w
        out += [c for c in columns if c not in out and (c == w or c.startswith((stem + "，", w + "（")))]
    return out


def for_projector(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """投影用的表：只留 columns（给了时）与前 TABLE_ROWS 行；整数写成带千分位的整数，小数两位，空值留空（静态表不会替我们格式化）。
    st.table 把每格按 Markdown 显示：来自数据的文字（问题描述、点位、单位名）一律经 escape.md，图片、链接、:color[…] 都不成立。"""
    rows = df[_pick(list(df.columns), columns)] if columns else df
    rows = rows.head(TABLE_ROWS)
    out = {}
    for col in rows.columns:
        values = rows[col]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            out[col] = [md(v) for v in values.tolist()]
        elif all(pd.isna(v) or float(v).is_integer() for v in values.tolist()):
            out[col] = ["" if pd.isna(v) else f"{int(v):,}" for v in values.tolist()]
        else:
            out[col] = ["" if pd.isna(v) else f"{float(v):,.2f}" for v in values.tolist()]
    return pd.DataFrame({md(col): values for col, values in out.items()}, columns=[md(c) for c in rows.columns])


def table(df: pd.DataFrame, *, big_columns: list[str] | None = None, **kwargs: Any) -> None:
    """显示一张表：推进会模式下是大字的静态表（最多 TABLE_ROWS 行、只留 big_columns 这几列，其余在普通模式看），
    否则可排序的 st.dataframe。"""
    if not is_on():
        st.dataframe(df, hide_index=True, **kwargs)
        return
    st.table(for_projector(df, big_columns), hide_index=True)
    if len(df) > TABLE_ROWS or (big_columns and len(big_columns) < len(df.columns)):
        st.caption(f"共 {len(df)} 行，这里列出前 {min(len(df), TABLE_ROWS)} 行的要点；完整的表在普通模式下看。")


def is_on() -> bool:
    return bool(st.session_state.get(FLAG, False))


def toggle(key: str, container: DeltaGenerator | None = None) -> bool:
    """推进会模式开关；返回当前是否开启。"""
    where = container if container is not None else st
    on = where.toggle(
        "推进会模式", value=is_on(), key=key, help="投影用：大字号、高对比、一屏一图、隐藏侧栏。再次点击恢复。"
    )
    st.session_state[FLAG] = bool(on)
    return bool(on)


def apply() -> None:
    """开启时注入投影样式（只含 <style>，不占页面位置）。"""
    if is_on():
        st.html(_CSS)


def chart_height(normal: int = CHART_HEIGHT) -> int:
    return PROJECTOR_CHART_HEIGHT if is_on() else normal


def chart_theme() -> str | None:
    """投影时不套 Streamlit 图表主题：主题会把字号改回小字；普通模式沿用主题。"""
    return None if is_on() else "streamlit"
