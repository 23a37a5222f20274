"""登录门：每次页面运行先确认是谁在看（chuangwen.accounts），没登录时只画登录表单，不打开库、不显示任何数据。

登录成功后令牌只放在这个浏览器会话的 session_state 里（服务器这边只存它的 SHA-256）；刷新页面或新开标签页是新的会话，要重新登录。
设置了 CHUANGWEN_TRUST_USER_HEADER 时，来自本机（反向代理）的连接按该请求头里的登录名登录（内网统一认证）。
"""
from __future__ import annotations

import streamlit as st

from chuangwen import accounts, appstate, settings
from chuangwen.escape import md
from chuangwen.ui import data

TOKEN = "_login_token"
_PROXY_SEEN = "_proxy_login_recorded"


def _header_name(value: str) -> str:
    # 请求头按 latin-1 解码；代理写进去的是 UTF-8 的中文登录名时还原回来
    try:
        return value.encode("latin-1").decode("utf-8").strip()
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value.strip()


def current() -> accounts.Viewer | None:
    """这次运行是谁：反向代理认证的登录名（只认本机来的连接），否则本会话的登录令牌；都没有时 None。"""
    path = data.database_path()
    header = settings.get("trust_user_header")
    if header and st.context.ip_address is None:      # None = 本机连接（反向代理就在本机）
        raw = st.context.headers.get(header)
        if raw:
            viewer = accounts.viewer_named(path, _header_name(raw))
            if viewer is not None:
                if not st.session_state.get(_PROXY_SEEN):
                    appstate.audit_event(path, viewer.name, "登录", f"{viewer.role}（反向代理认证，请求头 {header}）")
                    st.session_state[_PROXY_SEEN] = True
                return viewer
    return accounts.session_viewer(path, st.session_state.get(TOKEN))


def gate() -> accounts.Viewer:
    """返回登录的人；没登录时画登录表单（或第一次使用的说明）并停止本次运行。"""
    viewer = current()
    if viewer is not None:
        return viewer
    st.session_state.pop(TOKEN, None)
    path = data.database_path()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("创文看板 · 登录")
        if not accounts.has_accounts(path):
            st.info("这个看板还没有账号。请在服务器上用命令行创建第一个管理员（口令在终端里输入，不会显示）：",
                    icon=":material/person_add:")
            st.code(f"chuangwen user add 登录名 --role 管理员 --db {path}", language="bash", wrap_lines=True)
            st.caption("各单位的账号也用这条命令建：--role 领导 / 创建办 / 管理员，或 --role 责任单位 --unit 单位代码。")
            st.stop()
        with st.form("login", border=True):
            name = st.text_input("登录名", key="login_name", max_chars=64)
            password = st.text_input("口令", type="password", key="login_password", max_chars=256)
            submitted = st.form_submit_button("登录", type="primary", icon=":material/login:")
        if submitted:
            try:
                st.session_state[TOKEN] = accounts.login(path, name, password).token
            except accounts.AccountError as exc:
                st.error(md(exc), icon=":material/block:")
            else:
                st.rerun()
        st.caption("忘记口令请联系管理员。连续输错口令会锁定账号一段时间。")
    st.stop()


def _logout() -> None:
    accounts.logout(data.database_path(), st.session_state.pop(TOKEN, None))


def sidebar(viewer: accounts.Viewer, units: dict[str, str]) -> None:
    """侧栏底部：当前用户、改口令、退出（反向代理认证的不在这里退出、改口令）。"""
    sb = st.sidebar
    unit = f" · {md(units.get(viewer.unit_code, viewer.unit_code))}" if viewer.unit_code else ""
    sb.caption(f"当前用户：{md(viewer.name)}（{md(viewer.role)}{unit}）")
    if TOKEN not in st.session_state:
        return
    with sb.expander("改口令"):
        with st.form("change_password", border=False):
            old = st.text_input("旧口令", type="password", max_chars=256)
            new = st.text_input("新口令（至少 8 个字符）", type="password", max_chars=256)
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
                        st.session_state.pop(TOKEN, None)     # 改口令结束了全部会话：用新口令重新登录
                        st.rerun()
    sb.button("退出登录", key="logout", on_click=_logout, icon=":material/logout:")
