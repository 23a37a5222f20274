"""推进会（投影）模式：一个会话级开关，开启时注入 CSS——大字号、高对比、隐藏侧栏、一屏一图。

各页用法：
    big = projector.toggle("rk_projector")   # 控件 key 由页面给（带本页前缀），状态记在会话级标志里，换页保留
    projector.apply()                        # 开启时注入样式；图表高度用 projector.chart_height()
"""
from __future__ import annotations

import streamlit as st

FLAG = "projector_mode"          # 会话级标志：各页共用，切换页面后仍保持
CHART_HEIGHT = 460
PROJECTOR_CHART_HEIGHT = 680     # 1080p 投影一屏放一张图（连同标题）

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


def is_on() -> bool:
    return bool(st.session_state.get(FLAG, False))


def toggle(key: str, container=None) -> bool:
    """推进会模式开关；返回当前是否开启。"""
    where = container if container is not None else st
    on = where.toggle("推进会模式", value=is_on(), key=key,
                      help="投影用：大字号、高对比、一屏一图、隐藏侧栏。再次点击恢复。")
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
