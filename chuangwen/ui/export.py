"""“导出图片”按钮：任何页面的 plotly 图下面加一行 `export.png_button(fig, "文件名", key="…")`。

点击时才渲染（download_button 的 data 传函数，在单独线程里执行，不拖慢页面），由常驻的 kaleido 导出进程画成
2 倍分辨率 PNG（chuangwen.export_png，中文用 Noto Sans CJK）；同一张图只渲染一次。本机没有 Chromium 时按钮不可用，
并用中文写明要安装什么。
"""
from __future__ import annotations

import re

import streamlit as st

from chuangwen import export_png

_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def png_file_name(name: str) -> str:
    """下载文件名：去掉文件系统不允许的字符，补上 .png。"""
    base = _BAD_FILE_CHARS.sub("_", name).strip("_") or "图表"
    return base if base.lower().endswith(".png") else f"{base}.png"


def png_button(fig, filename: str, key: str, *, label: str = "导出图片", width: int | None = None,
               height: int | None = None) -> None:
    """在图下方放一个“导出图片”下载按钮（PNG，2 倍分辨率）。key 用页面自己的前缀，保证唯一。"""
    if not export_png.available():
        st.download_button(label, data=b"", file_name=png_file_name(filename), mime="image/png", key=key,
                           disabled=True, icon=":material/image:", help=export_png.INSTALL_HINT)
        st.caption(export_png.INSTALL_HINT)
        return

    def render() -> bytes:
        return export_png.figure_png(fig, width=width, height=height, scale=2)

    st.download_button(label, data=render, file_name=png_file_name(filename), mime="image/png", key=key,
                       on_click="ignore", icon=":material/image:", type="tertiary",
                       help="下载这张图的 PNG（2 倍分辨率，可直接插入通报或幻灯片）")


def map_png_button(boundaries, townships, title: str, filename: str, key: str, *, subtitle: str = "") -> None:
    """问题热点的静态地图图片（镇街分级设色 + 名称 + 问题数）：服务器用 Pillow 画，不需要浏览器、不联网。
    boundaries / townships 为页面已取到的 hotspot_boundaries / hotspot_townships 结果（同一汇总数据）。"""
    def render() -> bytes:
        return export_png.hotspot_map_png(boundaries, townships, title=title, subtitle=subtitle)

    st.download_button("导出地图图片", data=render, file_name=png_file_name(filename), mime="image/png", key=key,
                       on_click="ignore", icon=":material/image:", type="tertiary",
                       help="下载镇街问题数静态地图（PNG，不含底图），可直接插入通报或幻灯片")
