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
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from chuangwen import charts, sitemap
from chuangwen.escape import html_text
from chuangwen.ui import frame
from chuangwen.ui.frame import Viewer

if TYPE_CHECKING:
    import plotly.graph_objects as go

FLAG = "projector_mode"  # 会话级标志：各页共用，切换页面后仍保持
CHART_HEIGHT = 460
PROJECTOR_CHART_HEIGHT = 660  # 1080p 投影一屏放一张图（连同标题、页面条与翻屏条）

_CSS = """
<style>
/* 推进会模式：隐藏侧栏与顶部工具条，内容铺满，字大、黑字白底 */
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarCollapseButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.stApp, .stApp [data-testid="stAppViewContainer"], .stApp [data-testid="stMain"] { background: #FFFFFF !important; color: #000000 !important; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: .6rem 2.5rem .8rem 2.5rem !important; }
.stApp h1 { font-size: 2.6rem !important; font-weight: 800 !important; color: #000000 !important; padding: .2rem 0 !important; }
.stApp h2, .stApp h3 { font-size: 2.0rem !important; font-weight: 800 !important; color: #000000 !important;
                       border-bottom: 4px solid #000000; padding: .2rem 0 .3rem 0 !important; margin-top: .4rem; }
.stApp .stSelectbox div, .stApp .stSelectbox span, .stApp .stSelectbox input, .stApp .stMultiSelect span, .stApp .stMultiSelect input, .stApp [data-testid="stExpander"] summary p,
.stApp p, .stApp li, .stApp label, [data-testid="stCaptionContainer"], [data-testid="stAlert"] p { font-size: 1.45rem !important; color: #000000 !important; }
.stApp [data-testid="stMetricValue"] p, .stApp [data-testid="stMetricValue"] div { font-size: 3.6rem !important; font-weight: 800 !important; color: #000000 !important; line-height: 1.2 !important; }
.stApp [data-testid="stMetricDelta"] div, .stApp [data-testid="stMetricDelta"] p { font-size: 1.5rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.8rem !important; font-weight: 700 !important; color: #000000 !important; }
[data-testid="stMetricValue"] { font-size: 3.6rem !important; font-weight: 800 !important; color: #000000 !important; }
[data-testid="stMetricDelta"] { font-size: 1.4rem !important; }
[data-testid="stMetric"] { border: 3px solid #000000 !important; }
[data-testid="stTable"] table { font-size: 1.5rem !important; color: #000000 !important; }
[data-testid="stTable"] th { font-size: 1.5rem !important; color: #000000 !important; background: #E0E0E0 !important;
                             white-space: nowrap !important; }
/* 表格不在词中间断开：列名、名次、编号、数字整格不折行；只有长的描述文字在汉字之间折行 */
[data-testid="stTable"] td { word-break: keep-all; overflow-wrap: normal; vertical-align: middle; }
.st-key-cw_view_bar { margin-left: auto; width: auto !important; flex: 0 0 auto !important; flex-wrap: nowrap !important; }
.st-key-cw_view_bar > div { width: auto !important; flex: 0 0 auto !important; }
.st-key-cw_meeting_bar { flex-wrap: nowrap !important; }
.st-key-cw_view_bar p, .st-key-cw_view_bar button p { font-size: 1.45rem !important; font-weight: 700 !important; }
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
TABLE_ROWS = 12  # 投影时一屏的表最多显示的行数：更长的表分成几屏（Views.paged），不截断
PART_CHART_HEIGHT = 560  # 推进会：分项差距图（上方还有两行选项）
MAP_HEIGHT = 640  # 投影时地图的高度（1080p 一屏，连同标题、页面条）

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
    if (!bar || (e.key !== "ArrowRight" && e.key !== "ArrowLeft")) { return; }
    e.preventDefault();
    go(e.key === "ArrowRight", 0);
  });
  // 页面正在重跑（例如地图画好后回传）时翻屏按钮还没画出来：等它跑完再翻，免得直接跳到下一页
  function go(forward, tries) {
    var app = document.querySelector('[data-testid="stApp"]');
    if (app && app.dataset.testScriptState === "running" && tries < 150) {
      setTimeout(function () { go(forward, tries + 1); }, 100);
      return;
    }
    var bar = document.querySelector(".st-key-cw_meeting_bar");
    if (!bar) { return; }
    // 先在本页的几屏之间翻（按钮在页面条下方；到头时按钮不可用），再翻到上一页、下一页
    var step = document.querySelector(forward ? ".st-key-cw_view_next button" : ".st-key-cw_view_prev button");
    if (step && !step.disabled) { step.click(); return; }
    var want = forward ? window.cwMeeting.next : window.cwMeeting.prev;
    if (!want) { return; }
    var links = bar.querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      // 链接里先是图标（Material 字体的连字，文字就是图标名），再是页面名
      if (links[i].textContent.trim().endsWith(want)) { links[i].click(); return; }
    }
  }
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


def header(title: str, key: str, viewer: Viewer) -> Views:
    """页面标题与“推进会模式”开关（同一行）；开启时注入大字样式与页面条（翻屏条在页面条的右端）。
    返回本页的 Views（.on 为是否开启；普通模式下每一屏都画）。"""
    head, switch = st.columns([5, 1], vertical_alignment="bottom")
    head.title(title)
    big = toggle(key, switch)
    apply()
    return Views(viewer, page_bar(viewer) if big else None)


def link_to(title: str) -> st.Page:
    """到某一页的链接目标：st.page_link 只认页面的网址（不运行这个函数），所以给一个不做事的占位页。"""
    spec = sitemap.by_title(title)
    return st.Page(_not_run, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.default)


def _not_run() -> None:  # 链接用的占位页：导航里登记的是画框的真页面
    raise RuntimeError("占位页不运行")


def page_bar(viewer: Viewer) -> DeltaGenerator:
    """推进会模式下的一行页面条：领导看的几页（当前页反白），← → 键翻页；返回页面条右端留给翻屏条的位置。"""
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
        st.caption("键盘 ← → 翻屏、翻页")
        slot = st.empty()
    st.html(_KEYS_JS % json.dumps({"prev": prev, "next": nxt}, ensure_ascii=False), unsafe_allow_javascript=True)
    return slot


class Views:
    """推进会模式下，一页分成几屏（view）：一次只画一屏，← → 先在几屏之间翻，到头再翻到上一页、下一页；
    普通模式下每一屏都画出来（页面与原来一样）。页面这样写：

        views = projector.header(标题, 开关的键, viewer)  # 标题、开关、页面条；翻屏条在页面条右端
        if views.show("名次与问题"):              # 这一屏的内容
            ...
        for rows in views.paged("全部部门", df):  # 长表：每 TABLE_ROWS 行一屏（普通模式下整张表一次）
            projector.table(rows)
        views.finish()                             # 页尾：写出“第 i / N 屏”与翻屏按钮

    当前是第几屏记在会话里（每页一个）；从前面的页翻过来从第一屏起，从后面的页翻回来从最后一屏起。
    不在当前屏的内容不画，它的查询也不跑。"""

    def __init__(self, viewer: Viewer, bar: DeltaGenerator | None):
        self.on = bar is not None
        self.page = viewer.page
        self.names: list[str] = []
        self._key = f"_pv:{self.page}"
        self._bar = bar
        came_from = st.session_state.get("_pv_last_page")
        if came_from != self.page:
            order = [t for _, t in MEETING_PAGES]
            back = came_from in order and self.page in order and order.index(came_from) > order.index(self.page)
            st.session_state[self._key] = st.session_state.get(f"_pv_count:{self.page}", 1) - 1 if back else 0
            st.session_state["_pv_last_page"] = self.page
        self.index = int(st.session_state.get(self._key, 0))

    def __bool__(self) -> bool:
        return self.on

    def show(self, name: str) -> bool:
        """登记一屏；返回这一屏此刻要不要画（普通模式下总要画）。"""
        self.names.append(name)
        return not self.on or len(self.names) - 1 == self.index

    def paged(self, name: str, rows: pd.DataFrame, per_screen: int = TABLE_ROWS) -> list[pd.DataFrame]:
        """长表分屏：投影时每 per_screen 行一屏（屏名写“第 a–b 行 / 共 N 行”），返回此刻要画的那一段（不在当前屏时为空）；
        普通模式下返回整张表一次。"""
        if not self.on:
            return [rows]
        pages = max(1, -(-len(rows) // per_screen))
        size = max(1, -(-len(rows) // pages))  # 各屏行数均匀（13 行分成 7 + 6，不是 12 + 1）
        out: list[pd.DataFrame] = []
        for i in range(pages):
            start, stop = i * size, min((i + 1) * size, len(rows))
            label = name if pages == 1 else f"{name}（第 {start + 1}–{stop} 行 / 共 {len(rows)} 行）"
            if self.show(label):
                out.append(rows.iloc[start:stop])
        return out

    def _step(self, delta: int) -> None:
        st.session_state[self._key] = self.index + delta

    def finish(self) -> None:
        """页尾调用：投影时在页面条下方写出“第 i / N 屏：名称”与上一屏、下一屏按钮（键盘 ← → 点的就是它们）。"""
        if not self.on or self._bar is None:
            return
        count = len(self.names)
        st.session_state[f"_pv_count:{self.page}"] = count
        st.session_state[f"_pv_names:{self.page}"] = list(self.names)  # 各屏的名称（悬停提示里；测试也读它）
        if count and self.index >= count:  # 屏数变少了（换了筛选）：回到最后一屏
            st.session_state[self._key] = count - 1
            st.rerun()
        if count <= 1:
            self._bar.empty()
            return
        with self._bar.container(key="cw_view_bar", horizontal=True, gap="small", vertical_alignment="center"):
            st.button("←", key="cw_view_prev", help="上一屏", disabled=self.index == 0, on_click=self._step, args=(-1,))
            st.markdown(f"**第 {self.index + 1} / {count} 屏**", width="content", help=self.names[self.index])
            st.button(
                "→",
                key="cw_view_next",
                help="下一屏",
                disabled=self.index >= count - 1,
                on_click=self._step,
                args=(1,),
            )


def keep(keys: list[str]) -> None:
    """翻屏时记住没画出来的控件的值：Streamlit 会清掉这一轮没画的控件的状态，重新赋一次值就留下了。"""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def definitions(query_names: list[str], cutoff: datetime) -> None:
    """页尾的指标口径卡片（frame.definitions）；推进会（投影）时不放，一屏只放要看的。"""
    if not is_on():
        frame.definitions(query_names, cutoff)


def columns(count: int) -> list:
    """并排的几块：投影时一块一行（一屏一图，不并排），普通模式下是 st.columns。"""
    if is_on():
        return [st.container() for _ in range(count)]
    return list(st.columns(count))


def plotly(fig: go.Figure, key: str, height: int = PROJECTOR_CHART_HEIGHT, **kwargs: Any) -> None:
    """显示一张图：推进会模式下先放大（charts.projected：字号 ≥ 20 px，一屏一图；同屏另有控件时给小一些的 height），
    不套会把字号改小的主题。"""
    if is_on():
        st.plotly_chart(charts.projected(fig, height), key=key, config=charts.PLOTLY_CONFIG, theme=None, **kwargs)
    else:
        st.plotly_chart(fig, key=key, config=charts.PLOTLY_CONFIG, **kwargs)


def _pick(columns: list[str], wanted: list[str]) -> list[str]:
    """要显示的列：名称相同，或是它按口径换了单位的写法（“逾期（存量）”→“逾期（存量，每点位）”，“反弹重开”→“反弹重开（每千人）”）。"""
    out: list[str] = []
    for w in wanted:
        stem = w[:-1] if w.endswith("）") else w
        out += [c for c in columns if c not in out and (c == w or c.startswith((stem + "，", w + "（")))]
    return out


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def for_projector(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """投影用的表：只留 columns（给了时）与前 TABLE_ROWS 行（更长的表由 Views.paged 分屏，不会到这里才截）；
    整数写成带千分位的整数，小数两位，空值留空。返回的是要显示的文字（未转义，由 table_html 转义）。"""
    rows = df[_pick(list(df.columns), columns)] if columns else df
    rows = rows.head(TABLE_ROWS)
    out = {}
    for col in rows.columns:
        values = rows[col]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            out[col] = [_text(v) for v in values.tolist()]
        elif all(pd.isna(v) or float(v).is_integer() for v in values.tolist()):
            out[col] = ["" if pd.isna(v) else f"{int(v):,}" for v in values.tolist()]
        else:
            out[col] = ["" if pd.isna(v) else f"{float(v):,.2f}" for v in values.tolist()]
    return pd.DataFrame(out, columns=list(rows.columns))


WRAP_AFTER = 14  # 一列里有比这更长的文字（问题描述、点位）时这一列可以折行，其余列（名称、编号、名次、数字）整格不折行


def table_html(shown: pd.DataFrame) -> str:
    """投影用的静态表（HTML）：大字、黑白高对比；列名与短的格不折行（编号、名次、数字、“样本不足”不会从中间断开），
    只有长文字的列在汉字之间折行；每格经 html_text 转义（台账里的“图片”“链接”“脚本”都只是文字）。"""
    wrap = {
        c
        for c in shown.columns
        if shown[c].map(len).max(skipna=True) > WRAP_AFTER and not shown[c].str.fullmatch(r"[-\d,.%+−—]*").all()
    }
    numeric = {c for c in shown.columns if c not in wrap and shown[c].str.fullmatch(r"[-\d,.%+−—]*").all()}

    def cell(tag: str, column: str, text: str) -> str:
        style = "padding:.2em .6em;line-height:1.35;border-bottom:1px solid #9E9E9E;vertical-align:middle;"
        style += "white-space:normal;min-width:12em;" if column in wrap else "white-space:nowrap;"
        style += "text-align:right;" if column in numeric and tag == "td" else ""
        if tag == "th":
            style += "background:#E0E0E0;border-bottom:3px solid #000;text-align:left;"
        return f'<{tag} style="{style}">{html_text(text)}</{tag}>'

    head = "".join(cell("th", c, str(c)) for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(cell("td", c, v) for c, v in zip(shown.columns, values)) + "</tr>"
        for values in zip(*(shown[c].tolist() for c in shown.columns))
    )
    return (
        '<table class="cw-big-table" style="width:100%;border-collapse:collapse;font-size:1.5rem;color:#000">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def table(
    df: pd.DataFrame, *, big_columns: list[str] | None = None, empty: str = "没有符合条件的行。", **kwargs: Any
) -> None:
    """显示一张表：推进会模式下是大字的静态表（只留 big_columns 这几列，其余在普通模式看；长表由页面经 Views.paged
    分屏），否则可排序的 st.dataframe。没有行时只说一句中文 empty（st.dataframe 的空表写着英文“empty”）；
    缺失的格两种模式都留空（st.dataframe 默认写英文“None”；placeholder 只改显示，数照样按数排序）。"""
    if df.empty:
        st.caption(empty)
        return
    if not is_on():
        kwargs.setdefault("placeholder", "")
        st.dataframe(df, hide_index=True, **kwargs)
        return
    st.html(table_html(for_projector(df, big_columns)))
    if len(df) > TABLE_ROWS:
        st.caption(f"共 {len(df)} 行，这里是前 {TABLE_ROWS} 行；完整的表在普通模式下看。")


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
