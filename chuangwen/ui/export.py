"""下载按钮：页面开头建一个 `out = Exporter(view, viewer)`，每个下载都经 `out.download`（点了才生成，生成前再核对登录，
生成后记一条审计）；任何页面的 plotly 图下面加一行 `out.png(fig, "文件名", key="…")`。

点击时才渲染（download_button 的 data 传函数，在单独线程里执行，不拖慢页面），由常驻的 kaleido 导出进程画成
2 倍分辨率 PNG（chuangwen.export_png，中文用 Noto Sans CJK）；同一张图只渲染一次。本机没有 Chromium 时按钮不可用，
并用中文写明要安装什么。
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

from chuangwen import export_png, signin, statedb
from chuangwen.escape import md
from chuangwen.ui import data, projector, webapp
from chuangwen.ui.frame import Viewer
from chuangwen.view import View

_LOG = logging.getLogger("chuangwen.export")
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def png_file_name(name: str) -> str:
    """下载文件名：去掉文件系统不允许的字符，补上 .png。"""
    base = _BAD_FILE_CHARS.sub("_", name).strip("_") or "图表"
    return base if base.lower().endswith(".png") else f"{base}.png"


class DownloadRefused(RuntimeError):
    """点下载时登录已结束或账号有了变动：不生成文件。"""


# 生成失败的中文说明：Streamlit 1.67 只把英文的“Failed to generate file for download”交给浏览器，
# 所以失败时记下说明（按页面会话与按钮），让页面重跑一次，把说明显示在按钮上方
_FAILURES: dict[tuple[str | None, str], str] = {}
_FAILURES_LOCK = threading.Lock()


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, (DownloadRefused, export_png.PngUnavailable)):
        return str(exc)
    return "生成文件时出错，没有下载；请稍后再试。原因已记入服务器日志，可告诉管理员下载的时间。"


class Exporter:
    """一页上的下载：谁（登录的人与他的登录会话）、哪一页、什么口径在页面运行时就定好（画框给的 view 与 viewer），
    点下载时在 Streamlit 的后台线程里生成。页面开头建一个：out = Exporter(view, viewer)。"""

    def __init__(self, view: View | None, viewer: Viewer):
        self.viewer = viewer
        self.filters = view.audit_text() if view is not None else None  # 空库的引导页没有口径
        self.path = data.database_path()
        self.session_id = webapp.current_session_id()

    def audited(
        self, make: Callable[[], bytes], what: str, *, rows: int | None = None, key: str = ""
    ) -> Callable[[], bytes]:
        """点了下载才生成内容。生成之前再核对一次登录（会话仍有效、账号仍可用、角色与单位没变），不符时记一条“下载被拒”、
        不生成；生成后记一条审计（谁、哪一页、什么筛选、多少行、文件的 SHA-256），并登记这个文件只归这个登录会话
        （chuangwen.gate 只把它给这个会话）。被拒或生成失败时记下中文说明、让页面重跑（按钮上方显示说明）。"""
        identity, page, path, filters, session_id = (
            self.viewer.identity,
            self.viewer.page,
            self.path,
            self.filters,
            self.session_id,
        )
        who = identity.viewer.name

        def failed(exc: Exception) -> None:
            with _FAILURES_LOCK:
                _FAILURES[(session_id, key)] = _failure_text(exc)
            webapp.request_rerun(session_id)

        def run() -> bytes:
            if not signin.still_allowed(path, identity):
                statedb.audit_event(
                    path, who, "下载被拒", f"{what}：登录已结束或账号有变动", page=page, filters=filters
                )
                refused = DownloadRefused("登录已结束或账号有变动，没有生成文件。")
                failed(refused)
                raise refused
            try:
                content = make()
            except Exception as exc:
                _LOG.exception("生成下载文件失败：%s", what)
                statedb.audit_event(
                    path, who, "下载失败", f"{what}：{_failure_text(exc)[:120]}", page=page, filters=filters
                )
                failed(exc)
                raise
            webapp.register_download(content, identity.owner)
            statedb.audit_event(
                path,
                who,
                "下载",
                what,
                page=page,
                filters=filters,
                rows=rows,
                file_sha256=hashlib.sha256(content).hexdigest(),
            )
            return content

        return run

    def download(
        self,
        label: str,
        make: Callable[[], bytes],
        *,
        file_name: str,
        key: str,
        mime: str,
        rows: int | None = None,
        **button: Any,
    ) -> None:
        """页面上的下载按钮（Excel、幻灯片、图片……）：内容点了才生成，每次下载留一条审计（rows 为文件里的数据行数）；
        不点不重跑页面。上一次点这个按钮没能生成时，按钮上方显示中文原因。推进会（投影）时不放下载按钮：一屏只放要看的。"""
        if projector.is_on():
            return
        with _FAILURES_LOCK:
            failure = _FAILURES.pop((self.session_id, key), None)
        if failure:
            st.error(md(failure), icon=":material/error:")
        st.download_button(
            label,
            data=self.audited(make, file_name, rows=rows, key=key),
            file_name=file_name,
            mime=mime,
            key=key,
            on_click="ignore",
            **button,
        )

    def png(
        self,
        fig: Any,
        filename: str,
        key: str,
        *,
        label: str = "导出图片",
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        """在图下方放一个“导出图片”下载按钮（PNG，2 倍分辨率）。key 用页面自己的前缀，保证唯一。投影时不放。"""
        if projector.is_on():
            return
        if not export_png.available():
            st.download_button(
                label,
                data=b"",
                file_name=png_file_name(filename),
                mime="image/png",
                key=key,
                disabled=True,
                icon=":material/image:",
                help=export_png.INSTALL_HINT,
            )
            st.caption(export_png.INSTALL_HINT)
            return
        self.download(
            label,
            lambda: export_png.figure_png(fig, width=width, height=height, scale=2),
            rows=figure_rows(fig),
            file_name=png_file_name(filename),
            mime="image/png",
            key=key,
            icon=":material/image:",
            type="tertiary",
            help="下载这张图的 PNG（2 倍分辨率，可直接插入通报或幻灯片）",
        )

    def map_png(
        self, boundaries: Any, townships: Any, title: str, filename: str, key: str, *, subtitle: str = ""
    ) -> None:
        """问题热点的静态地图图片（镇街分级设色 + 名称 + 问题数）：服务器用 Pillow 画，不需要浏览器、不联网。
        boundaries / townships 为页面已取到的 hotspot_boundaries / hotspot_townships 结果（同一汇总数据）。"""
        self.download(
            "导出地图图片",
            lambda: export_png.hotspot_map_png(boundaries, townships, title=title, subtitle=subtitle),
            rows=len(townships),
            file_name=png_file_name(filename),
            mime="image/png",
            key=key,
            icon=":material/image:",
            type="tertiary",
            help="下载镇街问题数静态地图（PNG，不含底图），可直接插入通报或幻灯片",
        )


def figure_rows(fig: Any) -> int:
    """一张图画了多少个数据点（审计的行数）：各条曲线的点数之和。"""
    total = 0
    for trace in fig.data:
        for attr in ("x", "y", "values", "z", "lat"):
            value = getattr(trace, attr, None)
            if value is not None:
                total += len(value)
                break
    return total


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
