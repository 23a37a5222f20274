"""没有权限：这个角色导航里没有的页面，直接敲网址时看到这一页（中文说明），不是原来的页面，也不是 Streamlit 的英文“Page not found”。"""

import streamlit as st

from chuangwen import accounts, sitemap
from chuangwen.escape import md
from chuangwen.ui import projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def render(view: View | None, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    who = viewer
    title = viewer.page
    st.title("没有权限")
    st.warning(
        f"“{md(title)}”页只对{md('、'.join(accounts.roles_for_page(title)))}账号开放，你的账号是{md(who.role)}。"
        "需要时请联系本单位的看板管理员。",
        icon=":material/lock:",
    )
    st.page_link(projector.link_to(sitemap.HOME.title), label="回到总览", icon=":material/dashboard:")
