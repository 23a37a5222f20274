"""页面这边的登录：每次页面运行从 WebSocket 握手带来的 cookie（st.context.cookies）认人，规则与 Web 服务器的门相同
（chuangwen.signin.identify）。登录、退出本身在 Web 服务器的 /login、/logout（chuangwen.gate），不在页面里。

登录会话在服务器这边（库旁状态库），不在标签页里：刷新、新开标签页、别人发来的链接都保持登录，直到闲置超时、退出、
改口令、改角色或停用。页面打开着的时候会话结束了，下一次运行就只显示一句说明和重新登录的链接。
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import streamlit as st

from chuangwen import accounts, gate, signin
from chuangwen.escape import md
from chuangwen.ui import data, webapp
from chuangwen.ui.frame import Viewer


def _request_cookies() -> Mapping[str, str]:
    return st.context.cookies


def _request_headers() -> Mapping[str, str]:
    return st.context.headers


def _here() -> str:
    """本页网址的路径与查询串（登录后回到这里；gate.ended_url 只留本站已知页面）。"""
    parts = urlsplit(st.context.url or "/")
    query = urlencode(st.query_params.to_dict())
    return (parts.path or "/") + (f"?{query}" if query else "")


def current() -> signin.Identity | None:
    """这次运行是谁（不画任何东西）：认出来时登记这个页面会话归谁。画框在运行的第一步调用，
    早于页面图标等任何要浏览器来取的东西；结果作为参数往下传，不放进会话状态。"""
    identity = signin.identify(data.database_path(), _request_cookies(), _request_headers())
    if identity is not None:
        webapp.bind_session(identity.owner)
    return identity


def ended() -> None:
    """会话已结束（或从没登录）：只画一句说明与重新登录的链接，停止本次运行。"""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("创文看板")
        st.info(
            "登录已结束（闲置超时、已退出、改了口令或账号有变动）。请重新登录，登录后回到这一页。",
            icon=":material/lock_clock:",
        )
        st.markdown(f"[重新登录]({gate.ended_url(_here())})")
    st.stop()


def sidebar(viewer: Viewer, units: dict[str, str]) -> None:
    """侧栏底部：当前用户、改口令、退出（统一认证登录的不在这里退出、改口令）。"""
    sb = st.sidebar
    unit = f" · {md(units.get(viewer.unit_code, viewer.unit_code))}" if viewer.unit_code else ""
    sb.caption(f"当前用户：{md(viewer.name)}（{md(viewer.role)}{unit}）")
    current = viewer.identity
    if current.token is None:
        return
    with sb.expander("改口令"):
        with st.form("change_password", border=False):
            old = st.text_input("旧口令", type="password", max_chars=256)
            new = st.text_input("新口令", type="password", max_chars=256, help=accounts.password_rule())
            again = st.text_input("再输一次新口令", type="password", max_chars=256)
            if st.form_submit_button("改口令"):
                if new != again:
                    st.error("两次输入的新口令不一样。")
                else:
                    try:
                        accounts.set_password(data.database_path(), viewer.name, new, by=viewer.name, old_password=old)
                    except accounts.AccountError as exc:
                        st.error(md(exc))
                    else:
                        st.rerun()  # 改口令结束了全部会话：下一次运行显示重新登录的链接
    with sb:
        st.html(signin.logout_form(current.token))
