"""没有权限：这个角色导航里没有的页面，直接敲网址时看到这一页（中文说明），不是原来的页面，也不是 Streamlit 的英文“Page not found”。"""

import streamlit as st

from chuangwen import accounts
from chuangwen.escape import md
from chuangwen.ui import frame

who = frame.viewer()
title = frame.page_title()
st.title("没有权限")
st.warning(
    f"“{md(title)}”页只对{md('、'.join(accounts.roles_for_page(title)))}账号开放，你的账号是{md(who.role)}。"
    "需要时请联系本单位的看板管理员。",
    icon=":material/lock:",
)
st.page_link(frame.HOME, label="回到总览", icon=":material/dashboard:")
